"""nbgrader's own entry points, run in the course folder the grade command writes, are safe:
its nbgrader_config.py (a marked block the command keeps, beside the instructor's own settings)
makes Generate Feedback (the formgrader's button, `nbgrader generate_feedback`) hide the hidden
tests, `nbgrader export` leave grades.csv alone, and the stock Autograde (the formgrader's
button, `nbgrader autograde`) refuse with the command to run instead, deleting nothing."""

import csv
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograder import notebooks
from autograder.grading import course_folder
from support.grading import assert_no_hidden_tests, read_grades, run_grade
from support.lab_server import free_port, serving
from support.synthetic import correct_notebook

ASSIGNMENT, NOTEBOOK = "01_neuron", "01_neuron_exercise"
INSTRUCTOR = ('c = get_config()\n'
              'c.LateSubmissionPlugin.penalty_method = "zero"\n'
              'c.FileNameCollectorPlugin.named_regexp = r".*_(?P<student_id>\\w+)_attempt_.*"\n'
              'c.CsvExportPlugin.to = "grades.csv"\n')
TOKEN = "formgrader-test-token"


@pytest.fixture
def nbgrader_entry_points():
    """nbgrader's stock Autograde entry points, put back after the test (loading a course
    folder's config switches them off in the process that loads it)."""
    from nbgrader.apps import api, autogradeapp

    saved = api.NbGraderAPI.autograde, autogradeapp.AutogradeApp.start
    yield api, autogradeapp
    api.NbGraderAPI.autograde, autogradeapp.AutogradeApp.start = saved


def load(folder):
    return PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()


def preprocessor_names(cfg):
    return [p if isinstance(p, str) else p.__name__ for p in cfg.GenerateFeedback.preprocessors]


def test_a_new_course_folder_gets_the_course_settings(tmp_path, nbgrader_entry_points):
    course_folder.ensure(tmp_path, "backprop-by-hand")
    cfg = load(tmp_path)
    assert cfg.CourseDirectory.course_id == "backprop-by-hand"
    assert "HideHiddenTests" in preprocessor_names(cfg)
    assert cfg.CsvExportPlugin.to == "nbgrader_export.csv"
    assert "db_url" not in cfg.CourseDirectory  # its gradebook.db, nbgrader's default


def test_the_instructors_own_config_is_kept_and_the_block_written_once(tmp_path, nbgrader_entry_points):
    path = tmp_path / "nbgrader_config.py"
    path.write_text(INSTRUCTOR)
    course_folder.ensure(tmp_path, "backprop-by-hand")
    path.write_text(path.read_text() + "c.ZipCollectApp.archive_directory = 'archive'\n")  # added later, below
    course_folder.ensure(tmp_path, "backprop-by-hand", db="postgresql+psycopg2://grader@db/course",
                         regrade="python -m autograder grade /class/submitted --out /class")
    course_folder.ensure(tmp_path, "backprop-by-hand", db="postgresql+psycopg2://grader@db/course",
                         regrade="python -m autograder grade /class/submitted --out /class")
    text = path.read_text()
    assert text.startswith(INSTRUCTOR) and text.count(course_folder.BEGIN) == 1
    assert text.endswith("c.ZipCollectApp.archive_directory = 'archive'\n")
    cfg = load(tmp_path)
    assert cfg.LateSubmissionPlugin.penalty_method == "zero"
    assert cfg.FileNameCollectorPlugin.named_regexp == r".*_(?P<student_id>\w+)_attempt_.*"
    assert cfg.ZipCollectApp.archive_directory == "archive"
    assert cfg.CsvExportPlugin.to == "nbgrader_export.csv"  # never the command's grades.csv
    assert cfg.CourseDirectory.db_url == "postgresql+psycopg2://grader@db/course"
    assert "HideHiddenTests" in preprocessor_names(cfg)
    # the stock Autograde, in this process, now refuses with the command to run
    api, _ = nbgrader_entry_points
    answer = api.NbGraderAPI.autograde(type("API", (), {"log": __import__("logging").getLogger()})(),
                                       ASSIGNMENT, "ada")
    assert answer["success"] is False
    assert "python -m autograder grade /class/submitted --out /class" in answer["error"]


def test_a_block_missing_its_last_line_stops_the_command_and_loses_nothing(tmp_path):
    """An instructor who deleted the block's END line: the command refuses rather than append a
    second block (which the next run would have replaced together with the instructor's lines)."""
    path = tmp_path / "nbgrader_config.py"
    course_folder.ensure(tmp_path, "backprop-by-hand")
    cut = path.read_text().replace(course_folder.END + "\n", "") + 'c.LateSubmissionPlugin.penalty_method = "zero"\n'
    path.write_text(cut)
    with pytest.raises(SystemExit, match="copies of the line"):
        course_folder.ensure(tmp_path, "backprop-by-hand")
    assert path.read_text() == cut


