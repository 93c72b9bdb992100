"""The checking engine's verdicts and messages, on deliberately wrong answers."""

import numpy as np
import pytest

from autograder.checking import Case, CheckFailed, GradedFunction, Mistake, run_checks
from course.checks import VisibleChecks


def _double(X):
    return 2.0 * X


GRADED = GradedFunction(
    name="double", reference=_double,
    visible_cases=lambda: [Case((np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),), "a 2 x 3 X", ("X",))],
    hidden_cases=lambda rng: [],
    mistakes=[Mistake("tripled", "You multiplied by 3.", "lesson 0, section \"Doubling\"",
                      lambda X: 3.0 * X)],
)


def _fails(fn, match):
    with pytest.raises(CheckFailed, match=match) as failure:
        run_checks(GRADED, fn, GRADED.visible_cases())
    return str(failure.value)


def test_correct_answer_passes():
    assert run_checks(GRADED, lambda X: X + X, GRADED.visible_cases()) == 1


def test_wrong_value_reports_index_input_values_tolerance_and_named_mistake():
    message = _fails(lambda X: 3.0 * X, "double is wrong")
    assert "index [0, 0]" in message and "X[0, 0] = 1" in message
    assert "yours: 3" in message and "expected: 2" in message
    assert "tolerance" in message
    assert "known mistake: tripled" in message and 'section "Doubling"' in message


def test_wrong_value_without_known_mistake_names_none():
    message = _fails(lambda X: 2.0 * X + 1.0, "double is wrong")
    assert "known mistake" not in message


def test_transposed_shape_is_called_out():
    _fails(lambda X: 2.0 * X.T, r"shape \(3, 2\), expected shape \(2, 3\).*transposed")


def test_integer_dtype_is_called_out():
    _fails(lambda X: (2 * X).astype(int), "dtype int64, expected float64")


def test_list_is_not_an_array():
    _fails(lambda X: (2 * X).tolist(), "should be a numpy array, but it is list")


def test_ndarray_subclass_that_lies_is_rejected():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    _fails(lambda X: np.zeros_like(X).view(Liar), "subclass of numpy.ndarray")


def test_object_equal_to_everything_is_rejected():
    class Anything:
        def __eq__(self, other):
            return True

    _fails(lambda X: Anything(), "should be a numpy array")


def test_in_place_change_of_input_is_called_out():
    def in_place(X):
        X *= 2.0
        return X
    _fails(in_place, "changed its input X in place")


def test_nan_is_reported_as_overflow():
    message = _fails(lambda X: np.full_like(X, np.nan), "double is wrong")
    assert "overflowed" in message


def test_crash_is_reported_with_exception_and_input():
    _fails(lambda X: X @ X, r"raised ValueError.*on a 2 x 3 X")


def test_not_written_yet():
    def blank(X):
        raise NotImplementedError()
    _fails(blank, "not written yet")


def test_not_a_function():
    with pytest.raises(CheckFailed, match="should be a function"):
        run_checks(GRADED, 42, GRADED.visible_cases())


def test_numpy_warnings_from_learner_code_are_silenced(recwarn):
    def noisy(X):
        np.exp(np.array([1000.0]))  # overflows: a warning nbgrader would count against the cell
        return 2.0 * X
    run_checks(GRADED, noisy, GRADED.visible_cases())
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_visible_check_prints_pass_and_mentions_hidden_tests(capsys):
    VisibleChecks("01_neuron")("relu", lambda z: np.maximum(z, 0.0))
    out = capsys.readouterr().out
    assert out.startswith("PASS relu") and "Hidden tests" in out


def test_visible_check_names_the_relu_kink_convention():
    with pytest.raises(AssertionError, match="ReLU'\\(0\\) = 0"):
        VisibleChecks("01_neuron")("relu_prime", lambda z: (z >= 0).astype(float))


COUNT = GradedFunction(name="count", reference=lambda sizes: int(sum(sizes)),
                       visible_cases=lambda: [Case(([3, 4],), "sizes = [3, 4]", ("sizes",))],
                       hidden_cases=lambda rng: [])


@pytest.mark.parametrize("answer", [7, 7.0, np.int64(7), np.float64(7.0), np.int32(7)])
def test_any_real_number_is_accepted_for_a_scalar_result(answer):
    assert run_checks(COUNT, lambda sizes: answer, COUNT.visible_cases()) == 1


@pytest.mark.parametrize("answer", [True, "7", [7], None])
def test_a_scalar_result_must_be_a_number(answer):
    with pytest.raises(CheckFailed, match="should be a number"):
        run_checks(COUNT, lambda sizes: answer, COUNT.visible_cases())


def test_a_failed_check_renders_as_its_message_alone():
    """IPython shows _render_traceback_'s lines instead of a traceback: the message once, no frames."""
    from autograder.checking import CheckFailed

    error = CheckFailed("sigmoid is wrong on z = [0].\n  yours: 1   expected: 0.5")
    assert error._render_traceback_() == ["CheckFailed: sigmoid is wrong on z = [0].",
                                          "  yours: 1   expected: 0.5"]
