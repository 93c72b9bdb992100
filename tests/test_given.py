"""course.given: the tools later lessons and exercises use (activations and their slopes, a
sigmoid network's forward pass, loss and numerical gradient) agree with the reference, yet are
built another way than the exercises that grade them (no copy of an answer, and a numerical
gradient that only takes stacks of networks, so it answers nothing exercise 5 asks); and nothing
a learner opens (a lesson's code, a released exercise) imports the grader's package."""

import ast
import inspect
import json
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from autograder.reference import neuron as reference
from autograder.reference import numerical_gradient as network_reference
from course import given
from course.gradcheck import H

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime")
NETWORK_NAMES = ("network_forward", "network_loss", "numerical_gradient")

RNG = np.random.default_rng(14)
ARRAYS = {
    "ordinary": np.array([-2.0, -0.5, 0.0, 0.21, 1.0, 3.0]),
    "large |z|": np.array([-1e308, -1e4, -1000.0, -710.0, -40.0, 40.0, 710.0, 1000.0, 1e4, 1e308]),
    "zeros": np.zeros(5),
    "signed zeros and tiny": np.array([-0.0, 0.0, -1e-300, 1e-300, -5e-324, 5e-324]),
    "infinities": np.array([-np.inf, np.inf]),
    "matrix": RNG.normal(size=(4, 3)) * 5,
    "3-d": RNG.normal(size=(2, 3, 4)) * 20,
    "column": RNG.normal(size=(6, 1)),
    "zero rows": np.zeros((0, 3)),
    "empty": np.zeros(0),
    "0-d": np.array(-1.5),
    "0-d zero": np.array(0.0),
}
SCALARS = (-1000.0, -3.0, -1e-12, 0.0, 0.21, 1.0, 709.0, 1000.0)


def quiet(fn, z):
    """fn(z), failing the test if numpy warns (an overflow, an invalid value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(z)


def test_given_has_exactly_the_functions_it_documents():
    assert tuple(given.__all__) == NAMES + NETWORK_NAMES
    for name in given.__all__:
        fn = getattr(given, name)
        assert fn.__module__ == "course.given", f"{name} must be written in course/given.py"
        assert fn is not getattr(reference, name, None) and fn is not getattr(network_reference, name, None)
        assert "->" in fn.__doc__ or "Returns" in fn.__doc__, f"{name}'s docstring must say what it returns"
        assert "shape" in fn.__doc__ or "(n, " in fn.__doc__, f"{name}'s docstring must give shapes"
        assert name in given.__doc__, f"the module's docstring must list {name}"


def test_given_does_not_import_the_grader():
    tree = ast.parse((ROOT / "course" / "given.py").read_text())
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names]
    imported += [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert set(imported) == {"numpy", "course.gradcheck"}


def _normalised_body(fn):
    """fn's body without its docstring, every name and argument replaced by its order of first
    appearance: two bodies that differ only in names give the same text."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
    body = tree.body[1:] if isinstance(tree.body[0], ast.Expr) else tree.body
    seen = {}

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node):
            return ast.copy_location(ast.Name(id=seen.setdefault(node.id, f"v{len(seen)}"), ctx=node.ctx), node)

        def visit_arg(self, node):
            node.arg = seen.setdefault(node.arg, f"v{len(seen)}")
            return node

    return [ast.dump(Rename().visit(statement)) for statement in body]


def test_given_is_written_anew_not_copied_from_the_answers():
    from autograder.specs import all_specs

    for name in given.__all__:
        answers = [graded[name].reference for graded in all_specs().values() if name in graded]
        assert answers, f"{name} is given but no exercise grades it"
        for answer in answers:
            assert _normalised_body(getattr(given, name)) != _normalised_body(answer), name


def test_the_normalised_comparison_sees_through_renaming():
    def copied(x, Y):
        """Renamed, otherwise the same."""
        return float(0.5 * np.sum((network_forward(params, x) - Y) ** 2) / len(x))  # noqa: F821 (only compared as text, never run)

    def answer(params, X, Y):
        return float(0.5 * np.sum((network_forward(params, X) - Y) ** 2) / len(X))  # noqa: F821 (only compared as text, never run)

    assert _normalised_body(copied) == _normalised_body(answer)
    assert _normalised_body(copied) != _normalised_body(given.network_loss)


