"""Benchmark: headless execution time of every lesson and solution, and the whole nbval run.

    .venv/bin/python benchmarks/notebook_times.py [--skip-nbval]

Prints a table. Each notebook runs in a fresh kernel (as nbval does), so the
time includes kernel start-up; the bare floor (a one-cell notebook) is printed
beside them for reference. Targets: every lesson under 10 s; the whole nbval
run (lessons and solutions, 2 workers) under 2 minutes on a 2-core machine.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import notebooks  # noqa: E402 (after the sys.path set-up above)


def run_seconds(nb, cwd):
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def floor_seconds():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    with tempfile.TemporaryDirectory() as tmp:
        return run_seconds(nb, tmp)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-nbval", action="store_true")
    args = parser.parse_args()
    floor = floor_seconds()
    print(f"{'notebook':<58} {'seconds':>8}")
    print(f"{'(floor: one-cell notebook in a fresh kernel)':<58} {floor:8.1f}")
    worst_lesson = 0.0
    for path in [notebooks.COURSE_MAP, *notebooks.lesson_notebooks(), *notebooks.solution_notebooks()]:
        seconds = run_seconds(nbformat.read(path, as_version=4), path.parent)
        if path.parent == notebooks.LESSONS:
            worst_lesson = max(worst_lesson, seconds)
        print(f"{str(path.relative_to(ROOT)):<58} {seconds:8.1f}")
    print(f"slowest lesson: {worst_lesson:.1f} s (target < 10 s)")
    if not args.skip_nbval:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
             "--dist", "loadscope", "--nbval", "--nbval-current-env",
             "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "lessons", "solutions"],
            cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        verdict = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "no output"
        print(f"whole nbval run (lessons + solutions, 2 workers): {seconds:.1f} s "
              f"(target < 120 s): {verdict}")


if __name__ == "__main__":
    main()
