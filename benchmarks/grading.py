"""Benchmark: autograding a synthetic class with stock nbgrader and with `python -m autograder grade`.

    .venv/bin/python benchmarks/grading.py [--students 8] [--assignments 01_neuron 03_loss ...]
                                           [--jobs N] [--timeout 5] [--seed 0] [--floor-runs 10]
                                           [--keep DIR]

One run, one synthetic class (`make_class` in tests/support/synthetic.py: about 55%
correct, 25% buggy, 10% blank, 10% broken: malformed JSON, an endless loop, a
kernel that calls os._exit, a renamed notebook), graded by:

  a. stock nbgrader, as an instructor runs it: a scratch course
     (`ScratchCourse` in tests/support/scratch_course.py) and one sequential
     `nbgrader autograde <assignment> --force --Execute.timeout=<timeout>` per
     assignment, every student at once;
  b. `python -m autograder grade` (default jobs = cores) on a copy of the same
     class, with `--timeout <timeout>`; again with `--engine kernel`;
  c. the floor: a one-cell notebook (`1 + 1`) executed in a fresh kernel with
     nbclient, the median of --floor-runs runs, half measured before the
     grading runs and half after (the two medians are printed: if they differ
     much, the machine was busy). The load average is printed before each
     path; other work on the machine skews every figure;
  d. run only: every submitted notebook executed as it is, in a fresh kernel
     with nbclient (same per-cell timeout, errors allowed, no hidden tests, no
     gradebook), each distinct notebook once and its time counted for every
     submission that has it. This is the floor for *these* notebooks: what any
     grader that runs them must spend. A lesson-10 notebook trains a network;
     a one-cell notebook does not.

Every path gets the same per-cell timeout, so an endless loop costs the same
everywhere. Prints a table (submissions, wall time, throughput, ratio to
stock, core-seconds and wall seconds per notebook, ratio to the floor), the
mean score per kind of submission for each path, and whether every path gave
every correct and blank submission the same score as stock nbgrader (a
disagreement is printed loudly). Targets (issue 6): at least 1.8x stock
throughput on a 2-core machine; per-notebook cost within 1.3x the floor. The
cost is reported twice: core-seconds per notebook (wall x jobs / notebooks, the
honest cost on a busy machine) and wall seconds per notebook (what an
instructor waits); and next to d, so the grading overhead above running the
notebooks at all can be read off.
Not part of `make test`.
"""

import argparse
import csv
import os
import platform
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

from notebook_times import floor_seconds  # noqa: E402 (after the sys.path set-up above)

from autograder import notebooks  # noqa: E402 (after the sys.path set-up above)
from support import synthetic  # noqa: E402 (after the sys.path set-up above)
from support.scratch_course import ScratchCourse  # noqa: E402 (after the sys.path set-up above)

