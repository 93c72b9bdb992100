"""Another numeric configuration of this machine, to test that nothing depends on the processor.

The course's results are floats computed through numpy's SIMD loops (exp, log, ...) and
OpenBLAS's matrix kernels, and both pick their code for the processor they run on: another
machine gives other last bits. `make test` runs the fast suite, the notebooks and the drift check a
second time with both switched to other code on this same machine:

    eval "$(python tests/support/numerics.py env)"   # OPENBLAS_CORETYPE, NPY_DISABLE_CPU_FEATURES
    python tests/support/numerics.py confirm          # prints both configurations; fails if alike

- OpenBLAS: OPENBLAS_CORETYPE names a kernel set other than the one it picked (Sandybridge, or
  Nehalem where Sandybridge is the pick or AVX is missing; ARMV8, the generic one, on arm64).
- numpy: NPY_DISABLE_CPU_FEATURES turns off every SIMD target numpy dispatched to beyond its
  baseline (on an AVX-512 machine X86_V3, X86_V4 and AVX512_ICL: the AVX2 and AVX-512 loops).

`confirm` asks a fresh interpreter without the settings and one with them for the BLAS kernel
(threadpoolctl), the SIMD targets in use (numpy's __cpu_features__ and __cpu_dispatch__), and
whether a 64 x 64 matrix product and exp over 10,000 numbers come out bit for bit the same; it
fails unless the BLAS kernel differs and, where numpy dispatched beyond its baseline, the SIMD
targets differ too.
"""

import json
import os
import platform
import subprocess
import sys

SETTINGS = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")

PROBE = r"""
import hashlib, json
import numpy as np
from threadpoolctl import threadpool_info
try:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
except ImportError:  # numpy 1.x
    from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
rng = np.random.default_rng(0)
A, B = rng.normal(size=(64, 64)), rng.normal(size=(64, 64))
x = np.linspace(-20, 20, 10_000)
print(json.dumps({
    "blas": blas[0].get("architecture") if blas else None,
    "blas_library": blas[0].get("internal_api") if blas else None,
    "simd": [t for t in __cpu_dispatch__ if __cpu_features__.get(t)],
    "avx": bool(__cpu_features__.get("AVX")),
    "matmul": hashlib.sha256((A @ B).tobytes()).hexdigest()[:16],
    "exp": hashlib.sha256(np.exp(x).tobytes()).hexdigest()[:16],
}))
"""


def probe(env):
    """What numpy and OpenBLAS use in a fresh interpreter with environment env."""
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def default_env():
    return {k: v for k, v in os.environ.items() if k not in SETTINGS}


def variant(found, machine=None):
    """{setting: value} that moves both libraries off what they picked (see the docstring)."""
    settings = {}
    if (machine or platform.machine()).lower() in ("aarch64", "arm64"):
        if found["blas"] and found["blas"].upper() != "ARMV8":
            settings["OPENBLAS_CORETYPE"] = "ARMV8"
    elif found["blas"]:
        wanted = "Sandybridge" if found["avx"] and found["blas"] != "Sandybridge" else "Nehalem"
        settings["OPENBLAS_CORETYPE"] = wanted
    if found["simd"]:
        settings["NPY_DISABLE_CPU_FEATURES"] = " ".join(found["simd"])
    return settings


def _shell(settings):
    return "\n".join(f"export {k}='{v}'" for k, v in settings.items())


def confirm():
    before = probe(default_env())
    after = probe(dict(os.environ))
    for label, found in (("this machine's own", before), ("the variant's", after)):
        print(f"{label:>19}: BLAS {found['blas_library']} {found['blas']}; numpy SIMD "
              f"{', '.join(found['simd']) or 'baseline only'}")
    same = [k for k in ("matmul", "exp") if before[k] == after[k]]
    differ = [k for k in ("matmul", "exp") if before[k] != after[k]]
    print(f"{'bit for bit':>19}: {', '.join(differ) or 'nothing'} differs"
          + (f"; {', '.join(same)} the same" if same else ""))
    problems = []
    if before["blas"] == after["blas"]:
        problems.append(f"the BLAS kernel is {before['blas']} in both (set OPENBLAS_CORETYPE)")
    if before["simd"] and before["simd"] == after["simd"]:
        problems.append("numpy's SIMD targets are the same in both (set NPY_DISABLE_CPU_FEATURES)")
    for problem in problems:
        print(f"not another configuration: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv):
    if argv == ["env"]:
        print(_shell(variant(probe(default_env()))))
        return 0
    if argv == ["confirm"]:
        return confirm()
    print("usage: numerics.py env | confirm", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

