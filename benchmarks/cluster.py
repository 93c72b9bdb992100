"""Grading throughput: the local pool against a local Dask cluster (a script, not a test).

    .venv/bin/python benchmarks/cluster.py [--students N]

Grades one synthetic class (tests/support/synthetic.py, assignments 01_neuron and 03_loss) with
`grade --jobs 1`, `--jobs 2`, `--cluster local:1` and `--cluster local:2`, each into a fresh
folder, and prints the wall time of each run, submissions per second, the ratios to --jobs 2,
the cluster's per-submission overhead (local:1 against --jobs 1, per submission) and, on paper,
the number of cluster workers that grade 100,000 notebooks in one hour at the measured rate.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from autograder import notebooks  # noqa: E402
from support.synthetic import make_class  # noqa: E402

RUNS = {"pool, --jobs 1": ["--jobs", "1"], "pool, --jobs 2": ["--jobs", "2"],
        "cluster local:1": ["--cluster", "local:1"], "cluster local:2": ["--cluster", "local:2"]}


def grade(submitted, out, extra):
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out), *extra],
                            cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(result.stderr[-3000:])
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        planted = make_class(Path(tmp) / "class", students=args.students, assignments=["01_neuron", "03_loss"])
        n = len(planted)
        seconds = {name: grade(Path(tmp) / "class" / "submitted", Path(tmp) / f"out{i}", extra)
                   for i, (name, extra) in enumerate(RUNS.items())}
    base = seconds["pool, --jobs 2"]
    print(f"{n} submissions (synthetic class, {args.students} students x 2 assignments), whole command, wall time")
    for name, s in seconds.items():
        print(f"  {name:18} {s:6.1f} s  {n / s:5.2f} submissions/s  x{base / s:4.2f} of --jobs 2")
    overhead = (seconds["cluster local:1"] - seconds["pool, --jobs 1"]) / n
    print(f"cluster overhead per submission (local:1 - --jobs 1, start-up included): {overhead:+.2f} s")
    per_worker = n / seconds["cluster local:1"]
    print(f"on paper: 100,000 notebooks in one hour need {100_000 / 3600:.1f} submissions/s, i.e. "
          f"{math.ceil(100_000 / 3600 / per_worker)} single-threaded workers at this machine's local:1 rate "
          f"({per_worker:.2f}/s per worker, start-up included)")


if __name__ == "__main__":
    main()