TARGET_SPEEDUP = 1.8
TARGET_FLOOR_RATIO = 1.3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--assignments", nargs="+", default=None,
                        help="assignment ids (default: all of solutions/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(),
                        help="workers for `python -m autograder grade` (default: cores)")
    parser.add_argument("--timeout", type=int, default=5, help="per-cell timeout, seconds, for every path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--floor-runs", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this (new) folder and keep it, instead of a temporary one")
    return parser.parse_args(argv)


# ------------------------------------------------------------------ the paths

def run_stock(course, assignments, timeout):
    """Sequential stock `nbgrader autograde`, one command per assignment; (wall, {(student, a): score})."""
    failures = []
    start = time.perf_counter()
    for assignment in assignments:
        # ScratchCourse._nbgrader is the course's own `python -m nbgrader ...` invocation.
        result = course._nbgrader("autograde", assignment, "--force", f"--Execute.timeout={timeout}")
        if result.returncode != 0:
            failures.append((assignment, result.returncode, result.stderr.strip().splitlines()[-1:]))
    wall = time.perf_counter() - start
    scores = {(student, a): score for a in assignments
              for student, (score, _max) in course.scores(a).items()}
    return wall, scores, failures


def run_only(class_root, subs, timeout):
    """Each distinct submitted notebook executed once as it is in a fresh kernel (nbclient, errors
    allowed, the per-cell timeout interrupts); ({(student, a): seconds}, distinct notebooks run).
    An unreadable notebook costs 0 (nothing to run); a kernel that dies ends its notebook."""
    import hashlib

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    by_content, seconds = {}, {}
    for s in subs:
        path = Path(class_root) / s.path
        raw = path.read_bytes() if path.is_file() else b""
        key = hashlib.sha256(raw).hexdigest()
        if key not in by_content:
            start = time.perf_counter()
            try:
                nb = nbformat.reads(raw.decode(), as_version=4)
            except Exception:
                by_content[key] = 0.0
            else:
                client = NotebookClient(
                    nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                    interrupt_on_timeout=True,
                    error_on_timeout={"ename": "CellTimeoutError", "evalue": "", "traceback": []},
                    resources={"metadata": {"path": str(path.parent)}})
                try:
                    client.execute()
                except DeadKernelError:
                    pass
                by_content[key] = time.perf_counter() - start
        seconds[(s.student, s.assignment)] = by_content[key]
    return seconds, len(by_content)


def load():
    """The 1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_grade(class_root, work, jobs, timeout, engine=None):
    """`python -m autograder grade` on a copy of the class; (wall, scores, statuses, failures)."""
    copy = work / "class"
    shutil.copytree(class_root / "submitted", copy / "submitted")
    out = work / "out"
    cmd = [sys.executable, "-m", "autograder", "grade", str(copy), "--jobs", str(jobs),
           "--timeout", str(timeout), "--out", str(out), "--force"]
    if engine:
        cmd += ["--engine", engine]
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=notebooks.nbgrader_env())
    wall = time.perf_counter() - start
    failures = [] if result.returncode == 0 else [
        ("grade", result.returncode, result.stderr.strip().splitlines()[-3:])]
    report = read_grade_scores(out)
    return wall, {k: score for k, (score, _) in report.items()}, {k: st for k, (_, st) in report.items()}, failures


def read_grade_scores(out):
    """{(student, assignment): (score or None, status)} from the grade command's OUT/grades.csv."""
    path = out / "grades.csv"
    if not path.exists():
        return {}
    with open(path, newline="") as fh:
        return {(r["student"], r["assignment"]): (float(r["score"]) if r["score"] else None, r["status"])
                for r in csv.DictReader(fh)}


# ------------------------------------------------------------------ report

def max_scores(course, assignments):
    """{assignment: max score} from the stock course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.db}") as gb:
        return {a: gb.find_assignment(a).max_score for a in assignments}


def mean_by_kind(subs, scores, maxima):
    """{kind: mean fraction of the points} over the submissions of that kind (missing = 0)."""
    result = {}
    for kind in synthetic.KINDS:
        fractions = [(scores.get((s.student, s.assignment)) or 0) / maxima[s.assignment]
                     for s in subs if s.kind == kind]
        if fractions:
            result[kind] = statistics.mean(fractions)
    return result


def disagreements(subs, stock, other):
    """Correct and blank submissions whose score differs between stock nbgrader and another path."""
    return [(s, stock.get((s.student, s.assignment)), other.get((s.student, s.assignment)))
            for s in subs if s.kind in ("correct", "blank")
            and stock.get((s.student, s.assignment)) != other.get((s.student, s.assignment))]


def fmt_score(score):
    return "-" if score is None else f"{score:g}"


def print_table(rows, graded, floor, n, run_only_cost=None):
    """graded: per path, how many of the n submissions have a score (the rest count as graded
    work all the same: throughput and cost are per submission given to the grader)."""
    print(f"\n{'path':<34} {'graded':>6} {'scored':>6} {'wall s':>8} {'nb/s':>6} {'x stock':>7} "
          f"{'core-s/nb':>9} {'wall s/nb':>9} {'cost/floor':>10}")
    stock_wall = rows[0][2]
    for (name, jobs, wall), scored in zip(rows, graded):
        cost = wall * jobs / n
        print(f"{name:<34} {n:>6} {scored:>6} {wall:8.1f} {n / wall:6.2f} {stock_wall / wall:7.2f} "
              f"{cost:9.2f} {wall / n:9.2f} {cost / floor:10.2f}")
    print(f"{'floor (1-cell nb, fresh kernel)':<34} {1:>6} {'':>6} {floor:8.2f} {1 / floor:6.2f} {'':>7} "
          f"{floor:9.2f} {floor:9.2f} {1:10.2f}")
    if run_only_cost is not None:
        print(f"{'run only (each nb, fresh kernel)':<34} {n:>6} {'':>6} {run_only_cost * n:8.1f} "
              f"{1 / run_only_cost:6.2f} {stock_wall / (run_only_cost * n):7.2f} {run_only_cost:9.2f} "
              f"{run_only_cost:9.2f} {run_only_cost / floor:10.2f}")


def main(argv=None):
    args = parse_args(argv)
    import nbclient
    import nbgrader

    assignments = args.assignments or notebooks.assignments()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"nbgrader {nbgrader.__version__}, nbclient {nbclient.__version__}")
    print(f"class: {args.students} students x {len(assignments)} assignments, seed {args.seed}; "
          f"per-cell timeout {args.timeout} s; grade --jobs {args.jobs}")

    if args.keep:
        args.keep.mkdir(parents=True)
        work, cleanup = args.keep, None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="grading-bench-")
        work = Path(cleanup.name)
    try:
        start = time.perf_counter()
        course = ScratchCourse(work / "stock")
        print(f"scratch course generated in {time.perf_counter() - start:.1f} s (not timed below)")
        subs = synthetic.make_class(work / "class", students=args.students, assignments=assignments,
                                    seed=args.seed, release=course.release)
        n = len(subs)
        kinds = {k: sum(s.kind == k for s in subs) for k in synthetic.KINDS}
        print(f"submissions: {n} ({', '.join(f'{v} {k}' for k, v in kinds.items())}; broken: "
              f"{', '.join(s.detail for s in subs if s.kind == 'broken') or 'none'})")

        print(f"load average before the floor: {load()}")
        floor_before = [floor_seconds() for _ in range((args.floor_runs + 1) // 2)]

        shutil.copytree(work / "class" / "submitted", course.root / "submitted")
        print(f"load average before stock nbgrader: {load()}")
        stock_wall, stock_scores, failures = run_stock(course, assignments, args.timeout)
        with_scores = {"stock nbgrader": stock_scores}
        with_status = {}
        rows = [("stock nbgrader", 1, stock_wall)]
        problems = [("stock nbgrader", f) for f in failures]

        for engine in (None, "kernel"):
            name = f"grade --jobs {args.jobs}" + (f" --engine {engine}" if engine else " (judge)")
            print(f"load average before {name}: {load()}")
            wall, scores, statuses, failures = run_grade(
                work / "class", work / f"grade-{engine or 'default'}", args.jobs, args.timeout, engine)
            rows.append((name, args.jobs, wall))
            with_scores[name] = scores
            with_status[name] = statuses
            problems += [(name, f) for f in failures]

        print(f"load average before run only: {load()}")
        run_seconds_by_sub, distinct = run_only(work / "class", subs, args.timeout)
        run_cost = sum(run_seconds_by_sub.values()) / n
        print(f"run only: {distinct} distinct notebooks executed, {run_cost:.2f} s per submission")

        floor_after = [floor_seconds() for _ in range(args.floor_runs // 2)]
        floor = statistics.median(floor_before + floor_after)
        print(f"floor: median {floor:.2f} s over {len(floor_before) + len(floor_after)} runs, half before "
              f"and half after the grading runs (median before {statistics.median(floor_before):.2f}, "
              f"after {statistics.median(floor_after or floor_before):.2f}; "
              f"min {min(floor_before + floor_after):.2f}, max {max(floor_before + floor_after):.2f}); "
              f"load average now {load()}")
        graded = [sum(scores.get((s.student, s.assignment)) is not None for s in subs)
                  for scores in with_scores.values()]
        print_table(rows, graded, floor, n, run_cost)

        maxima = max_scores(course, assignments)
        print("\nmean fraction of the points, by kind of submission:")
        print(f"{'path':<34} " + " ".join(f"{k:>8}" for k in synthetic.KINDS))
        for name, scores in with_scores.items():
            means = mean_by_kind(subs, scores, maxima)
            print(f"{name:<34} " + " ".join(f"{means.get(k, float('nan')):8.3f}" for k in synthetic.KINDS))
            for s in subs:
                if s.kind == "buggy" and scores.get((s.student, s.assignment)) == maxima[s.assignment]:
                    print(f"  !! buggy submission with full marks: {s.student}/{s.assignment} ({s.detail})")

        print(f"\nbroken submissions (scores: {', '.join(with_scores)}; then the grade command's status):")
        for s in (s for s in subs if s.kind == "broken"):
            key = (s.student, s.assignment)
            got = ", ".join(f"{fmt_score(scores.get(key))}" for scores in with_scores.values())
            status = " | ".join(st.get(key, "-")[:70] for st in with_status.values())
            print(f"  {s.student}/{s.assignment} {s.detail:<15} {got}  {status}")

        stock = with_scores["stock nbgrader"]
        for name, scores in list(with_scores.items())[1:]:
            differ = disagreements(subs, stock, scores)
            if differ:
                print(f"\n!!!!!!!! {name}: {len(differ)} correct/blank submissions scored differently "
                      f"from stock nbgrader !!!!!!!!")
                for s, a, b in differ:
                    print(f"  !! {s.student}/{s.assignment} ({s.kind}): stock {a}, {name} {b}")
            else:
                print(f"\n{name}: same score as stock nbgrader for all "
                      f"{sum(s.kind in ('correct', 'blank') for s in subs)} correct and blank submissions")
        for name, (what, code, tail) in problems:
            print(f"note: {name}: {what} exited {code}: {' | '.join(tail)}")

        best = min(rows[1:], key=lambda r: r[2])
        print(f"\ntargets: throughput {rows[0][2] / best[2]:.2f}x stock (target >= {TARGET_SPEEDUP}x); "
              f"per-notebook cost {best[2] * best[1] / n / floor:.2f}x floor "
              f"(target <= {TARGET_FLOOR_RATIO}x) in core-seconds, "
              f"{best[2] / n / floor:.2f}x in wall seconds [{best[0]}]")
        print(f"against running the notebooks as they are in fresh kernels (run only, {run_cost:.2f} core-s "
              f"per notebook): {best[0]} {best[2] * best[1] / n / run_cost:.2f}x, "
              f"stock nbgrader {rows[0][2] / n / run_cost:.2f}x")
    finally:
        if cleanup:
            cleanup.cleanup()
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    main()
