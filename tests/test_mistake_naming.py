"""A catalogued mistake is named whichever right way the learner wrote the rest, and the visible
check and the graded feedback name the same mistake.

- Per output: in a function with several outputs, a learner who made a catalogued mistake in one
  output and wrote the others right (perhaps another way than the catalogue's implementation,
  which may carry the mistake on into later outputs) is told which mistake it is. Each case here
  is the reference's outputs with one output taken from a mistake's implementation (every
  output a mistake changes, for every multi-output function). Before outputs were matched one by
  one, 22 of these 116 were named.
- Edges: two empty results are the same whatever their shapes (`np.array([])` against an empty
  (0, k) array), so an edge case with no steps hides no mistake (`minimise` without its starting
  point went unnamed in the hidden tests, though the visible check named it).
- The same diagnosis: every catalogued mistake, and every one-output splice, is named the same on
  the visible cases as on the hidden ones.
"""

import copy
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograder.specs import all_specs, graded_function
from course.checking import CheckFailed, _as_outputs, _outputs_of, _values_match, hidden_cases, run_checks
from judging import graded_by_judge, graded_in_process


def _differs(graded, mistake, k, cases):
    for case in cases:
        try:
            wrong = _outputs_of(graded, mistake.implementation, case)[k]
        except Exception:
            continue
        if not _values_match(wrong, _outputs_of(graded, graded.reference, case)[k], graded.rtol, graded.atol):
            return True
    return False


def _splices():
    found = []
    for assignment, specs in all_specs().items():
        for name, graded in specs.items():
            if len(graded.outputs) < 2:
                continue
            for mistake in graded.mistakes:
                for k, output in enumerate(graded.outputs):
                    if _differs(graded, mistake, k, hidden_cases(graded)):
                        found.append(pytest.param(graded, mistake, k,
                                                  id=f"{assignment}:{name}:{mistake.name}:{output}"))
    return found


SPLICES = _splices()
MISTAKES = [pytest.param(g, m, id=f"{a}:{n}:{m.name}") for a, s in all_specs().items()
            for n, g in s.items() for m in g.mistakes]


def spliced(graded, mistake, k):
    """The reference, except output k, which is the mistake's."""
    def learner(*args):
        right = _as_outputs(graded.reference(*copy.deepcopy(args)), graded.outputs, graded.name)
        wrong = _as_outputs(mistake.implementation(*copy.deepcopy(args)), graded.outputs, graded.name)
        return tuple(wrong[i] if i == k else right[i] for i in range(len(right)))
    return learner


def named(graded, fn, cases):
    """The mistakes a failed check names (None if it passed)."""
    try:
        run_checks(graded, fn, cases)
    except CheckFailed as failed:
        return tuple(failed.mistakes)
    return None


def test_there_are_splices_in_every_multi_output_exercise():
    assert len(SPLICES) >= 100
    assert {p.values[0].name for p in SPLICES} >= {"two_layer_forward", "chain_backward", "mlp_backward",
                                                    "worked_example_step", "cross_entropy_backward"}


@pytest.mark.parametrize("graded,mistake,k", SPLICES)
def test_a_mistake_in_one_output_is_named_in_the_hidden_tests(graded, mistake, k):
    found = named(graded, spliced(graded, mistake, k), hidden_cases(graded))
    assert found is not None, "the hidden tests passed it"
    assert mistake.name in found, found


@pytest.mark.parametrize("graded,mistake,k", SPLICES)
def test_the_visible_check_names_the_same_mistake_for_a_one_output_splice(graded, mistake, k):
    fn = spliced(graded, mistake, k)
    visible = named(graded, fn, graded.visible_cases())
    if visible is None:  # the visible cases do not reach this output's difference
        pytest.skip("the visible cases do not show this difference")
    assert visible == named(graded, fn, hidden_cases(graded))


@pytest.mark.parametrize("graded,mistake", MISTAKES)
def test_the_visible_check_and_the_hidden_tests_name_the_same_mistake(graded, mistake):
    assert named(graded, mistake.implementation, graded.visible_cases()) == \
        named(graded, mistake.implementation, hidden_cases(graded)) == (mistake.name,)


# ------------------------------------------------------------------ as learners write them

NO_START = ("def minimise(gradient_fn, theta0, learning_rate, steps):\n"
            "    theta = np.array(theta0, dtype=np.float64)\n    history = []\n"
            "    for _ in range(steps):\n"
            "        theta = descent_step(theta, gradient_fn(theta), learning_rate)\n"
            "        history.append(theta)\n    return np.array(history)\n")
# dE/dz where the wording asks for the published delta (a wish, minus dE/dz); the rest right
GRADIENT_AS_DELTA = ("def worked_example_step(x, t, W1, W2, step):\n"
                     "    hidden = sigmoid(x @ W1)\n    output = float(sigmoid(hidden @ W2))\n"
                     "    dz_out = (output - t) * output * (1.0 - output)\n"
                     "    dz_hidden = dz_out * W2 * hidden * (1.0 - hidden)\n"
                     "    W2_new = W2 - step * dz_out * hidden\n"
                     "    W1_new = W1 - step * np.outer(x, dz_hidden)\n"
                     "    output_after = float(sigmoid(sigmoid(x @ W1_new) @ W2_new))\n"
                     "    return hidden, output, float(dz_out), W1_new, W2_new, output_after\n")
# the stable loss, written right; the gradient not divided by n
NO_AVERAGE = ("def cross_entropy_backward(logits, labels):\n    n = logits.shape[0]\n"
              "    shifted = logits - logits.max(axis=1, keepdims=True)\n"
              "    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
              "    loss = float(-log_p[np.arange(n), labels].mean())\n"
              "    dlogits = np.exp(log_p)\n    dlogits[np.arange(n), labels] -= 1.0\n"
              "    return loss, dlogits\n")
WRITTEN = [("06_descent", "minimise", NO_START, "history without the starting point"),
           ("09_chain_rule", "worked_example_step", GRADIENT_AS_DELTA, "output delta with the wrong sign"),
           ("10_whole_picture", "cross_entropy_backward", NO_AVERAGE, "forgot the batch average")]


@pytest.mark.parametrize("assignment,function,code,mistake", WRITTEN, ids=[w[1] for w in WRITTEN])
def test_mistakes_as_learners_write_them_are_named_by_both_engines(assignment, function, code, mistake):
    (out,) = graded_by_judge(assignment, function, {function: code})
    assert f"known mistake: {mistake}." in out["evalue"], out["evalue"]
    with pytest.raises(CheckFailed) as failed:
        graded_in_process(assignment, function, {function: code})
    assert mistake in failed.value.mistakes, str(failed.value)
    namespace = {}
    exec("import numpy as np\nfrom autograder.reference.descent import descent_step\n"
         "from autograder.reference.neuron import sigmoid\n" + code, namespace)
    graded = graded_function(assignment, function)
    assert named(graded, namespace[function], graded.visible_cases()) == (mistake,)