def _agrees(mine, expected):
    """Equal to a few units in the last place where the reference is accurate, and within 1e-15
    where both are tiny (s * (1 - s) and 1 - tanh^2 lose every digit there; the given slopes
    keep them)."""
    np.testing.assert_array_equal(np.isnan(mine), np.isnan(expected))
    np.testing.assert_allclose(mine, expected, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("case", ARRAYS)
def test_given_equals_reference_on_arrays(name, case):
    z = ARRAYS[case]
    mine = quiet(getattr(given, name), z.copy())
    with np.errstate(all="ignore"):
        expected = getattr(reference, name)(z.copy())
    assert isinstance(mine, np.ndarray) and mine.dtype == np.float64
    assert mine.shape == z.shape
    _agrees(mine, expected)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("z", SCALARS)
def test_given_equals_reference_on_numbers(name, z):
    fn = getattr(given, name)
    expected = float(getattr(reference, name)(np.float64(z)))
    for number in (z, np.float64(z)):
        mine = quiet(fn, number)
        assert isinstance(mine, np.float64) and np.ndim(mine) == 0
        assert mine == pytest.approx(expected, rel=1e-14, abs=1e-15), \
            f"{name}({number!r}) = {mine!r}, the reference says {expected!r}"


def test_the_given_slopes_keep_their_digits_where_the_sigmoid_saturates():
    """sigmoid(z) * sigmoid(-z) and 1 / cosh^2 stay accurate for large |z|, where the formulas
    exercise 1 asks for round to 0: the slope of the sigmoid at 30 is about e^-30."""
    assert given.sigmoid_prime(30.0) == pytest.approx(np.exp(-30.0), rel=1e-12)
    assert given.sigmoid_prime(-30.0) == pytest.approx(np.exp(-30.0), rel=1e-12)
    assert given.tanh_prime(20.0) == pytest.approx(4 * np.exp(-40.0), rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_given_accepts_integers_and_lists(name):
    fn = getattr(given, name)
    ints = np.array([-3, 0, 2])
    expected = getattr(reference, name)(ints.astype(np.float64))
    _agrees(quiet(fn, ints), expected)
    _agrees(quiet(fn, [-3, 0, 2]), expected)
    assert fn(ints).dtype == np.float64


@pytest.mark.parametrize("name", NAMES)
def test_given_leaves_its_input_alone(name):
    z = ARRAYS["matrix"].copy()
    getattr(given, name)(z)
    np.testing.assert_array_equal(z, ARRAYS["matrix"])


# ---------------------------------------------------------------- a sigmoid network, given to lesson 7 and exercise 7

def _network(rng, sizes, scale=1.0):
    return {f"{kind}{k}": rng.normal(0.0, scale, size=shape)
            for k, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1)
            for kind, shape in (("W", (d_in, d_out)), ("b", (d_out,)))}


NETWORKS = [((2, 3, 1), 4, 1.0), ((3, 2), 1, 1.0), ((4, 5, 3, 2), 7, 1.0), ((2, 6, 6, 6, 1), 3, 1.0),
            ((1, 1), 5, 1.0), ((3, 4, 2), 6, 30.0)]
NETWORK_IDS = [f"{'-'.join(map(str, s))} n={n} scale={scale}" for s, n, scale in NETWORKS]


def _inputs(index, sizes, n, scale):
    rng = np.random.default_rng(500 + index)
    params = _network(rng, sizes, scale)
    X, Y = rng.normal(size=(n, sizes[0])), rng.uniform(size=(n, sizes[-1]))
    return params, X, Y


def _copy(params):
    return {name: p.copy() for name, p in params.items()}


@pytest.mark.parametrize("index", range(len(NETWORKS)), ids=NETWORK_IDS)
def test_given_network_forward_and_loss_equal_reference(index):
    params, X, Y = _inputs(index, *NETWORKS[index])
    before = _copy(params)
    mine = quiet(lambda p: given.network_forward(p, X), params)
    expected = network_reference.network_forward(params, X)
    assert isinstance(mine, np.ndarray) and mine.dtype == np.float64 and mine.shape == expected.shape
    np.testing.assert_allclose(mine, expected, rtol=1e-13, atol=1e-300)
    loss = quiet(lambda p: given.network_loss(p, X, Y), params)
    assert type(loss) is float
    assert loss == pytest.approx(network_reference.network_loss(params, X, Y), rel=1e-13, abs=0)
    for name in before:
        np.testing.assert_array_equal(params[name], before[name])


def test_given_network_forward_on_a_batch_with_no_rows():
    params = _network(np.random.default_rng(3), (3, 4, 2))
    out = given.network_forward(params, np.zeros((0, 3)))
    assert out.shape == (0, 2) and out.dtype == np.float64


def _stacked(params, count, rng):
    """count networks shaped like params, stacked on a new first axis."""
    return {name: rng.normal(size=(count,) + p.shape) for name, p in params.items()}


@pytest.mark.parametrize("index", range(len(NETWORKS)), ids=NETWORK_IDS)
def test_a_stack_of_networks_gives_each_network_s_own_outputs_and_loss(index):
    params, X, Y = _inputs(index, *NETWORKS[index])
    stack = _stacked(params, 3, np.random.default_rng(index))
    outputs, losses = given.network_forward(stack, X), given.network_loss(stack, X, Y)
    assert outputs.shape == (3,) + Y.shape and losses.shape == (3,)
    for k in range(3):
        one = {name: p[k] for name, p in stack.items()}
        np.testing.assert_allclose(outputs[k], network_reference.network_forward(one, X), rtol=1e-13, atol=1e-300)
        assert losses[k] == pytest.approx(network_reference.network_loss(one, X, Y), rel=1e-13)


def _round_off(params, X, Y, h):
    """What central differences' own round-off allows: a few units in the loss's last place,
    divided by 2h."""
    return 8 * np.finfo(float).eps * max(network_reference.network_loss(params, X, Y), 1.0) / (2 * h)


@pytest.mark.parametrize("index", range(len(NETWORKS)), ids=NETWORK_IDS)
@pytest.mark.parametrize("h, together", [(H, 256), (1e-3, 256), (H, 1), (H, 5)])
def test_given_numerical_gradient_equals_reference(index, h, together):
    params, X, Y = _inputs(index, *NETWORKS[index])
    before = _copy(params)
    stacks = []

    def loss_fn(p):
        stacks.append(len(p["W1"]))
        return given.network_loss(p, X, Y)

    mine = given.numerical_gradient(loss_fn, params, h, together)
    knobs = sum(p.size for p in params.values())
    assert sum(stacks) == 2 * knobs and max(stacks) <= 2 * together
    expected = network_reference.numerical_gradient(lambda p: network_reference.network_loss(p, X, Y),
                                                    _copy(params), h)
    assert list(mine) == list(params)
    for name in params:
        assert mine[name].shape == params[name].shape and mine[name].dtype == np.float64
        np.testing.assert_allclose(mine[name], expected[name], rtol=0, atol=_round_off(params, X, Y, h))
        np.testing.assert_array_equal(params[name], before[name])


def test_given_numerical_gradient_of_a_loss_with_a_known_slope():
    """The sum of cubes has slope 3 x^2 (plus h^2 from central differences), for any arrays."""
    params = {"a": np.array([[1.0, -2.0], [0.5, 0.0]]), "c": np.array([3.0])}

    def cubes(stack):
        return sum(np.sum(v ** 3, axis=tuple(range(1, v.ndim))) for v in stack.values())

    grads = given.numerical_gradient(cubes, params)
    np.testing.assert_allclose(grads["a"], 3 * params["a"] ** 2 + H ** 2, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(grads["c"], [27.0 + H ** 2], rtol=1e-8)
    assert given.numerical_gradient.__defaults__ == (H, given.TOGETHER)


@pytest.mark.parametrize("loss_fn", [
    lambda p: float(sum(np.sum(v ** 3) for v in p.values())),
    lambda p: network_reference.network_loss(p, np.ones((2, 2)), np.ones((2, 1))),
], ids=["a loss of one network", "the reference's loss"])
def test_given_numerical_gradient_answers_nothing_exercise_5_asks(loss_fn):
    """Exercise 5's numerical_gradient takes any loss of one network; the given one only a loss
    of a stack of them, and says so."""
    params = {"W1": np.ones((2, 3)), "b1": np.zeros(3), "W2": np.ones((3, 1)), "b2": np.zeros(1)}
    with pytest.raises(ValueError, match="stack of 26 networks"):
        given.numerical_gradient(loss_fn, params)


def test_the_course_conventions():
    assert given.relu_prime(0.0) == 0.0 and given.relu_prime(-0.0) == 0.0
    assert given.relu_prime(1e-300) == 1.0
    assert given.sigmoid_prime(0.0) == 0.25 and given.tanh_prime(0.0) == 1.0
    assert quiet(given.sigmoid, -1000.0) == 0.0 and quiet(given.sigmoid, 1000.0) == 1.0
    big = np.array([-1e308, 1e308])
    np.testing.assert_array_equal(quiet(given.sigmoid_prime, big), [0.0, 0.0])


# ---------------------------------------------------------------- nothing imports the grader

def _code_cells(path):
    notebook = json.loads(Path(path).read_text())
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            yield index, "".join(cell["source"])


def _imports_of(source):
    """Module names a cell imports (IPython magics and shell lines are left out)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "__import__", "import_module") and node.args and isinstance(node.args[0], ast.Constant):
            names.append(str(node.args[0].value))
    return names


LEARNER_NOTEBOOKS = sorted((ROOT / "lessons").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*/*.ipynb"))


def test_there_are_notebooks_to_scan():
    assert len(list((ROOT / "lessons").glob("*.ipynb"))) >= 10
    assert len(list((ROOT / "exercises").glob("*/*.ipynb"))) >= 10


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_learner_notebook_imports_the_grader(path):
    found = [(index, name) for index, source in _code_cells(path) for name in _imports_of(source)
             if name.split(".")[0] == "autograder"]
    found += [(index, "autograder (named in the code)") for index, source in _code_cells(path)
              if "autograder" in source and not any(index == i for i, _ in found)]
    assert not found, (f"{path.relative_to(ROOT)} imports the grader's package in code cells "
                       f"{found}; take given functions from course.given")


def test_scan_catches_an_import():
    assert _imports_of("from autograder.reference.neuron import sigmoid") == ["autograder.reference.neuron"]
    assert "autograder.hidden" in _imports_of("%matplotlib inline\nimport autograder.hidden as h")
    imported = _imports_of("import importlib\nm = importlib.import_module('autograder.reference')")
    assert imported[-1] == "autograder.reference"


# ---------------------------------------------------------------- while grading

def _judged(assignment, function, source=None):
    from judging import graded_by_judge

    outputs = graded_by_judge(assignment, function, {} if source is None else {function: source})
    return " ".join(str(o.get("evalue", "")) + str(o.get("text", "")) for o in outputs)


@pytest.mark.parametrize("source", [
    "from course.given import sigmoid",
    "import course.given\nsigmoid = course.given.sigmoid",
    "import importlib, course.given\nsigmoid = importlib.reload(course.given).sigmoid",
    "import sys\nsys.modules.pop('course.given', None)\nfrom course.given import sigmoid",
    f"exec(open({str(ROOT / 'course' / 'given.py')!r}).read())",
], ids=["import", "attribute", "reload", "fresh import", "read and exec"])
def test_exercise_1_cannot_take_its_answer_from_course_given(source):
    said = _judged("01_neuron", "sigmoid", source)
    assert "passed all" not in said, said
    assert "not available while grading" in said or "is not defined" in said, said


@pytest.mark.parametrize("function", NETWORK_NAMES)
def test_exercise_5_cannot_take_its_answers_from_course_given(function):
    said = _judged("05_numerical_gradient", function, f"from course.given import {function}")
    assert "passed all" not in said, said
    assert "not available while grading" in said or "is not defined" in said, said


@pytest.mark.parametrize("assignment, function", [("02_layers", "dense_forward"),
                                                  ("05_numerical_gradient", "network_forward"),
                                                  ("07_training", "train_epoch"),
                                                  ("09_chain_rule", "sigmoid_backward")])
def test_later_exercises_keep_the_given_functions_while_graded(assignment, function):
    said = _judged(assignment, function)
    assert "passed all" in said, said


# ---------------------------------------------------------------- what a set-up cell may import

SETUP_MODULES = {"numpy", "course.checks", "course.given", "course.gradcheck", "course.costs"}
LESSON_MODULES = {"course.numerical_gradient", "course.training", "course.whole_picture", "course.wishes"}
SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))


def _setup_source(path):
    notebook = json.loads(Path(path).read_text())
    (source,) = ["".join(c["source"]) for c in notebook["cells"]
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == "setup"]
    return source


def setup_problems(source):
    """What a set-up cell does against the rule: a module outside the allowed ones, a graded
    function taken from a lesson module, or a function written in the cell itself."""
    from autograder.specs import all_specs

    graded = {name for specs in all_specs().values() for name in specs}
    problems = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            problems += [alias.name for alias in node.names if alias.name not in SETUP_MODULES]
        elif isinstance(node, ast.ImportFrom):
            if node.module in LESSON_MODULES:
                problems += [f"{node.module}.{a.name}" for a in node.names if a.name in graded or a.name == "*"]
            elif node.module not in SETUP_MODULES:
                problems.append(node.module)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            problems.append(f"def {node.name}")
    return problems


def test_there_are_solutions_to_scan():
    assert len(SOLUTIONS) == 10


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_setup_cells_import_only_what_learners_may(path):
    assert setup_problems(_setup_source(path)) == []


def test_setup_rule_catches_a_copy_a_lesson_helper_and_the_grader():
    assert setup_problems("import numpy as np\nfrom course.training import make_dataset") == []
    assert setup_problems("from course.training import numerical_gradient") == ["course.training.numerical_gradient"]
    assert setup_problems("from autograder.reference.neuron import sigmoid") == ["autograder.reference.neuron"]
    assert setup_problems("def sigmoid(z):\n    return z") == ["def sigmoid"]


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").rglob("*.ipynb")), ids=lambda p: p.parent.name)
def test_released_exercises_never_name_the_grader(path):
    """Not in code, not in prose, not in metadata: the hidden tests' import goes with them."""
    solution = ROOT / "solutions" / path.relative_to(ROOT / "exercises")
    blocks = solution.read_text().split("### BEGIN HIDDEN TESTS")[1:]
    assert blocks and all("autograder.hidden" in block.split("### END HIDDEN TESTS")[0] for block in blocks)
    assert "autograder" not in path.read_text().lower()
