"""Values cross the sandbox boundary as what they are, and honest work scores full marks.

Issue 13, items 2 to 4: under the judge, a 0-d array arrived as shape (1,), an OrderedDict
or a namedtuple arrived as an opaque object, a given helper (exercise 10's `accuracy`)
stopped working once the sandbox removed the reference it called, and a list of the right
values was refused where the wording never asks for a tuple. Here:

- round trips of every kind of value, through the wire format alone and through a real
  sandbox in both directions (the learner's function's answer, the judge's arguments, and
  what a judge-side function passed in returns inside the sandbox);
- correct implementations written the way a learner might (loops, 0-d results, dict and
  tuple subclasses, lists), each graded by the judge's own path (`JudgeSession.judge`, what
  `JudgeCells` runs for a grade cell) and by the hidden tests in-process (what stock
  nbgrader's kernel runs): full marks on both;
- the checking engine's sequence rule: a list or tuple of the right length, unless the spec
  says `tuple_only`.
"""

from collections import OrderedDict, defaultdict, namedtuple

import numpy as np
import pytest

import judging
from autograder import wire
from autograder.judge import JudgeSession, protected_paths
from autograder.reference import neuron as neuron_ref
from autograder.specs import all_specs
from autograder.specs import chain_rule as chain_rule_spec
from course.checking import Case, CheckFailed, GradedFunction, check_case, run_checks
from support.synthetic import learner_source, solution_sources

# ------------------------------------------------------------------ values

# What a check can tell apart: kind (exact type name), shape, dtype and bits. Defined once
# and run on both sides of the boundary.
DESCRIBE = '''
import numpy as np

def plain(value):
    """The value with every dict, list and tuple subclass turned into the plain container."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in dict.items(value)}
    if isinstance(value, tuple):
        return tuple(plain(v) for v in tuple.__iter__(value))
    if isinstance(value, list):
        return [plain(v) for v in list.__iter__(value)]
    return value

def describe(value):
    """[exact type name, shape, dtype, bits] of a value, containers item by item."""
    if isinstance(value, dict):
        return [type(value).__name__, [[describe(k), describe(v)] for k, v in value.items()]]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [describe(v) for v in value]]
    if isinstance(value, (np.ndarray, np.generic)):
        return [type(value).__name__, list(np.shape(value)), value.dtype.str,
                np.asarray(value).tobytes().hex()]
    if type(value) is float:
        return ["float", value.hex()]
    return [type(value).__name__, repr(value)]
'''
_described = {}
exec(DESCRIBE, _described)
plain, describe = _described["plain"], _described["describe"]

Pair = namedtuple("Pair", "first second")


class MyDict(dict):
    pass


class MyList(list):
    pass


class MyTuple(tuple):
    pass


NUMPY_SCALARS = [np.bool_(True), np.int8(-3), np.int16(300), np.int32(-70000), np.int64(2 ** 40),
                 np.uint8(200), np.uint16(60000), np.uint32(4_000_000_000), np.uint64(2 ** 63 + 5),
                 np.float16(0.1), np.float32(0.1), np.float64(0.1), np.longdouble(0.1),
                 np.complex64(1 - 2j), np.complex128(0.5 + 1j), np.float64(-0.0), np.float64("nan")]
PYTHON_SCALARS = [7, -(2 ** 62), 2.5, -0.0, float("inf"), 1e-310, True, False, None, "text"]
ZERO_D = [np.array(s) for s in NUMPY_SCALARS] + [np.array(2.5), np.array(3)]
ARRAYS = [np.zeros((0, 3)), np.arange(12.0).reshape(3, 4).T, np.arange(10.0)[::3],
          np.ones((2, 1, 3), dtype=np.float32)]
CONTAINERS = [
    [1, np.eye(2), np.float32(2)], (1.5, np.array(2.0), None), {"W1": np.eye(2), "b1": np.zeros(2)},
    OrderedDict([("W1", np.ones((2, 3))), ("b1", np.array(0.5))]),
    defaultdict(float, {"W": np.arange(3.0), 3: np.float64(1.5)}),
    Pair(np.array(1.0), [np.float32(2), (3, 4.5)]), MyDict(a=np.zeros(2)), MyList([np.array(1)]),
    MyTuple((np.int64(1), 2.0)), {"nested": OrderedDict(x=Pair(1, np.array([2.0])))},
]
ALL_VALUES = NUMPY_SCALARS + PYTHON_SCALARS + ZERO_D + ARRAYS + CONTAINERS


