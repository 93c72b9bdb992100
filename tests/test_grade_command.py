"""`python -m autograder grade`, run as an instructor runs it, on small classes.

Class A (judge engine, two assignments): the instructor's solution, the untouched released
notebook, a solution saved under another name, a solution whose grade cell was deleted, a
malformed notebook, a folder without its notebook, a checkpoint folder and an unknown
assignment folder. Graded with --jobs 2, then again with --jobs 1: same grades.

Class B (kernel engine): interrupted after the first submission is in the ledger, run again
(only the rest is graded), a changed submission is regraded, --force regrades everything, and
a worker process that dies costs only its own submission; a kernel killed by learner code
(`os._exit`) costs only the cell that killed it.
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from autograder import notebooks
from autograder.grading.worker import CRASH_HOOK
from support.grading import assert_no_hidden_tests, read_grades, run_grade

pytestmark = pytest.mark.slow  # runs the grade command end to end

ASSIGNMENTS = ["01_neuron", "03_loss"]


def notebook_name(assignment):
    return f"{assignment}_exercise.ipynb"


def ledger(out):
    path = out / "grading" / "ledger.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def gradebook_scores(out):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        return {(s.student.id, a): (s.score, s.max_score)
                for a in ASSIGNMENTS for s in gb.assignment_submissions(a)}


def assert_failures_shown_once(out, student, assignment):
    """A failed check in the feedback: its message once per graded cell, with none of the
    checker's source lines or file paths (CheckFailed renders through _render_traceback_)."""
    page = (out / "feedback" / student / assignment /
            notebook_name(assignment).replace(".ipynb", ".html")).read_text()
    nb = nbformat.read(solution(assignment), as_version=4)
    graded = sum(1 for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                 and c.cell_type == "code")
    assert page.count("is not written yet") == graded
    for needle in ("checking.py", "site-packages", "autograder/",
                   "_compare_leaf", "check_case"):
        assert needle not in page, needle


@pytest.fixture(scope="module")
def release():
    """The student versions: exercises/, which tests/test_notebooks.py keeps equal to a fresh
    `nbgrader generate_assignment` of solutions/ (generating them here would cost ~15 s)."""
    return notebooks.EXERCISES


def put(submitted, student, assignment, source, name=None):
    folder = submitted / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / (name or notebook_name(assignment)))
    return folder


def solution(assignment):
    return notebooks.SOLUTIONS / assignment / notebook_name(assignment)


@pytest.fixture(scope="module")
def class_a(tmp_path_factory, release):
    course = tmp_path_factory.mktemp("class_a")
    sub = course / "submitted"
    for assignment in ASSIGNMENTS:
        put(sub, "solution", assignment, solution(assignment))
        put(sub, "blank", assignment, release / assignment / notebook_name(assignment))
    # a checkpoint of the blank version beside the solution: ignored
    checkpoints = sub / "solution" / "01_neuron" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    shutil.copyfile(release / "01_neuron" / notebook_name("01_neuron"),
                    checkpoints / "01_neuron_exercise-checkpoint.ipynb")
    put(sub, "renamed", "01_neuron", solution("01_neuron"), name="01_neuron_exercise-Copy1.ipynb")
    nb = nbformat.read(solution("01_neuron"), as_version=4)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_relu"]
    folder = sub / "deleted_cell" / "01_neuron"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / notebook_name("01_neuron"))
    folder = sub / "broken" / "01_neuron"
    folder.mkdir(parents=True)
    (folder / notebook_name("01_neuron")).write_text(solution("01_neuron").read_text()[:2000])
    folder = sub / "broken" / "03_loss"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("I forgot to upload it\n")
    put(sub, "solution", "99_extra", solution("01_neuron"))
    return course


@pytest.fixture(scope="module")
def graded_a(class_a):
    """Class A graded with --jobs 2 into the course folder itself (the default --out)."""
    result = run_grade(class_a / "submitted", "--jobs", 2)
    return result, class_a


