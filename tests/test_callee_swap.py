"""The hidden tests judge a learner's function by itself, and quote the learner's own line.

A graded function is judged on its own: the hidden checks run it again with each graded
function it calls replaced by the reference's, so a wrong callee and a caller that makes up for it
do not both keep their points (course.checking's `_checked_on_its_own`; the judge sends the swap
to the sandbox as a call-back, the kernel swaps the notebook's global for the call).

The pair here: exercise 8's `average_wishes` sums over the batch instead of averaging, and
`network_wishes` divides by n to make up for it, so the pair gives the right wishes.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograder.specs import graded_function
from course.checking import CheckFailed, hidden_cases, learner_callees, run_checks
from judging import graded_by_judge, graded_in_process

ASSIGNMENT = "08_wishes"
SUMMED = ("def average_wishes(bias_wishes, weight_wishes):\n"
          "    return bias_wishes.sum(axis=0), weight_wishes.sum(axis=0)\n")
MAKES_UP = ("def network_wishes(X, Y, W1, b1, W2, b2):\n"
            "    n = X.shape[0]\n"
            "    Z1 = X @ W1 + b1\n    A1 = sigmoid(Z1)\n"
            "    Z2 = A1 @ W2 + b2\n    A2 = sigmoid(Z2)\n"
            "    wish_Z2 = weighted_sum_wishes(output_wishes(A2, Y), Z2)\n"
            "    bias2, weights2, _ = three_wishes(A1, W2, wish_Z2)\n"
            "    wish_Z1 = propagate_wishes(wish_Z2, W2, Z1)\n"
            "    bias1, weights1, _ = three_wishes(X, W1, wish_Z1)\n"
            "    b1_wish, W1_wish = average_wishes(bias1, weights1)\n"
            "    b2_wish, W2_wish = average_wishes(bias2, weights2)\n"
            "    return W1_wish / n, b1_wish / n, W2_wish / n, b2_wish / n\n")
PAIR = {"average_wishes": SUMMED, "network_wishes": MAKES_UP}


def test_the_pair_gives_the_right_wishes_together():
    """The premise: without the swap the caller's checks would pass (so only the swap catches it)."""
    namespace = {"np": np}
    exec(compile(SUMMED, "<pair>", "exec"), namespace)
    from autograder.reference import wishes
    for name in ("sigmoid", "output_wishes", "weighted_sum_wishes", "three_wishes", "propagate_wishes"):
        namespace[name] = getattr(wishes, name)
    exec(compile(MAKES_UP, "<pair>", "exec"), namespace)
    graded = graded_function(ASSIGNMENT, "network_wishes")
    assert run_checks(graded, namespace["network_wishes"], hidden_cases(graded)) > 0  # no callees: passes
    with pytest.raises(CheckFailed, match="right only together with your average_wishes"):
        run_checks(graded, namespace["network_wishes"], hidden_cases(graded),
                   lambda: learner_callees("network_wishes", namespace["network_wishes"],
                                           {"average_wishes": graded_function(ASSIGNMENT, "average_wishes")},
                                           hidden=True))
    assert namespace["average_wishes"].__code__.co_name == "average_wishes"  # the swap was put back


def test_the_kernel_hidden_tests_fail_the_caller_that_makes_up_for_its_callee():
    with pytest.raises(CheckFailed) as failed:
        graded_in_process(ASSIGNMENT, "network_wishes", PAIR)
    assert "average_wishes" in str(failed.value)


def test_the_judge_fails_the_caller_that_makes_up_for_its_callee():
    (out,) = graded_by_judge(ASSIGNMENT, "network_wishes", PAIR)
    assert out["output_type"] == "error", out
    assert "average_wishes" in out["evalue"] and "correct average_wishes" in out["evalue"], out["evalue"]


def _callers():
    """(assignment, function) of every graded function whose instructor's answer calls another."""
    from autograder.specs import all_specs
    from course.checking import names_called_in_source
    from judging import solution_cells

    found = []
    for assignment, specs in sorted(all_specs().items()):
        for cell in solution_cells(assignment):
            name = cell.metadata.get("nbgrader", {}).get("grade_id")
            if name in specs and set(names_called_in_source(cell.source, name)) & (set(specs) - {name}):
                found.append((assignment, name))
    return found


CALLERS = _callers()


def test_the_callers_include_those_with_a_function_argument():
    """derivative_check hands its callee the learner's function f: the judge cannot hand that to
    the reference, so that callee is left unswapped (no verdict), and the answer still passes."""
    assert ("04_nudging", "derivative_check") in CALLERS and len(CALLERS) >= 10


@pytest.mark.slow  # one judge session per function
@pytest.mark.parametrize("assignment,function", CALLERS, ids=[f"{a}:{f}" for a, f in CALLERS])
def test_the_instructors_answer_passes_with_its_callees_swapped(assignment, function):
    """Honest work: every caller, with the instructor's callees, passes under the judge and in a
    kernel (the hidden tests swap each callee for the reference's)."""
    (out,) = graded_by_judge(assignment, function, {})
    assert out["output_type"] == "stream" and "passed" in out["text"], out
    graded_in_process(assignment, function, {})


# ------------------------------------------------------------------ "your line"

TRANSPOSED = "def dense_forward(X, W, b):\n    Z = X @ W.T + b\n    return Z\n"


def test_your_line_is_the_learners_line_under_both_engines():
    """A shape error in the learner's code, graded: the message quotes the learner's line, not a
    line of the grader (the judge raises the learner's exception on its side of the pipe)."""
    (out,) = graded_by_judge("02_layers", "dense_forward", {"dense_forward": TRANSPOSED})
    assert "In your line `Z = X @ W.T + b`" in out["evalue"], out["evalue"]
    with pytest.raises(CheckFailed) as failed:
        graded_in_process("02_layers", "dense_forward", {"dense_forward": TRANSPOSED})
    assert "In your line `Z = X @ W.T + b`" in str(failed.value), str(failed.value)


def test_train_is_graded_with_the_courses_forward_pass_and_checked_with_the_learners(monkeypatch):
    """While grading, train's digit check scores the trained network with the course's mlp_forward
    (the specs set it), so a broken mlp_forward costs only its own points; a learner's visible check
    (no specs loaded) uses the learner's own mlp_forward and says so when there is none."""
    import autograder.specs.whole_picture  # noqa: F401 (sets the grading forward pass)
    from autograder.reference import mlp
    from course import check_inputs

    assert check_inputs.GRADING_FORWARD is mlp.mlp_forward
    monkeypatch.setattr(check_inputs, "GRADING_FORWARD", None)
    namespace = {}
    exec("from autograder.reference.mlp import train as _train\n"
         "def train(*args):\n    return _train(*args)\n", namespace)
    with pytest.raises(CheckFailed, match="measured with your own mlp_forward: define it"):
        check_inputs.trains_on_digits("lesson 10", namespace["train"])
