"""A visible check says so when the learner's function is the course's own, or merely calls the
course's function of the same name, instead of passing it as the learner's work."""

import types

import numpy as np
import pytest

from course import given
from course.checking import CheckFailed
from course.checks import VisibleChecks, borrowed


def learner(source, **names):
    """Define a function the way a notebook cell does: in a namespace of its own."""
    namespace = {"np": np, **names}
    exec(source, namespace)
    return namespace


def test_the_course_function_itself_is_not_the_learners():
    assert "course's own course.given.sigmoid" in borrowed("sigmoid", given.sigmoid)
    with pytest.raises(CheckFailed, match="write sigmoid yourself"):
        VisibleChecks("01_neuron")("sigmoid", given.sigmoid)


@pytest.mark.parametrize("source, names", [
    ("def sigmoid(z):\n    return given.sigmoid(z)\n", {"given": given}),
    ("def sigmoid(z):\n    return s(z)\n", {"s": given.sigmoid}),
    ("def sigmoid(z):\n    out = course_given.sigmoid(z)\n    return out\n", {"course_given": given}),
])
def test_a_function_that_calls_the_course_copy_is_named(source, names):
    fn = learner(source, **names)["sigmoid"]
    assert "calls the course's own course.given.sigmoid" in borrowed("sigmoid", fn)
    with pytest.raises(CheckFailed, match="calls the course's own"):
        VisibleChecks("01_neuron")("sigmoid", fn)


def test_own_work_that_uses_other_given_functions_passes(capsys):
    namespace = learner("def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
                        "def sigmoid_prime(z):\n    s = sigmoid(z)\n    return s * (1 - s)\n")
    assert borrowed("sigmoid_prime", namespace["sigmoid_prime"]) is None
    # exercise 2's dense_forward may use the given sigmoid: another name, not a copy
    dense = learner("def two_layer(X):\n    return given.sigmoid(X)\n", given=given)["two_layer"]
    assert borrowed("two_layer", dense) is None
    assert borrowed("tanh", types.SimpleNamespace()) is None