def test_class_a_grades(graded_a):
    result, out = graded_a
    assert result.returncode == 0, result.stderr[-3000:]
    rows = read_grades(out)
    expect = {
        ("solution", "01_neuron"): ("12", "12", "ok"),
        ("solution", "03_loss"): ("13", "13", "ok"),
        ("blank", "01_neuron"): ("0", "12", "not attempted: the release, unchanged"),
        ("blank", "03_loss"): ("0", "13", "not attempted: the release, unchanged"),
        ("renamed", "01_neuron"): ("12", "12", "renamed notebook: graded 01_neuron_exercise-Copy1.ipynb "
                                               "as 01_neuron_exercise.ipynb"),
        ("deleted_cell", "01_neuron"): ("12", "12", "grade cell test_relu was deleted; nbgrader restored it"),
        ("broken", "03_loss"): ("0", "13", "missing notebook: 03_loss_exercise.ipynb"),
    }
    for key, (score, max_score, status) in expect.items():
        row = rows[key]
        assert (row["score"], row["max_score"], row["status"]) == (score, max_score, status), row
    bad = rows["broken", "01_neuron"]
    assert (bad["score"], bad["max_score"]) == ("0", "12")
    assert bad["status"].startswith("unreadable notebook: 01_neuron_exercise.ipynb: not valid JSON")
    for student in ("renamed", "deleted_cell"):
        assert rows[student, "03_loss"]["status"] == "not submitted"
    assert rows["solution", "99_extra"]["status"].startswith("unknown assignment")
    assert "skipping solution/99_extra" in result.stderr
    assert list(rows)[0] == ("blank", "01_neuron")  # sorted by student, then assignment
    with open(out / "grades.csv", newline="") as fh:
        assert next(csv.reader(fh)) == ["student", "assignment", "score", "max_score", "status",  # as ever
                                        "submitted_at", "late_by_seconds", "penalty", "score_before_penalty"]


def test_class_a_progress_and_summary(graded_a):
    result, out = graded_a
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 8  # every submission with a folder, once
    assert progress[-1].startswith("[8/8]")
    table = result.stdout
    assert "01_neuron" in table and "03_loss" in table and "mean / max" in table
    assert "unreadable notebook" in table and "missing notebook" in table
    # one column per kind of outcome: the deleted grade cell is a "restored cell", however its
    # status reads ("grade cell test_relu was deleted; nbgrader restored it")
    head = table.splitlines()[0]
    assert "restored cell" in head and "deleted" not in head and "nbgrader restored it" not in head, table
    summary = {r["student"]: r for r in csv.DictReader(open(out / "summary.csv", newline=""))}
    assert summary["solution"]["total"] == "25" and summary["solution"]["max_total"] == "25"
    page = (out / "summary" / "blank.md").read_text()
    assert "test_sigmoid" in page and "feedback/blank/01_neuron/01_neuron_exercise.html" in page


def test_class_a_gradebook_matches_grades_csv(graded_a):
    _, out = graded_a
    rows = read_grades(out)
    scores = gradebook_scores(out)
    assert set(scores) == {k for k, r in rows.items() if r["status"] != "not submitted"
                           and not r["status"].startswith("unknown")}
    for key, (score, max_score) in scores.items():
        assert (float(rows[key]["score"]), float(rows[key]["max_score"])) == (score, max_score), key
    assert not list(out.glob("gradebook.worker-*.db"))  # worker copies are cleaned up


def test_class_a_nbgrader_layout_and_feedback(graded_a):
    _, out = graded_a
    for student, assignment in [("solution", "01_neuron"), ("solution", "03_loss"), ("blank", "01_neuron"),
                                ("renamed", "01_neuron"), ("deleted_cell", "01_neuron")]:
        name = notebook_name(assignment)
        assert (out / "autograded" / student / assignment / name).is_file()
        assert (out / "feedback" / student / assignment / name.replace(".ipynb", ".html")).is_file()
    assert not (out / "feedback" / "broken").exists()
    assert_no_hidden_tests((out / "feedback").rglob("*.html"))
    assert_failures_shown_once(out, "blank", "01_neuron")
    # the hidden tests did run: they are in the autograded (instructor-side) notebook
    assert "BEGIN HIDDEN TESTS" in (out / "autograded" / "blank" / "01_neuron" /
                                    notebook_name("01_neuron")).read_text()


