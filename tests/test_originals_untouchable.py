"""No engine lets one learner's code change the class's files while the class is graded.

A small class (two correct classmates and one learner whose answer cell rewrites every
classmate's answer cells in submitted/ and autograded/, plants files, and deletes the gradebook,
the ledger, the reports and the feedback pages: tests/adversarial/corpus.py, REWRITER) is graded
into its own course folder by the real grade command, under the judge and the kernel engine.
Then only the attacker's submission changes and the class is graded again, so that it runs while
the classmates' autograded notebooks and feedback pages exist. After each run: the originals in
submitted/ are byte for byte what was handed in, nothing was planted, the classmates keep full
marks with status ok, and the second run left their autograded notebooks, feedback pages and
ledger lines as the first run wrote them.

And a submission whose files change while it is graded is not graded silently.
"""

import json
import subprocess
import sys
import time

import pytest

from adversarial.corpus import CASES, REWRITER, full_marks, write
from autograder import notebooks
from notebook_edits import append
from support.grading import read_grades, run_grade
from support.synthetic import correct_notebook

pytestmark = pytest.mark.slow  # runs the grade command end to end, twice per engine

ASSIGNMENT = "01_neuron"
CLASSMATES = ("control_1", "control_2")
NOTEBOOK = f"{ASSIGNMENT}_exercise.ipynb"


def files(folder):
    """{relative path: bytes} of every file under folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def ledger_lines(out, student):
    path = out / "grading" / "ledger.jsonl"
    return [line for line in path.read_text().splitlines()
            if line.strip() and json.loads(line)["student"] == student]


@pytest.fixture(scope="module", params=["judge", "kernel"])
def graded_twice(request, tmp_path_factory):
    engine = request.param
    course = tmp_path_factory.mktemp(f"hostile_{engine}")
    submitted = course / "submitted"
    (attack,) = [c for c in CASES if c.student == REWRITER]
    write(attack, submitted / REWRITER / ASSIGNMENT, notebooks.EXERCISES, course)
    for student in CLASSMATES:
        folder = submitted / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / NOTEBOOK).write_text(json.dumps(correct_notebook(ASSIGNMENT), indent=1))
    (submitted / CLASSMATES[0] / ASSIGNMENT / "data.csv").write_text("x,y\n1,2\n")  # a file beside it
    handed_in = files(submitted)
    first = run_grade(course, "--jobs", 1, "--engine", engine, check=True, timeout=900)
    after_first = {"submitted": files(submitted), "grades": read_grades(course),
                   "classmates": {s: (files(course / "autograded" / s), files(course / "feedback" / s),
                                      ledger_lines(course, s)) for s in CLASSMATES}}
    # only the attacker's submission changes: it alone is graded again, beside the classmates' results
    (submitted / REWRITER / ASSIGNMENT / "notes.txt").write_text("second try\n")
    handed_in_again = files(submitted)
    second = run_grade(course, "--jobs", 1, "--engine", engine, check=True, timeout=900)
    return dict(engine=engine, course=course, handed_in=handed_in, first=first, after_first=after_first,
                handed_in_again=handed_in_again, second=second)


def test_the_originals_are_byte_for_byte_what_was_handed_in(graded_twice):
    assert graded_twice["after_first"]["submitted"] == graded_twice["handed_in"]
    assert files(graded_twice["course"] / "submitted") == graded_twice["handed_in_again"]


def test_nothing_is_planted_or_deleted(graded_twice):
    course = graded_twice["course"]
    assert not list(course.rglob("planted.txt"))
    for name in ("gradebook.db", "grading/ledger.jsonl", "grades.csv", "summary.csv"):
        assert (course / name).is_file(), name
    for student in (*CLASSMATES, REWRITER):
        assert (course / "feedback" / student / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).is_file()


def test_every_learner_keeps_full_marks(graded_twice):
    full = sum(full_marks(ASSIGNMENT, notebooks.EXERCISES).values())
    for run in ("first", "second"):
        grades = read_grades(graded_twice["course"]) if run == "second" else graded_twice["after_first"]["grades"]
        for student in (*CLASSMATES, REWRITER):
            row = grades[student, ASSIGNMENT]
            assert float(row["score"]) == full, (run, row)
        for student in CLASSMATES:
            assert grades[student, ASSIGNMENT]["status"] == "ok", (run, grades[student, ASSIGNMENT])


def test_the_classmates_results_are_left_as_written(graded_twice):
    course = graded_twice["course"]
    assert "1 already graded" not in graded_twice["second"].stderr
    assert f"{len(CLASSMATES)} already graded" in graded_twice["second"].stderr, graded_twice["second"].stderr
    for student in CLASSMATES:
        now = (files(course / "autograded" / student), files(course / "feedback" / student),
               ledger_lines(course, student))
        assert now == graded_twice["after_first"]["classmates"][student], student


def test_the_run_says_what_protects_the_originals(graded_twice):
    for run in (graded_twice["first"], graded_twice["second"]):
        head = "\n".join(run.stderr.splitlines()[:4])
        assert "Landlock" in head and "out of its reach" in head, head


def test_a_submission_changed_while_graded_is_not_graded_silently(tmp_path):
    """The run records each submission's digests when it plans and checks them before it writes a
    grade: a notebook replaced while it is graded (here: once the worker has copied it, while its
    answer cell sleeps) gets no grade, no ledger line and no feedback; its status names the file;
    the next run grades it as it is then."""
    course = tmp_path / "course"
    for student in ("changes_midway", "control_1"):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nb = correct_notebook(ASSIGNMENT)
        if student == "changes_midway":
            append("weighted_sum", "import time\ntime.sleep(8)")(nb)
        (folder / NOTEBOOK).write_text(json.dumps(nb, indent=1))
    original = course / "submitted" / "changes_midway" / ASSIGNMENT / NOTEBOOK
    run = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(course), "--jobs", "1"],
                           cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 600
        while not list((course / "grading" / "staging").glob(f"w*/changes_midway/{ASSIGNMENT}")):
            assert run.poll() is None and time.monotonic() < deadline, "the submission was never staged"
            time.sleep(0.02)
        original.write_text(original.read_text() + "\n")  # handed in again, mid-run
        stdout, stderr = run.communicate(timeout=600)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 1, stdout + stderr
    rows = read_grades(course)
    row = rows["changes_midway", ASSIGNMENT]
    assert row["score"] == "" and "changed while graded" in row["status"], row
    assert f"{NOTEBOOK} changed" in row["status"] and "the next run grades" in row["status"], row
    assert not ledger_lines(course, "changes_midway")
    assert not (course / "feedback" / "changes_midway").exists() or not any(
        (course / "feedback" / "changes_midway").rglob("*.html"))
    full = sum(full_marks(ASSIGNMENT, notebooks.EXERCISES).values())
    assert float(rows["control_1", ASSIGNMENT]["score"]) == full and rows["control_1", ASSIGNMENT]["status"] == "ok"

    again = run_grade(course, "--jobs", 1, check=True, timeout=900)
    assert "1 already graded" in again.stderr, again.stderr
    row = read_grades(course)["changes_midway", ASSIGNMENT]
    assert float(row["score"]) == full and row["status"] == "ok", row
    assert len(ledger_lines(course, "changes_midway")) == 1
