"""Benchmark: the grade command of an earlier commit against this checkout's, in one run.

    .venv/bin/python benchmarks/compare_commits.py OLD_COMMIT [--students 6]
                     [--assignments 01_neuron 03_loss ...] [--rounds 3] [--jobs 2] [--timeout 5]

A change to the grader is kept only if the default engine's throughput stays within 10% of
what it was. Machines here are shared and their speed drifts by more than that between runs,
so both versions are timed in the same run, on the same synthetic class
(`make_class` in tests/support/synthetic.py), alternately (old, new, old, new, ...), and compared by the
ratio of their median wall times; stock `nbgrader autograde` runs once on the same class as the
common baseline (ratio to stock, as benchmarks/grading.py reports it).

The old version is a `git worktree` of OLD_COMMIT in a temporary folder, run with this
checkout's virtual environment (its own `autograder` and `course` packages come first on the
path: the command runs with the worktree as its working folder). Not part of `make test`.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the synthetic class and scratch course (tests/support)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from grading import read_grade_scores, run_stock  # noqa: E402 (after the sys.path set-up above)

from autograder import notebooks  # noqa: E402 (after the sys.path set-up above)
from support import synthetic  # noqa: E402 (after the sys.path set-up above)
from support.scratch_course import ScratchCourse  # noqa: E402 (after the sys.path set-up above)


def grade_with(tree, submitted, out, jobs, timeout):
    """Wall seconds of one `python -m autograder grade` run of the code in `tree`."""
    env = dict(notebooks.nbgrader_env(), PYTHONPATH=str(tree))
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
                             "--jobs", str(jobs), "--timeout", str(timeout), "--force"],
                            cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if not (out / "grades.csv").exists():
        raise SystemExit(f"grade failed in {tree}:\n{result.stderr[-2000:]}")
    return wall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="the commit to compare with (e.g. a hash or HEAD~10)")
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--assignments", nargs="+", default=["01_neuron", "03_loss", "06_descent", "08_wishes"],
                        help="assignments whose set-up both versions can run (default: four that the "
                             "recent changes left alone)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--timeout", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="compare-") as tmp:
        work = Path(tmp)
        old_tree = work / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), args.old], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            course = ScratchCourse(work / "stock")
            subs = synthetic.make_class(work / "class", students=args.students, assignments=args.assignments,
                                        seed=0, release=course.release)
            n = len(subs)
            print(f"class: {n} submissions ({args.students} students x {len(args.assignments)} assignments); "
                  f"--jobs {args.jobs}, --timeout {args.timeout}; load average {os.getloadavg()[0]:.2f}")
            times = {"old": [], "new": []}
            scores = {}
            for r in range(args.rounds):
                for name, tree in (("old", old_tree), ("new", ROOT)):
                    out = work / f"out-{name}-{r}"
                    times[name].append(grade_with(tree, work / "class" / "submitted", out, args.jobs, args.timeout))
                    scores[name] = {k: s for k, (s, _status) in read_grade_scores(out).items()}
            shutil.copytree(work / "class" / "submitted", course.root / "submitted")
            stock_wall, _stock_scores, _failures = run_stock(course, args.assignments, args.timeout)
            print(f"\n{'path':<22} {'median wall s':>13} {'runs':>24} {'nb/s':>6} {'x stock':>8}")
            for name in ("old", "new"):
                median = statistics.median(times[name])
                runs = ", ".join(f"{t:.1f}" for t in times[name])
                print(f"{name + ' grade (judge)':<22} {median:13.1f} {runs:>24} {n / median:6.2f} "
                      f"{stock_wall / median:8.2f}")
            print(f"{'stock nbgrader':<22} {stock_wall:13.1f} {'':>24} {n / stock_wall:6.2f} {1:8.2f}")
            ratio = statistics.median(times["old"]) / statistics.median(times["new"])
            print(f"\nnew throughput / old throughput: {ratio:.3f} (target: at least 0.90)")
            differ = sorted(k for k in scores["old"] if scores["old"][k] != scores["new"].get(k))
            print(f"submissions scored differently by old and new: {len(differ)}"
                  + "".join(f"\n  {k}: old {scores['old'][k]} new {scores['new'].get(k)}" for k in differ))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, capture_output=True)


if __name__ == "__main__":
    main()
