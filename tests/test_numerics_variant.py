"""The portability run's settings really are another configuration (tests/support/numerics.py)."""

import os
import subprocess
import sys
from pathlib import Path

from support import numerics

AVX512 = {"blas": "SkylakeX", "simd": ["X86_V3", "X86_V4", "AVX512_ICL"], "avx": True}


def test_an_avx512_machine_drops_to_sandybridge_and_the_sse_baseline():
    assert numerics.variant(AVX512, "x86_64") == {
        "OPENBLAS_CORETYPE": "Sandybridge", "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL"}


def test_a_sandybridge_or_avx_less_machine_drops_to_nehalem():
    assert numerics.variant({**AVX512, "blas": "Sandybridge"}, "x86_64")["OPENBLAS_CORETYPE"] == "Nehalem"
    assert numerics.variant({"blas": "Nehalem", "simd": [], "avx": False}, "x86_64") == {
        "OPENBLAS_CORETYPE": "Nehalem"}


def test_arm_drops_to_the_generic_armv8_kernels():
    found = {"blas": "NEOVERSEN1", "simd": ["ASIMDHP", "ASIMDDP"], "avx": False}
    assert numerics.variant(found, "aarch64") == {"OPENBLAS_CORETYPE": "ARMV8",
                                                  "NPY_DISABLE_CPU_FEATURES": "ASIMDHP ASIMDDP"}


def test_confirm_fails_without_the_settings_and_passes_with_them():
    script = Path(numerics.__file__)
    plain = {k: v for k, v in os.environ.items() if k not in numerics.SETTINGS}
    alike = subprocess.run([sys.executable, script, "confirm"], env=plain, capture_output=True, text=True)
    assert alike.returncode == 1 and "the BLAS kernel is" in alike.stderr
    settings = numerics.variant(numerics.probe(plain))
    other = subprocess.run([sys.executable, script, "confirm"], env={**plain, **settings},
                           capture_output=True, text=True)
    assert other.returncode == 0, other.stdout + other.stderr
    assert "the variant's" in other.stdout
