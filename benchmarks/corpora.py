"""The test corpora graded three ways: the judge, the kernel engine and stock nbgrader.

    .venv/bin/python benchmarks/corpora.py [--keep DIR] [--timeout 4]

Builds each corpus (tests/adversarial/corpus.py, tests/honest/corpus.py) as one class, grades it
with `python -m autograder grade` (default engine, the judge), again with `--engine kernel`, and
with stock `nbgrader autograde` in a scratch course, then prints a markdown table per corpus:
each case, what it does, the score it deserves, and each path's score. docs/grading.md quotes
the tables. Not part of `make test` (tests/test_grading_corpus.py and tests/test_honest_corpus.py
assert the judge's and the kernel engine's columns).
"""

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from adversarial import corpus as adversarial  # noqa: E402 (after the sys.path set-up above)
from autograder import notebooks  # noqa: E402 (after the sys.path set-up above)
from honest import corpus as honest  # noqa: E402 (after the sys.path set-up above)
from support.scratch_course import ScratchCourse  # noqa: E402 (after the sys.path set-up above)
from support.synthetic import written_answers  # noqa: E402 (after the sys.path set-up above)


def autograded_marks(assignment):
    """{grade_id: points} of the cells an engine scores: written answers (exercise 9's
    explanation) are graded by hand, after any engine."""
    written = written_answers(assignment)
    return {name: points for name, points in adversarial.full_marks(assignment, notebooks.EXERCISES).items()
            if name not in written}


def deserved(case):
    full = autograded_marks(case.assignment)
    if case.total is not None:
        return case.total
    full.update(case.scores)
    return sum(full.values())


def grade(submitted, out, timeout, engine):
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
                    "--jobs", "2", "--timeout", str(timeout), "--engine", engine],
                   cwd=ROOT, env=notebooks.nbgrader_env(), capture_output=True, text=True)
    with open(out / "grades.csv", newline="") as fh:
        return {(r["student"], r["assignment"]): r["score"] for r in csv.DictReader(fh)}


def grade_stock(submitted, work, timeout, assignments):
    course = ScratchCourse(work / "stock")
    shutil.copytree(submitted, course.root / "submitted", symlinks=True)
    scores = {}
    for assignment in assignments:
        course._nbgrader("autograde", assignment, "--force", f"--Execute.timeout={timeout}")
        scores.update({(student, assignment): f"{score:g}"
                       for student, (score, _max) in course.scores(assignment).items()})
    return scores


def grade_corpus(name, cases, write, deserves, work, timeout):
    """Grade one corpus three ways and print its table."""
    submitted = work / name / "submitted"
    elsewhere = work / name / "elsewhere"
    elsewhere.mkdir(parents=True, exist_ok=True)
    for case in cases:
        write(case, submitted / case.student / case.assignment, elsewhere)
    judge = grade(submitted, work / name / "judge", timeout, "judge")
    kernel = grade(submitted, work / name / "kernel", timeout, "kernel")
    stock = grade_stock(submitted, work / name, timeout, sorted({c.assignment for c in cases}))
    print(f"\n{name} corpus\n")
    print("| case | assignment | what the submission does | deserves | judge | kernel engine | stock nbgrader |")
    print("|---|---|---|---|---|---|---|")
    for case in cases:
        key = (case.student, case.assignment)
        cells = [judge.get(key, ""), kernel.get(key, ""), stock.get(key, "")]
        print(f"| `{case.student}` | {case.assignment} | {case.what} | {deserves(case):g} | "
              + " | ".join(c if c != "" else "-" for c in cells) + " |")


def write_honest(case, folder, _elsewhere):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in honest.build(case, notebooks.EXERCISES).items():
        (folder / name).write_bytes(data)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, default=None, help="work in this new folder and keep it")
    parser.add_argument("--timeout", type=int, default=4)
    args = parser.parse_args(argv)
    holder = None if args.keep else tempfile.TemporaryDirectory(prefix="corpora-")
    work = args.keep or Path(holder.name)
    work.mkdir(parents=True, exist_ok=True)
    grade_corpus("adversarial", adversarial.CASES,
                 lambda case, folder, elsewhere: adversarial.write(case, folder, notebooks.EXERCISES, elsewhere),
                 deserved, work, args.timeout)
    grade_corpus("honest", honest.CASES, write_honest,
                 lambda case: sum(autograded_marks(case.assignment).values()),
                 work, args.timeout)
    if holder:
        holder.cleanup()


if __name__ == "__main__":
    main()