def _id(value):
    return f"{type(value).__name__}-{np.shape(value) if isinstance(value, np.ndarray) else ''}"


def roundtrip(value):
    return wire.decode(wire.encode(value))


@pytest.mark.parametrize("value", ALL_VALUES, ids=[_id(v) for v in ALL_VALUES])
def test_every_kind_of_value_crosses_the_wire_exactly(value):
    """Shape (0-d included), dtype, bits and numpy scalar type kept; subclasses arrive plain."""
    back = roundtrip(value)
    assert describe(back) == describe(plain(value))


def test_a_0d_array_stays_0d_and_a_numpy_scalar_keeps_its_type():
    back = roundtrip(np.array(0.25))
    assert type(back) is np.ndarray and back.shape == () and back.dtype == np.float64
    assert type(roundtrip(np.float32(0.5))) is np.float32
    assert type(roundtrip(np.bool_(False))) is np.bool_


def test_container_subclasses_arrive_as_the_plain_container_they_are():
    assert type(roundtrip(OrderedDict(a=1))) is dict
    assert type(roundtrip(defaultdict(list, a=[1]))) is dict
    assert type(roundtrip(Pair(1, 2))) is tuple and roundtrip(Pair(1, 2)) == (1, 2)
    assert type(roundtrip(MyList([1]))) is list


def test_what_a_subclass_overrides_does_not_change_what_crosses():
    """The stored items cross, read with the base type's methods, not the subclass's."""
    class LyingDict(dict):
        def items(self):
            return [("W1", "anything")]

        def __iter__(self):
            return iter(["W1"])

    class LyingTuple(tuple):
        def __iter__(self):
            return iter([0.0, 0.0])

        def __getitem__(self, index):
            return 0.0

    assert roundtrip(LyingDict(W1=np.ones(2)))["W1"].tolist() == [1.0, 1.0]
    assert roundtrip(LyingTuple((1.0, 2.0))) == (1.0, 2.0)


def test_an_object_that_only_claims_to_be_a_container_stays_opaque():
    class Pretender:
        __class__ = property(lambda self: dict)

        def items(self):
            return [("W1", 1.0)]

    assert isinstance(Pretender(), dict)  # isinstance is fooled; the wire is not
    assert isinstance(roundtrip(Pretender()), wire.Opaque)


# ----------------------------------------------------------- through a sandbox

SANDBOX_CELL = DESCRIBE + '''
from collections import OrderedDict, defaultdict, namedtuple

Pair = namedtuple("Pair", "first second")

class MyDict(dict):
    pass

MADE = {
    "0-d float64": np.array(0.5), "0-d int8": np.array(3, dtype=np.int8),
    "float32 scalar": np.float32(0.1), "bool_": np.bool_(True), "uint64": np.uint64(2 ** 64 - 1),
    "python float": 0.1, "python int": 2 ** 40, "sum": np.sum(np.arange(4.0)),
    "strided": np.arange(12.0).reshape(3, 4)[:, ::2],
    "OrderedDict": OrderedDict([("W1", np.eye(2)), ("b1", np.array(0.0))]),
    "defaultdict": defaultdict(float, W=np.ones(3)), "namedtuple": Pair(np.array(1.0), 2),
    "dict subclass": MyDict(a=np.float32(1)), "list": [np.array(1.0), (2, 3)],
}

def made(kind):
    return MADE[kind]

def made_description(kind):
    return describe(plain(MADE[kind]))

def echo(value):
    return value

def received(value):
    return describe(value)

def through(f, value):
    return f(value)

def inside(f, value):
    return describe(f(value))

def inside_by_keyword(f, value):
    return describe(f(z=value))

def name_of(f):
    return f.__name__
'''
MADE_KINDS = ["0-d float64", "0-d int8", "float32 scalar", "bool_", "uint64", "python float",
              "python int", "sum", "strided", "OrderedDict", "defaultdict", "namedtuple",
              "dict subclass", "list"]


@pytest.fixture(scope="module")
def session():
    session = JudgeSession("01_neuron", timeout=30, protected=protected_paths())
    outputs = session.run_cell(0, SANDBOX_CELL, trusted=False)
    assert not [o for o in outputs if o.output_type == "error"], outputs
    yield session
    session.close()


