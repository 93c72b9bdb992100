"""The checking engine's verdicts and messages, on deliberately wrong answers."""

import numpy as np
import pytest

from course.checking import Case, CheckFailed, GradedFunction, Mistake, run_checks
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


def test_a_named_mistake_is_also_data_for_the_grader():
    with pytest.raises(CheckFailed) as failure:
        run_checks(GRADED, lambda X: 3.0 * X, GRADED.visible_cases())
    assert failure.value.mistakes == ("tripled",)
    with pytest.raises(CheckFailed) as failure:
        run_checks(GRADED, lambda X: 4.0 * X, GRADED.visible_cases())
    assert failure.value.mistakes == ()


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
    from course.checking import CheckFailed

    error = CheckFailed("sigmoid is wrong on z = [0].\n  yours: 1   expected: 0.5")
    assert error._render_traceback_() == ["CheckFailed: sigmoid is wrong on z = [0].",
                                          "  yours: 1   expected: 0.5"]


# ------------------------------------------------ a diagnosis must explain the failure

def test_dtype_only_failure_says_so_and_names_no_mistake():
    """A float32 weighted sum has right values (to the check's 1e-6): the message says the dtype,
    not a mistake. A float32 sigmoid is not right to the 1e-12 its formula is checked to, and is
    told about the dtype too, never about overflow."""
    with pytest.raises(CheckFailed) as failure:
        VisibleChecks("01_neuron")("weighted_sum", lambda X, w, b: (X @ w + b).astype(np.float32))
    message = str(failure.value)
    assert "dtype float32, expected float64" in message
    assert "only the dtype needs fixing" in message
    assert "known mistake" not in message
    with pytest.raises(CheckFailed) as failure:
        VisibleChecks("01_neuron")("sigmoid", lambda z: (1.0 / (1.0 + np.exp(-z))).astype(np.float32))
    message = str(failure.value)
    assert "dtype float32, expected float64" in message
    assert "known mistake" not in message and "overflow" not in message


def test_type_only_failure_says_so():
    message = _fails(lambda X: (2 * X).tolist(), "should be a numpy array")
    assert "only the type needs fixing" in message and "known mistake" not in message


def test_mistake_named_only_when_it_explains_every_case():
    """np.mean on the one-output mse case equals 'forgot the 1/2' there, but not on the
    three-output case: neither that nor any other single-case match is named."""
    from autograder.specs import all_specs
    graded = all_specs()["03_loss"]["mse"]
    with pytest.raises(CheckFailed) as failure:
        run_checks(graded, lambda Y_hat, Y: float(np.mean((Y_hat - Y) ** 2)), graded.visible_cases())
    message = str(failure.value)
    assert "plain mean over every entry" in message, message
    assert "forgot the 1/2" not in message


def test_a_mistake_that_matches_one_case_only_is_not_named():
    cases = [Case((np.array([1.0, 2.0]),), "x = [1, 2]", ("X",)),
             Case((np.array([0.0, 3.0]),), "x = [0, 3]", ("X",))]
    graded = GradedFunction(name="double", reference=_double, visible_cases=lambda: cases,
                            hidden_cases=lambda rng: [],
                            mistakes=[Mistake("plus two", "You added 2.", "lesson 0",
                                              lambda X: X + 2.0)])
    # 3x equals x + 2 at x = 1 only, and 3x differs from 2x at x = 2 as well
    with pytest.raises(CheckFailed) as failure:
        run_checks(graded, lambda X: 3.0 * X, cases)
    assert "plus two" not in str(failure.value)
    with pytest.raises(CheckFailed, match="known mistake: plus two"):
        run_checks(graded, lambda X: X + 2.0, cases)


# ------------------------------------------------ numpy's errors, said about the learner's line

def test_broadcast_error_is_translated_with_the_shapes():
    message = _fails(lambda X: X + np.ones(2), "raised ValueError")
    assert "numpy could not combine arrays of shapes (2, 3) and (2,)" in message
    assert "In your line `message = _fails(lambda X: X + np.ones(2)" in message
    assert "The inputs had shapes: X (2, 3)" in message


def test_matmul_error_is_translated():
    message = _fails(lambda X: X @ X, "raised ValueError")
    assert "A's last size must equal B's first size" in message and "3" in message


def test_out_argument_misuse_is_translated():
    message = _fails(lambda X: np.maximum(X, 2.0 * X, 1e-12), "raised TypeError")
    assert "is `out`" in message and "np.maximum(np.maximum(a, b), c)" in message


def test_sequence_into_an_element_is_translated():
    def store(X):
        out = np.zeros(2)
        out[0] = X[0]
        return out
    message = _fails(store, "raised ValueError")
    assert "several numbers" in message


# ------------------------------------------------ a failure that comes from a callee

def _notebook(source):
    """Run source as a notebook cell would (functions share one global namespace)."""
    namespace = {"np": np}
    exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


def test_visible_check_blames_a_wrong_callee():
    ns = _notebook(
        "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(z))\n"
        "def weighted_sum(X, w, b):\n    return X @ w + b\n"
        "def neuron(X, w, b, activation):\n    return sigmoid(weighted_sum(X, w, b))\n")
    with pytest.raises(CheckFailed) as failure:
        VisibleChecks("01_neuron")("neuron", ns["neuron"])
    message = str(failure.value)
    assert message.startswith("neuron is wrong because sigmoid, which it calls, is wrong; "
                              "fix sigmoid first."), message
    assert "sign flip in the exponent" in message  # sigmoid's own diagnosis