def test_an_export_file_of_the_instructors_choosing_is_kept(tmp_path, nbgrader_entry_points):
    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CsvExportPlugin.to = "for_the_lms.csv"\n')
    course_folder.ensure(tmp_path, "backprop-by-hand")
    assert load(tmp_path).CsvExportPlugin.to == "for_the_lms.csv"


# ------------------------------------------------------------------ end to end

def nbgrader(course, *args):
    return subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=course, capture_output=True,
                          text=True, env=notebooks.nbgrader_env(), timeout=300)


def post(url):
    request = urllib.request.Request(url, data=b"", method="POST", headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def assert_feedback_without_hidden_tests(course, students):
    """One feedback page for each of the students, none showing a hidden test."""
    pages = sorted((course / "feedback").rglob("*.html"))
    assert sorted(p.parent.parent.name for p in pages) == sorted(students)
    assert_no_hidden_tests(pages)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of two graded in a course folder that has the instructor's own nbgrader_config.py:
    ada's notebook correct, bob's renamed (graded by the command, not by stock nbgrader)."""
    course = tmp_path_factory.mktemp("formgrader")
    (course / "nbgrader_config.py").write_text(INSTRUCTOR)
    for student, name in (("ada", NOTEBOOK), ("bob", f"{NOTEBOOK}-Copy1")):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(correct_notebook(ASSIGNMENT), folder / f"{name}.ipynb")
    for _ in range(2):  # a second run must not add a second block
        run_grade(course / "submitted", "--jobs", 1, check=True)
    return course


def autograded(course):
    return {p.relative_to(course): p.read_bytes() for p in sorted((course / "autograded").rglob("*.ipynb"))}


@pytest.mark.slow
def test_nbgraders_command_line_in_the_course_folder(graded):
    course = graded
    text = (course / "nbgrader_config.py").read_text()
    assert text.startswith(INSTRUCTOR) and text.count(course_folder.BEGIN) == 1
    assert {key: r["score"] for key, r in read_grades(course).items()} == {("ada", ASSIGNMENT): "12",
                                                                          ("bob", ASSIGNMENT): "12"}
    before = autograded(course)
    # there are hidden tests to hide: the autograded (instructor-side) notebooks hold them
    assert all(b"BEGIN HIDDEN TESTS" in data for data in before.values()) and len(before) == 2

    grades_csv = (course / "grades.csv").read_bytes()
    run = nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    assert run.returncode == 0, run.stderr[-3000:]
    assert_feedback_without_hidden_tests(course, ["ada", "bob"])

    run = nbgrader(course, "export")
    assert run.returncode == 0, run.stderr[-3000:]
    assert (course / "grades.csv").read_bytes() == grades_csv
    with open(course / "nbgrader_export.csv", newline="") as fh:
        assert sorted(r["student_id"] for r in csv.DictReader(fh)) == ["ada", "bob"]

    run = nbgrader(course, "autograde", ASSIGNMENT, "--force")
    assert run.returncode == 1
    assert "python -m autograder grade" in run.stderr and "switched off" in run.stderr
    assert autograded(course) == before


@pytest.mark.slow
def test_the_formgraders_buttons_in_the_course_folder(graded, tmp_path):
    """The real formgrader (Jupyter server started in the course folder, as an instructor does)."""
    course = graded
    before = autograded(course)
    port = free_port()
    command = [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser", "--allow-root",
               "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={TOKEN}"]
    with serving(command, port, TOKEN, tmp_path / "server.log", cwd=course, env=notebooks.nbgrader_env()) as base:
        for student in ("ada", "bob"):
            answer = post(f"{base}/formgrader/api/submission/{ASSIGNMENT}/{student}/autograde")
            assert answer["success"] is False and "python -m autograder grade" in answer["error"], answer
        assert autograded(course) == before  # nothing deleted, nothing regraded
        pages = {}
        for page in sorted((course / "feedback").rglob("*.html")):
            pages[page] = page.read_text()
            page.unlink()
        answer = post(f"{base}/formgrader/api/assignment/{ASSIGNMENT}/generate_feedback")
        assert answer["success"] is True, answer
    assert_feedback_without_hidden_tests(course, ["ada", "bob"])
    # the course's own page (its template, the named mistakes), as the grade command made it
    assert {page: page.read_text() for page in pages} == pages


@pytest.mark.slow
def test_a_deleted_autograded_copy_is_graded_again(graded):
    """What stock Autograde did to a renamed notebook (deleted its autograded copy, kept the
    gradebook's score) no longer leaves the next grade run skipping it: it is graded again."""
    import shutil

    course = graded
    shutil.rmtree(course / "autograded" / "bob")
    run = run_grade(course / "submitted", "--jobs", 1, check=True)
    assert "1 already graded (ledger), 1 to grade" in run.stderr
    assert (course / "autograded" / "bob" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
