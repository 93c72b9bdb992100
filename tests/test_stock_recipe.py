"""The README's stock-nbgrader recipe works as written.

The lines of the bash block after the `stock-nbgrader-recipe` marker in README.md run, one by
one, in a copy of the repository's nbgrader course (its two config files, solutions/ and
exercises/) with a correct and a wrong submission of exercise 1: every command succeeds, the
release it rewrites is the committed one, the correct notebook gets full marks and the wrong one
loses exactly the cell of the function it got wrong, the feedback exists and shows no hidden
test, and the export lists both learners.
"""

import csv
import shlex
import shutil
import subprocess

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder import notebooks
from support.grading import assert_no_hidden_tests
from support.synthetic import correct_notebook

pytestmark = pytest.mark.slow  # runs nbgrader's generate, autograde and feedback

MARKER = "<!-- stock-nbgrader-recipe"
ASSIGNMENT = "01_neuron"


def recipe_lines():
    text = (notebooks.ROOT / "README.md").read_text()
    assert text.count(MARKER) == 1, "README.md must mark exactly one stock-nbgrader recipe"
    block = text.split(MARKER, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_the_recipe_starts_with_registration_and_grades():
    verbs = [shlex.split(line)[:2] for line in recipe_lines()]
    assert verbs[0] == ["nbgrader", "generate_assignment"]
    assert ["nbgrader", "autograde"] in verbs
    assert ["nbgrader", "generate_feedback"] in verbs


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("stock")
    shutil.copy(notebooks.ROOT / "nbgrader_config.py", root)
    (root / "autograder").mkdir()
    shutil.copy(notebooks.ROOT / "autograder" / "nbgrader_config.py", root / "autograder")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(notebooks.SOLUTIONS, root / "solutions", ignore=ignore)
    shutil.copytree(notebooks.EXERCISES, root / "exercises", ignore=ignore)
    (released,) = sorted((notebooks.EXERCISES / ASSIGNMENT).glob("*.ipynb"))
    right = correct_notebook(ASSIGNMENT)
    wrong = correct_notebook(ASSIGNMENT)
    for cell in wrong.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "relu":
            cell.source = "def relu(z):\n    return z"
    for student, nb in (("right", right), ("wrong", wrong)):
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / released.name)
    runs = [subprocess.run(shlex.split(line), cwd=root, env=notebooks.nbgrader_env(),
                           capture_output=True, text=True, timeout=600)
            for line in recipe_lines()]
    return root, runs


def test_every_command_succeeds(course):
    _, runs = course
    for run in runs:
        assert run.returncode == 0, f"{run.args}: {run.stderr[-2000:]}"


def test_the_release_it_rewrites_is_the_committed_one(course):
    root, _ = course
    for path in (notebooks.EXERCISES / ASSIGNMENT).glob("*.ipynb"):
        assert notebooks.canonical(root / "exercises" / ASSIGNMENT / path.name) == notebooks.canonical(path)


def test_right_work_gets_full_marks_and_wrong_work_loses_its_cell(course):
    root, _ = course
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        cells = {sub.student.id: {g.name: (g.score, g.max_score) for nb in sub.notebooks for g in nb.grades}
                 for sub in gb.assignment_submissions(ASSIGNMENT)}
    assert set(cells) == {"right", "wrong"}
    assert all(got == most for got, most in cells["right"].values())
    lost = {name for name, (got, most) in cells["wrong"].items() if got < most}
    assert lost == {"test_relu"}


def test_feedback_exists_without_hidden_tests(course):
    root, _ = course
    pages = sorted((root / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert {p.parts[-3] for p in pages} == {"right", "wrong"}
    assert_no_hidden_tests(pages)


def test_the_export_lists_both_learners(course):
    root, _ = course
    with open(root / "nbgrader_export.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["student_id"] for r in rows} == {"right", "wrong"}
    assert not (root / "grades.csv").exists()