def call(session, name, *args):
    return session.call(name, name, args)


@pytest.mark.parametrize("kind", MADE_KINDS)
def test_what_the_learners_function_returns_arrives_exactly(session, kind):
    assert describe(call(session, "made", kind)) == call(session, "made_description", kind)


@pytest.mark.parametrize("value", ALL_VALUES, ids=[_id(v) for v in ALL_VALUES])
def test_what_the_judge_passes_arrives_exactly_and_comes_back_exactly(session, value):
    assert call(session, "received", value) == describe(plain(value))
    assert describe(call(session, "echo", value)) == describe(plain(value))


@pytest.mark.parametrize("value", ALL_VALUES, ids=[_id(v) for v in ALL_VALUES])
def test_what_a_judge_side_function_returns_arrives_in_the_sandbox_exactly(session, value):
    """A function passed in hands back, inside the sandbox, what it returned in the judge."""
    assert call(session, "inside", lambda v: value, 0) == describe(plain(value))


ACTIVATION_INPUTS = [0.5, -2.0, 3, np.float64(0.5), np.float32(-1.5), np.array(0.5),
                     np.array(-40.0), np.array([0.5, -1.0]), np.arange(6.0).reshape(2, 3)]


@pytest.mark.parametrize("activation", [neuron_ref.sigmoid, neuron_ref.tanh, neuron_ref.relu, np.sin],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("z", ACTIVATION_INPUTS, ids=[_id(z) for z in ACTIVATION_INPUTS])
def test_a_function_passed_in_behaves_in_the_sandbox_like_the_real_one(session, activation, z):
    """Given a scalar, a scalar of the same type; given a 0-d array, what the real one gives."""
    expected = describe(activation(z))
    assert call(session, "inside", activation, z) == expected
    assert describe(call(session, "through", activation, z)) == expected
    if activation is not np.sin:  # a ufunc's argument has no name
        assert call(session, "inside_by_keyword", activation, z) == expected
    assert call(session, "name_of", activation) == activation.__name__


# ---------------------------------------------------- honest work, graded twice

def _worked_example_name():
    """The exercise-9 function that recomputes the published worked example."""
    assert "worked_example_step" in chain_rule_spec.GRADED
    return "worked_example_step"


def graded_by_judge(assignment, function, learner_code):
    """The grade cell's outputs under the judge (what JudgeCells puts in the notebook)."""
    return judging.graded_by_judge(assignment, function, {function: learner_code})


def graded_in_process(assignment, function, learner_code):
    """Run the cells in one namespace, as a kernel does, then the hidden tests (stock nbgrader)."""
    judging.graded_in_process(assignment, function, {function: learner_code})


def _returning_list(assignment, function):
    """The instructor's code with its final `return a, b, ...` written as a list."""
    lines = learner_source(solution_sources(assignment)[function]).rstrip().split("\n")
    indent, value = lines[-1].split("return ")
    assert not value.startswith("["), lines[-1]
    return "\n".join(lines[:-1] + [f"{indent}return [{value}]"]) + "\n"


def _returning_namedtuple(assignment, function, fields):
    lines = learner_source(solution_sources(assignment)[function]).rstrip().split("\n")
    indent, value = lines[-1].split("return ")
    return ("from collections import namedtuple\n"
            f"Result = namedtuple('Result', {fields!r})\n\n"
            + "\n".join(lines[:-1] + [f"{indent}return Result({value})"]) + "\n")


HONEST = [
    ("03_loss", "mse", "0-d float64 from np.sum, no float()", '''
def mse(Y_hat, Y):
    return np.sum((Y_hat - Y) ** 2) / (2 * Y.shape[0])
'''),
    ("03_loss", "mse", "a 0-d array", '''
def mse(Y_hat, Y):
    n = Y.shape[0]
    return np.array(0.5 * np.sum((Y_hat - Y) ** 2) / n)
'''),
    ("01_neuron", "neuron", "a loop writing activation(scalar) into an array", '''
def neuron(X, w, b, activation):
    out = np.zeros(X.shape[0])
    for i in range(X.shape[0]):
        z = np.dot(X[i], w) + b
        out[i] = activation(z)
    return out
'''),
    ("04_nudging", "forward_difference", "a loop over the entries", '''
def forward_difference(f, x, h):
    slopes = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        slopes[index] = (f(x[index] + h) - f(x[index])) / h
    return slopes
'''),
    ("04_nudging", "central_difference", "a loop over the entries", '''
def central_difference(f, x, h):
    slopes = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        slopes[index] = (f(x[index] + h) - f(x[index] - h)) / (2 * h)
    return slopes
'''),
    ("04_nudging", "derivative_check", "a loop over the entries", '''
def derivative_check(f, f_prime, x, h):
    errors = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        numeric = (f(x[i] + h) - f(x[i] - h)) / (2 * h)
        exact = f_prime(x[i])
        errors[i] = abs(exact - numeric) / max(abs(exact), abs(numeric), TINY)
    return float(errors.max())
'''),
    ("04_nudging", "nudging_errors", "a loop over the nudge sizes", '''
def nudging_errors(f, f_prime, x0, hs):
    exact = f_prime(x0)
    forward_errors = np.zeros(len(hs))
    central_errors = np.zeros(len(hs))
    for i, h in enumerate(hs):
        forward_errors[i] = abs((f(x0 + h) - f(x0)) / h - exact)
        central_errors[i] = abs((f(x0 + h) - f(x0 - h)) / (2 * h) - exact)
    return forward_errors, central_errors
'''),
    ("05_numerical_gradient", "numerical_gradient", "OrderedDict copies handed to loss_fn", '''
from collections import OrderedDict

def numerical_gradient(loss_fn, params, h):
    grads = OrderedDict()
    for name in params:
        g = np.zeros(params[name].shape)
        for index in np.ndindex(params[name].shape):
            plus = OrderedDict((k, v.copy()) for k, v in params.items())
            plus[name][index] += h
            minus = OrderedDict((k, v.copy()) for k, v in params.items())
            minus[name][index] -= h
            g[index] = (loss_fn(plus) - loss_fn(minus)) / (2 * h)
        grads[name] = g
    return grads
'''),
    ("07_training", "mean_gradient", "an OrderedDict", '''
from collections import OrderedDict

def mean_gradient(per_example):
    mean = OrderedDict()
    for name in per_example[0]:
        mean[name] = np.mean([g[name] for g in per_example], axis=0)
    return mean
'''),
    ("07_training", "sgd_update", "a defaultdict", '''
from collections import defaultdict

def sgd_update(params, grads, learning_rate):
    new = defaultdict(float)
    for name, p in params.items():
        new[name] = p - learning_rate * grads[name]
    return new
'''),
    ("08_wishes", "network_wishes", "a namedtuple",
     _returning_namedtuple("08_wishes", "network_wishes", "W1 b1 W2 b2")),
    ("08_wishes", "three_wishes", "a list", _returning_list("08_wishes", "three_wishes")),
    ("08_wishes", "average_wishes", "a list", _returning_list("08_wishes", "average_wishes")),
    ("08_wishes", "network_wishes", "a list", _returning_list("08_wishes", "network_wishes")),
    ("09_chain_rule", _worked_example_name(), "the 0-d values the given sigmoid produces", f'''
def {_worked_example_name()}(x, t, W1, W2, step):
    hidden = sigmoid(x @ W1)
    output = sigmoid(hidden @ W2)
    dz_out = (output - t) * output * (1 - output)
    dz_hidden = dz_out * W2 * hidden * (1 - hidden)
    W2_new = W2 - step * dz_out * hidden
    W1_new = W1 - step * np.outer(x, dz_hidden)
    output_after = sigmoid(sigmoid(x @ W1_new) @ W2_new)
    return hidden, output, -dz_out, W1_new, W2_new, output_after
'''),
    ("09_chain_rule", _worked_example_name(), "a list",
     _returning_list("09_chain_rule", _worked_example_name())),
    ("10_whole_picture", "train", "printing the given accuracy() of its own forward pass every epoch", '''
def train(X, labels, sizes, epochs, batch_size, learning_rate, seed):
    rng = np.random.default_rng(seed)
    theta = init_params(sizes, rng)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch_size):
            batch = order[start:start + batch_size]
            loss, gradient = mlp_backward(theta, sizes, X[batch], labels[batch])
            theta = theta - learning_rate * gradient
            losses.append(loss)
        print(f"epoch {epoch}: training accuracy {accuracy(mlp_forward(theta, sizes, X), labels):.1%}")
    return theta, np.array(losses)
'''),
]
HONEST_IDS = [f"{h[1]}-{h[2][:30]}" for h in HONEST]


def test_the_honest_implementations_cover_the_functions_named_in_the_issue():
    named = {"mse", "neuron", "forward_difference", "central_difference", "derivative_check",
             "nudging_errors", "numerical_gradient", "mean_gradient", "sgd_update", "three_wishes",
             "average_wishes", "network_wishes", _worked_example_name(), "train"}
    assert {h[1] for h in HONEST} == named
    for assignment, function, _how, _code in HONEST:
        assert function in all_specs()[assignment]


@pytest.mark.parametrize("assignment, function, how, code", HONEST, ids=HONEST_IDS)
def test_honest_work_scores_full_marks_under_the_judge(assignment, function, how, code):
    outputs = graded_by_judge(assignment, function, code)
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, f"{function} ({how}): {errors[0].evalue}"
    assert "passed all" in "".join(o.get("text", "") for o in outputs)


@pytest.mark.parametrize("assignment, function, how, code", HONEST, ids=HONEST_IDS)
def test_honest_work_scores_full_marks_in_process(assignment, function, how, code):
    """The same code under the hidden tests in one namespace, as stock nbgrader runs them."""
    graded_in_process(assignment, function, code)


def test_a_given_answer_taken_from_the_course_is_unavailable_where_it_is_graded():
    """course.given hands exercise 5's network_loss to later exercises; in exercise 5, where it
    is the answer, a learner who imports it gets the stand-in, which refuses, with the reason."""
    outputs = graded_by_judge_with("05_numerical_gradient", "network_loss", {
        "network_loss": "from course.given import network_loss\n"})
    (error,) = [o for o in outputs if o.output_type == "error"]
    assert "not available while grading" in error.evalue


def graded_by_judge_with(assignment, function, codes):
    """Like graded_by_judge, with several answer cells replaced: {grade_id: source}."""
    return judging.graded_by_judge(assignment, function, codes)


# ------------------------------------------------------------ lists and tuples

def _pair(x):
    return x + 1.0, 2.0 * x


PAIR_CASES = [Case((np.array([1.0, 2.0]),), "x = [1, 2]", ("x",))]


def _graded(tuple_only):
    return GradedFunction(name="pair", reference=_pair, visible_cases=lambda: PAIR_CASES,
                          hidden_cases=lambda rng: PAIR_CASES, outputs=("plus_one", "doubled"),
                          tuple_only=tuple_only)


@pytest.mark.parametrize("kind", [tuple, list, Pair, MyList, MyTuple], ids=lambda k: k.__name__)
def test_several_outputs_may_come_as_any_list_or_tuple(kind):
    def learner(x):
        return kind([x + 1.0, 2.0 * x]) if kind is not Pair else Pair(x + 1.0, 2.0 * x)

    assert run_checks(_graded(False), learner, PAIR_CASES) == 1


@pytest.mark.parametrize("wrong, says", [
    (lambda x: [x + 1.0], "should return a tuple or list of 2 values (plus_one, doubled)"),
    (lambda x: np.stack([x + 1.0, 2.0 * x]), "should return a tuple or list of 2 values"),
    (lambda x: {"plus_one": x + 1.0, "doubled": 2.0 * x}, "should return a tuple or list"),
    (lambda x: [x + 1.0, 3.0 * x], "pair's doubled is wrong"),
])
def test_a_sequence_of_the_wrong_length_kind_or_values_still_fails(wrong, says):
    with pytest.raises(CheckFailed, match=says.replace("(", r"\(").replace(")", r"\)")):
        check_case(_graded(False), wrong, PAIR_CASES[0])


def test_a_spec_that_demands_a_tuple_refuses_a_list_and_says_so():
    graded = _graded(True)
    assert run_checks(graded, lambda x: (x + 1.0, 2.0 * x), PAIR_CASES) == 1
    assert run_checks(graded, lambda x: Pair(x + 1.0, 2.0 * x), PAIR_CASES) == 1
    with pytest.raises(CheckFailed, match=r"should return a tuple of 2 values .* it returned list"):
        check_case(graded, lambda x: [x + 1.0, 2.0 * x], PAIR_CASES[0])