def test_a_right_callee_is_not_blamed():
    ns = _notebook(
        "def weighted_sum(X, w, b):\n    return X @ w + b\n"
        "def neuron(X, w, b, activation):\n    return activation(weighted_sum(X, w, b)) + b\n")
    with pytest.raises(CheckFailed) as failure:
        VisibleChecks("01_neuron")("neuron", ns["neuron"])
    assert "which it calls" not in str(failure.value)


def test_an_attribute_with_a_graded_name_is_not_a_callee():
    from course.checking import called_global_names
    ns = _notebook("def tanh(z):\n    return z\n"
                   "def tanh_prime(z):\n    return 1.0 - np.tanh(z) ** 2\n")
    assert called_global_names(ns["tanh_prime"]) == ["np"]


def test_names_called_in_source_reads_the_def_only():
    from course.checking import names_called_in_source
    source = "%%time\ndef neuron(X, w, b, activation):\n    return sigmoid(X @ w + b)\nx = tanh(1)\n"
    assert set(names_called_in_source(source, "neuron")) == {"sigmoid", "X", "w", "b"}


def test_the_judge_blames_a_wrong_callee():
    """The judge runs the learner's code in a sandbox; it reads which graded functions a
    function calls from the cell that defines it, and checks them through proxies."""
    import nbformat

    from autograder.judge import JudgeSession, protected_paths
    from autograder.notebooks import SOLUTIONS
    from support.synthetic import learner_source

    answers = {"sigmoid": "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(z))\n",
               "neuron": "def neuron(X, w, b, activation):\n    return sigmoid(X @ w + b)\n"}
    nb = nbformat.read(SOLUTIONS / "01_neuron" / "01_neuron_exercise.ipynb", as_version=4)
    session = JudgeSession("01_neuron", timeout=20, protected=protected_paths())
    try:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                if meta["grade_id"] == "test_neuron":
                    outputs = session.judge(meta["grade_id"])
                    break
                continue
            source = cell.source
            if meta.get("solution"):
                source = answers.get(meta["grade_id"]) or learner_source(source)
            session.run_cell(index, source, trusted=not meta.get("solution") and meta.get("locked", False))
    finally:
        session.close()
    message = outputs[-1]["evalue"]
    assert message.startswith("neuron is wrong because sigmoid, which it calls, is wrong"), message


def test_an_expected_value_within_the_absolute_tolerance_reads_as_about_zero():
    """A correct derivative's relative error is round-off (2e-11 here, 5e-11 on another
    processor): the message must not print those digits as if they were the answer."""
    roundoff = GradedFunction(name="check", reference=lambda x: 2.4e-11 * x,
                              visible_cases=lambda: [Case((1.0,), "x = 1", ("x",))],
                              hidden_cases=lambda rng: [], atol=1e-8)
    with pytest.raises(CheckFailed) as failure:
        run_checks(roundoff, lambda x: 0.5, roundoff.visible_cases())
    message = str(failure.value)
    assert "expected: about zero (below 1e-08)" in message and "2.4e-11" not in message
    assert "yours: 0.5" in message
    exact_zero = GradedFunction(name="check", reference=lambda x: 0.0 * x,
                                visible_cases=roundoff.visible_cases, hidden_cases=lambda rng: [],
                                atol=1e-8)
    with pytest.raises(CheckFailed, match=r"expected: 0 "):
        run_checks(exact_zero, lambda x: 0.5, exact_zero.visible_cases())
    above = GradedFunction(name="check", reference=lambda x: 3e-8 * x,
                           visible_cases=roundoff.visible_cases, hidden_cases=lambda rng: [], atol=1e-8)
    with pytest.raises(CheckFailed, match=r"expected: 3e-08 "):
        run_checks(above, lambda x: 0.5, above.visible_cases())


def test_values_that_read_alike_at_six_digits_print_until_they_differ():
    tight = GradedFunction(name="double", reference=_double, visible_cases=GRADED.visible_cases,
                           hidden_cases=lambda rng: [], rtol=1e-10, atol=0.0)
    with pytest.raises(CheckFailed) as failure:
        run_checks(tight, lambda X: 2.0 * X * (1 + 1e-8), tight.visible_cases())
    message = str(failure.value)
    assert "yours: 2.00000002   expected: 2 (a difference of 2e-08)" in message


def test_a_batch_output_is_attributed_to_its_example_row_not_a_weight():
    """output[0] of X @ w + b depends on the first example's row X[0] (and on all of w): citing
    w[0] because it has one index too would point at the wrong input."""
    rows = GradedFunction(name="weighted_sum", reference=lambda X, w, b: X @ w + b,
                          visible_cases=lambda: [Case((np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                                       np.array([0.5, -1.0]), 0.25), "3 examples",
                                                      ("X", "w", "b"))],
                          hidden_cases=lambda rng: [])
    with pytest.raises(CheckFailed) as failure:
        run_checks(rows, lambda X, w, b: X @ w - b, rows.visible_cases())
    message = str(failure.value)
    assert "index [0] (example 0: X[0] = [1, 2])" in message and "w[0]" not in message
