"""End to end through nbgrader: generate, submit, autograde, read the gradebook.

For every assignment the instructor's solution earns full marks and the
untouched student version earns zero. For exercise 1, known-wrong
submissions (one catalogued mistake each) and a learner who edits a test
cell lose exactly the points of the affected cell.
"""

import nbformat
import pytest

from autograder import notebooks
from support.scratch_course import ScratchCourse
from support.synthetic import written_answers

pytestmark = pytest.mark.slow  # runs nbgrader's generate and autograde on a course

ASSIGNMENTS = notebooks.assignments()


def _with_solution_cell(source_nb, grade_id, new_source, out_path):
    """Copy a notebook, replacing the source of the cell with nbgrader id grade_id."""
    nb = nbformat.read(source_nb, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    cell.source = new_source
    nbformat.write(nb, out_path)
    return out_path


# (student, solution cell id, replacement code, grade cell that must lose its points)
MUTANTS_01 = [
    ("sigmoid_sign", "sigmoid", "def sigmoid(z):\n    return 1 / (1 + np.exp(z))", "test_sigmoid"),
    ("sigprime_missing_factor", "sigmoid_prime",
     "def sigmoid_prime(z):\n    return sigmoid(z)", "test_sigmoid_prime"),
    ("relu_identity", "relu", "def relu(z):\n    return z", "test_relu"),
    ("relu_prime_kink", "relu_prime",
     "def relu_prime(z):\n    return (z >= 0).astype(float)", "test_relu_prime"),
    ("neuron_no_activation", "neuron",
     "def neuron(X, w, b, activation):\n    return X @ w + b", "test_neuron"),
]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    scratch = ScratchCourse(root)
    work = tmp_path_factory.mktemp("subs")
    for assignment in ASSIGNMENTS:
        (solution,) = sorted((notebooks.SOLUTIONS / assignment).glob("*.ipynb"))
        scratch.submit("solution", assignment, solution)
        scratch.submit("blank", assignment, scratch.released_notebook(assignment))
    solution_01 = next((notebooks.SOLUTIONS / "01_neuron").glob("*.ipynb"))
    for student, cell_id, code, _ in MUTANTS_01:
        path = _with_solution_cell(solution_01, cell_id, code, work / f"{student}.ipynb")
        scratch.submit(student, "01_neuron", path)
    # A learner who replaces a check cell with `pass`: nbgrader restores it from the gradebook.
    edited = _with_solution_cell(solution_01, "test_relu", "pass", work / "edited.ipynb")
    edited = _with_solution_cell(edited, "relu", "def relu(z):\n    return z", edited)
    scratch.submit("edited_test", "01_neuron", edited)
    for assignment in ASSIGNMENTS:
        result = scratch.autograde(assignment)
        assert result.returncode == 0, result.stderr
    return scratch


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_full_marks(course, assignment):
    """Full marks on every autograded cell; a written answer (exercise 9's explanation) waits
    for the instructor: no automatic score, flagged for manual grading."""
    score, max_score = course.scores(assignment)["solution"]
    written = written_answers(assignment)
    assert max_score > 0
    assert score == max_score - sum(written.values()), course.cell_scores(assignment, "solution")
    assert course.needs_manual_grade(assignment, "solution") == set(written)


def test_exercise_9_has_a_written_answer():
    assert written_answers("09_chain_rule") == {"explanation": 3}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_student_version_gets_zero(course, assignment):
    score, max_score = course.scores(assignment)["blank"]
    assert max_score > 0 and score == 0, course.cell_scores(assignment, "blank")


@pytest.mark.parametrize("student,cell_id,code,lost_cell", MUTANTS_01, ids=[m[0] for m in MUTANTS_01])
def test_mutant_loses_exactly_its_cell(course, student, cell_id, code, lost_cell):
    cells = course.cell_scores("01_neuron", student)
    lost = {name for name, (score, max_score) in cells.items() if score < max_score}
    assert lost == {lost_cell}, cells


def test_edited_check_cell_is_restored_and_still_fails(course):
    cells = course.cell_scores("01_neuron", "edited_test")
    lost = {name for name, (score, max_score) in cells.items() if score < max_score}
    assert lost == {"test_relu"}, cells
