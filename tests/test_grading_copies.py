"""Grading names a graded function copied from what the course hands out, and grades it as usual.

`submissions.plan` compares each graded function of a submission with the functions and code
cells of the `course` package, the lessons and the exercises' prose (autograder/copies.py, the
code the scan of tests/test_lessons_show_no_solutions.py uses). A copy gets the status
"copy of course material", naming the function and where the course hands it out, for the
instructor to judge; the submission still goes to grading (no problem set, so no zero and no
free points from the main process). The course handed out here is course/given.py as it was at
commit 863cc87 (tests/planted/leaks_863cc87.json), whose text pasted into exercise 5 scored
11/11 with status `ok`.
"""

import json
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograder import notebooks
from autograder.grading.outcomes import COPIED, status_text
from autograder.grading.submissions import Submission, plan
from support.synthetic import correct_notebook, released_notebook

ASSIGNMENT = "05_numerical_gradient"
PLANTED = json.loads((Path(__file__).resolve().parent / "planted" / "leaks_863cc87.json").read_text())
GIVEN = next(e["module"] for e in PLANTED if e["where"].startswith("course/given.py"))


def _handed_out(tmp_path):
    """A course that hands out 863cc87's course/given.py."""
    root = tmp_path / "course_handed_out"
    (root / "course").mkdir(parents=True)
    (root / "course" / "given.py").write_text(GIVEN)
    return root


def _planned(tmp_path, nb):
    folder = tmp_path / "submitted" / "ada" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}_exercise.ipynb")
    expected = sorted(p.stem for p in (notebooks.EXERCISES / ASSIGNMENT).glob("*.ipynb"))
    return plan(Submission("ada", ASSIGNMENT, folder), expected, handed_out=_handed_out(tmp_path))


def _pasted():
    """Exercise 5 with course/given.py's text pasted into every answer cell."""
    nb = nbformat.read(released_notebook(ASSIGNMENT), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = GIVEN
    return nb


def test_a_pasted_copy_of_the_course_package_is_named_in_the_status(tmp_path):
    sub = _planned(tmp_path, _pasted())
    (copied,) = [o for o in sub.outcomes if o.kind == COPIED]
    text = status_text(sub.outcomes)
    assert text.startswith("copy of course material: "), text
    for name in ("network_forward", "network_loss", "numerical_gradient"):
        assert f"{name} is course/given.py def {name} (the whole body)" in text, text
    assert "for the instructor to judge" in text
    assert sub.problem is None  # graded as usual: no zero, no points given by the main process


def test_an_honest_submission_is_not_called_a_copy(tmp_path):
    sub = _planned(tmp_path, correct_notebook(ASSIGNMENT))
    assert [o for o in sub.outcomes if o.kind == COPIED] == []
    assert status_text(sub.outcomes) == "ok"


def test_a_copy_with_other_names_is_still_a_copy(tmp_path):
    nb = nbformat.read(released_notebook(ASSIGNMENT), as_version=4)
    renamed = GIVEN.replace("params", "weights").replace("a = ", "out = ").replace("a @", "out @") \
        .replace("return a\n", "return out\n").replace("errors", "diff")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = renamed
    text = status_text(_planned(tmp_path, nb).outcomes)
    assert "network_forward is course/given.py def network_forward" in text, text


def test_a_notebook_the_comparison_cannot_read_gets_no_claim(tmp_path):
    nb = _pasted()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = "def network_forward(params, X:\n    return X\n"  # a syntax error
    sub = _planned(tmp_path, nb)
    assert [o for o in sub.outcomes if o.kind == COPIED] == []
    assert sub.problem is None