def test_jobs_1_gives_the_same_grades_as_jobs_2(graded_a, tmp_path):
    _, course = graded_a
    result = run_grade(course, "--jobs", 1, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    assert read_grades(tmp_path / "out") == read_grades(course)
    assert gradebook_scores(tmp_path / "out") == gradebook_scores(course)


# ------------------------------------------------------------------ class B: resume

def test_interrupted_run_resumes_and_force_regrades(release, tmp_path):
    sub = tmp_path / "submitted"
    put(sub, "blank", "01_neuron", release / "01_neuron" / notebook_name("01_neuron"))
    put(sub, "solution", "01_neuron", solution("01_neuron"))
    put(sub, "solution", "03_loss", solution("03_loss"))
    out = tmp_path / "out"
    common = ["--engine", "kernel", "--jobs", 1, "--out", out]

    # 1. interrupted (the whole process group killed) once the first submission is in the ledger
    cmd = [sys.executable, "-m", "autograder", "grade", sub, *map(str, common)]
    proc = subprocess.Popen(cmd, cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while not ledger(out) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = ledger(out)
    assert 1 <= len(first) < 3, first
    first_scores = gradebook_scores(out)

    # 2. run again: only the rest is graded, the first grades are untouched
    result = run_grade(sub, *common)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{len(first)} already graded (ledger), {3 - len(first)} to grade" in result.stderr
    graded_now = [line.split()[2] for line in result.stderr.splitlines() if line.startswith("[")]
    assert sorted(graded_now) == sorted({"blank/01_neuron", "solution/01_neuron", "solution/03_loss"}
                                        - {f"{e['student']}/{e['assignment']}" for e in first})
    assert ledger(out)[:len(first)] == first
    assert_failures_shown_once(out, "blank", "01_neuron")  # the kernel engine's feedback too
    scores = gradebook_scores(out)
    assert {k: scores[k] for k in first_scores} == first_scores
    assert scores == {("blank", "01_neuron"): (0, 12), ("solution", "01_neuron"): (12, 12),
                      ("solution", "03_loss"): (13, 13)}
    # kernel tracebacks quote the hidden lines; the feedback must not
    assert_no_hidden_tests((out / "feedback").rglob("*.html"))

    # 3. nothing changed: nothing graded; a changed submission: only it is regraded
    put(sub, "blank", "01_neuron", solution("01_neuron"))
    result = run_grade(sub, *common)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 already graded (ledger), 1 to grade" in result.stderr
    assert read_grades(out)["blank", "01_neuron"]["score"] == "12"

    # 4. --force regrades everything; a worker that dies costs only its own submission
    result = run_grade(sub, *common, "--force", env={CRASH_HOOK: "blank/01_neuron"})
    assert result.returncode == 1, result.stderr[-3000:]
    assert "0 already graded (ledger), 3 to grade" in result.stderr
    rows = read_grades(out)
    assert rows["blank", "01_neuron"]["status"].startswith(
        "grader error: the worker process grading it died (exit code 70)")
    assert rows["blank", "01_neuron"]["score"] == ""
    assert (rows["solution", "01_neuron"]["score"], rows["solution", "03_loss"]["score"]) == ("12", "13")
    assert rows["solution", "01_neuron"]["status"] == "ok"


def test_kernel_engine_survives_a_kernel_that_dies(release, tmp_path):
    """--engine kernel: a cell calling os._exit costs that cell only (a fresh kernel replays the
    cells before it); a notebook that kills its kernel again and again gets no points for the
    graded cells it stopped from running."""
    from support.synthetic import correct_notebook

    sub = tmp_path / "submitted"
    once = correct_notebook("01_neuron", release)
    index = next(i for i, c in enumerate(once.cells) if "test_" in c.metadata.get("nbgrader", {}).get("grade_id", ""))
    once.cells.insert(index, nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    (sub / "once" / "01_neuron").mkdir(parents=True)
    nbformat.write(once, sub / "once" / "01_neuron" / notebook_name("01_neuron"))
    often = correct_notebook("01_neuron", release)
    for _ in range(6):
        often.cells.insert(index, nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    (sub / "often" / "01_neuron").mkdir(parents=True)
    nbformat.write(often, sub / "often" / "01_neuron" / notebook_name("01_neuron"))

    out = tmp_path / "out"
    result = run_grade(sub, "--engine", "kernel", "--jobs", 2, "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = read_grades(out)
    assert rows["once", "01_neuron"]["score"] == "12", rows["once", "01_neuron"]
    assert f"cell {index} killed the kernel" in rows["once", "01_neuron"]["status"]
    assert rows["often", "01_neuron"]["score"] == "0", rows["often", "01_neuron"]
    assert "not run: the kernel died too often" in rows["often", "01_neuron"]["status"]
    # the summary table counts a dying kernel as a crash, not as a kind named after the sentence
    head = result.stdout.splitlines()[0].split()
    assert "crashed" in head and "cell" not in head, result.stdout


@pytest.mark.parametrize("engine", ["judge", "kernel"])
def test_a_named_mistake_reaches_the_reports(release, tmp_path, engine):
    """A failed check that matches a catalogued mistake is named in grades.csv's status, on the
    learner's summary page next to the points it lost, and in the summary table, by either engine."""
    from support.synthetic import correct_notebook

    nb = correct_notebook("01_neuron", release)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid")
    cell.source = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))"
    (tmp_path / "submitted" / "signs" / "01_neuron").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "submitted" / "signs" / "01_neuron" / notebook_name("01_neuron"))
    out = tmp_path / "out"
    result = run_grade(tmp_path / "submitted", "--engine", engine, "--jobs", 1, "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]
    row = read_grades(out)["signs", "01_neuron"]
    assert row["status"] == "sigmoid: known mistake: sign flip in the exponent", row
    page = (out / "summary" / "signs.md").read_text()
    assert "`test_sigmoid`: 0 / 1 (known mistake: sign flip in the exponent)" in page, page
    assert "01_neuron sigmoid: sign flip in the exponent (1)" in result.stdout, result.stdout
