"""Each graded function is written once: the solution notebooks' answers are generated from
autograder/reference/, and the drift check fails when an answer cell, its parameters or its
notebook's names no longer fit the reference."""

import shutil

import nbformat
import pytest

from autograder import single_source
from autograder.notebooks import SOLUTIONS
from autograder.reference import neuron
from autograder.specs import all_specs


def test_every_answer_cell_is_its_reference():
    assert single_source.problems() == []


def test_every_graded_function_has_one_answer_cell():
    for assignment, graded in all_specs().items():
        (path,) = (SOLUTIONS / assignment).glob("*.ipynb")
        cells = single_source.answer_cells(nbformat.read(path, as_version=4), graded)
        assert graded and sorted(cells) == sorted(graded), assignment
    assert len(all_specs()) == 10


@pytest.fixture
def course(tmp_path):
    """A scratch copy of two solution folders: (its solutions dir, a function to edit a cell)."""
    for assignment in ("01_neuron", "02_layers"):
        shutil.copytree(SOLUTIONS / assignment, tmp_path / assignment)

    def edit(assignment, needle, old, new):
        (path,) = (tmp_path / assignment).glob("*.ipynb")
        nb = nbformat.read(path, as_version=4)
        (cell,) = [c for c in nb.cells if c.cell_type == "code" and needle in c.source]
        assert old in cell.source
        cell.source = cell.source.replace(old, new)
        nbformat.write(nb, path)
        return path

    return tmp_path, edit


def _cell(path, needle):
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and needle in c.source]
    return cell.source


def test_the_scratch_copy_has_no_drift(course):
    root, _ = course
    assert single_source.problems(["01_neuron", "02_layers"], root) == []


def test_drift_fails_on_an_edited_solution(course):
    root, edit = course
    edit("01_neuron", "def sigmoid(", "1.0 / (1.0 + e)", "1 / (1 + e)")
    found = single_source.problems(["01_neuron"], root)
    assert len(found) == 1
    assert "sigmoid's solution differs from autograder/reference/neuron.py" in found[0]


def test_drift_fails_on_a_changed_signature(course):
    root, edit = course
    edit("01_neuron", "def relu(", "def relu(z):", "def relu(x):")
    found = single_source.problems(["01_neuron"], root)
    assert any("relu(x) but the reference" in p and "takes (z)" in p for p in found), found


def test_drift_fails_when_the_notebook_lacks_a_name_the_reference_uses(course):
    root, edit = course
    edit("02_layers", "VisibleChecks(", "from course.given import sigmoid   # exercise 1's sigmoid, given to you\n", "")
    found = single_source.problems(["02_layers"], root)
    assert any("two_layer_forward's reference body" in p and "uses sigmoid" in p for p in found), found
    with pytest.raises(ValueError, match="uses sigmoid"):
        single_source.write(["02_layers"], root)


def test_an_answer_may_use_only_earlier_answers(course):
    root, edit = course
    # move sigmoid_prime's cell above sigmoid's: its body calls sigmoid before the notebook has it
    (path,) = (root / "01_neuron").glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    cells = single_source.answer_cells(nb, all_specs()["01_neuron"])
    first, later = cells["sigmoid"].index, cells["sigmoid_prime"].index
    nb.cells[first], nb.cells[later] = nb.cells[later], nb.cells[first]
    nbformat.write(nb, path)
    found = single_source.problems(["01_neuron"], root)
    assert any("sigmoid_prime's reference body" in p and "uses sigmoid" in p for p in found), found


def test_generation_writes_the_reference_body_and_keeps_the_learner_text(course):
    root, edit = course
    original = _cell(next((SOLUTIONS / "01_neuron").glob("*.ipynb")), "def sigmoid(")
    path = edit("01_neuron", "def sigmoid(", "    e = np.exp(-np.abs(z))\n", "    e = np.exp(-abs(z))  # mine\n")
    edit("01_neuron", "def sigmoid(", '"""1 / (1 + e^-z)', '"""The logistic curve, 1 / (1 + e^-z)')
    assert single_source.write(["01_neuron"], root) == [(path, ["sigmoid"])]
    written = _cell(path, "def sigmoid(")
    assert written == original.replace('"""1 / (1 + e^-z)', '"""The logistic curve, 1 / (1 + e^-z)')
    assert single_source.write(["01_neuron"], root) == []
    assert single_source.problems(["01_neuron"], root) == []


def test_reference_body_leaves_out_the_docstring_and_keeps_comments():
    def example(x):
        """A docstring the notebook does not take."""
        # a comment the solution shows
        y = x + 1

        return [y,
                y]

    assert single_source.reference_body(example) == (
        "# a comment the solution shows\ny = x + 1\n\nreturn [y,\n        y]")
    assert single_source.reference_body(neuron.relu) == "return np.maximum(z, 0.0)"


def test_with_body_indents_like_the_markers():
    cell = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    raise NotImplementedError\n    ### END SOLUTION'
    assert single_source.with_body(cell, "y = x\n\nfor i in y:\n    pass") == (
        'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    y = x\n\n    for i in y:\n        pass\n'
        "    ### END SOLUTION")
    with pytest.raises(ValueError):
        single_source.with_body("def f(x):\n    return x", "return x")


def test_free_names_see_through_lambdas_and_comprehensions():
    body = ("g = {k: f(v) for k, v in d.items()}\n"
            "total = sum(w for w in g.values())\n"
            "return lambda p: h(p, g, total, np)")
    assert single_source.free_names(body, ["d"]) == {"f", "h", "sum", "np"}
