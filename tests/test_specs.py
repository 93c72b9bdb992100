"""Every graded function's checks: the reference passes, known-wrong code fails.

This is the mutation test of the hidden tests. Each catalogued mistake, and a
set of generic mutants built from the reference (sign flip, doubled, slightly
off, float32, transposed), is run through the same hidden checks the
autograder uses; each must fail, and a catalogued mistake must be named.
"""

import re
from functools import lru_cache
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.specs import all_specs
from course.checking import CheckFailed, hidden_cases, run_checks

ROOT = Path(__file__).resolve().parent.parent

GRADED = [(a, name, g) for a, fns in sorted(all_specs().items()) for name, g in fns.items()]
IDS = [f"{a}:{name}" for a, name, _ in GRADED]
MISTAKES = [(a, name, g, m) for a, name, g in GRADED for m in g.mistakes]
MISTAKE_IDS = [f"{a}:{name}:{m.name}" for a, name, g, m in MISTAKES]


def _map_outputs(graded, transform):
    """A mutant that applies transform to every array the reference returns."""
    def mutant(*args):
        result = graded.reference(*args)
        if len(graded.outputs) > 1:
            return tuple(transform(r) for r in result)
        return transform(result)
    return mutant


def _reference_outputs(graded, case):
    result = graded.reference(*case.args)
    return result if len(graded.outputs) > 1 else (result,)


def _negate(x):
    return -np.asarray(x) if isinstance(x, np.ndarray) else -x


def _double(x):
    return 2 * np.asarray(x) if isinstance(x, np.ndarray) else 2 * x


def _nudge(x):
    return (np.asarray(x) + 1e-3) if isinstance(x, np.ndarray) else x + 1e-3


def _float32(x):
    return np.asarray(x, dtype=np.float32) if isinstance(x, np.ndarray) else np.float32(x)


def _transpose(x):
    return x.T.copy() if isinstance(x, np.ndarray) and x.ndim == 2 else x


GENERIC_MUTANTS = {"negated": _negate, "doubled": _double, "off by 1e-3": _nudge,
                   "float32": _float32}


def test_every_assignment_has_graded_functions():
    specs = all_specs()
    assert "01_neuron" in specs
    for assignment, fns in specs.items():
        assert fns, f"{assignment} has no graded functions"
        for name, graded in fns.items():
            assert graded.name == name


@pytest.mark.parametrize("assignment,name,graded", GRADED, ids=IDS)
def test_reference_passes_visible_and_hidden(assignment, name, graded):
    assert run_checks(graded, graded.reference, graded.visible_cases()) >= 1
    assert run_checks(graded, graded.reference, hidden_cases(graded)) >= 3


@pytest.mark.parametrize("assignment,name,graded", GRADED, ids=IDS)
def test_hidden_cases_are_reproducible(assignment, name, graded):
    first, second = hidden_cases(graded), hidden_cases(graded)
    for a, b in zip(first, second):
        for x, y in zip(a.args, b.args):
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("assignment,name,graded,mistake", MISTAKES, ids=MISTAKE_IDS)
def test_catalogued_mistake_fails_hidden_checks_and_is_named(assignment, name, graded, mistake):
    with pytest.raises(CheckFailed) as failure:
        run_checks(graded, mistake.implementation, hidden_cases(graded))
    assert mistake.name in str(failure.value), str(failure.value)


@pytest.mark.parametrize("assignment,name,graded,mistake", MISTAKES, ids=MISTAKE_IDS)
def test_catalogued_mistake_points_to_a_lesson(assignment, name, graded, mistake):
    assert mistake.explanation.strip() and mistake.lesson.startswith("lesson ")
    found = re.fullmatch(r'lesson \d+ \((lessons/\d\d_\w+\.ipynb)\)(?:, section "(.+)")?', mistake.lesson)
    assert found, mistake.lesson
    headings = _lesson_headings(found.group(1))
    assert found.group(2) is None or found.group(2) in headings, (
        f"{mistake.lesson}: no such heading; the lesson's headings are {sorted(headings)}")


@lru_cache(maxsize=None)
def _lesson_headings(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    return {line.lstrip("#").strip() for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("#")}


# The misconceptions every backprop course meets; each must be catalogued (and so named
# in feedback) for the function where a learner makes it.
REQUIRED_MISTAKES = [
    ("01_neuron", "sigmoid", "sign flip"),
    ("09_chain_rule", "sigmoid_backward", "missing sigma'"),
    ("10_whole_picture", "mlp_backward", "missing the ReLU slope"),
    ("09_chain_rule", "dense_backward", "transposed dW"),
    ("10_whole_picture", "mlp_backward", "transposed dW"),
    ("10_whole_picture", "mlp_backward", "forgot the batch average"),
    ("07_training", "mean_gradient", "summed instead of averaged"),
    ("09_chain_rule", "dense_backward", "bias gradient not summed over the batch"),
    ("04_nudging", "central_difference", "forward difference used where central was asked"),
    ("05_numerical_gradient", "numerical_gradient", "forward difference used where central was asked"),
    ("05_numerical_gradient", "numerical_gradient", "off-by-one in the nudge restore"),
    # issue 15: reusing the output where the input was meant, a missing or wrong factor
    ("01_neuron", "sigmoid_prime", "missing the s factor"),            # 1 - s
    ("01_neuron", "sigmoid_prime", "mixed s and z"),                   # s * (1 - z)
    ("01_neuron", "tanh_prime", "missing the square"),                 # 1 - tanh
    ("01_neuron", "relu_prime", "slope 1 at z = 0"),
    ("09_chain_rule", "sigmoid_backward", "multiplied by s instead of s * (1 - s)"),  # dA * s
    ("03_loss", "mse", "plain mean over every entry"),                 # np.mean
    ("03_loss", "mse_gradient", "sign flip"),
]


@pytest.mark.parametrize("assignment,name,phrase", REQUIRED_MISTAKES)
def test_required_misconceptions_are_catalogued(assignment, name, phrase):
    names = [m.name for m in all_specs()[assignment][name].mistakes]
    assert any(phrase in n for n in names), names


@pytest.mark.parametrize("mutant", sorted(GENERIC_MUTANTS))
@pytest.mark.parametrize("assignment,name,graded", GRADED, ids=IDS)
def test_generic_mutant_fails_hidden_checks(assignment, name, graded, mutant):
    with pytest.raises(CheckFailed):
        run_checks(graded, _map_outputs(graded, GENERIC_MUTANTS[mutant]), hidden_cases(graded))


@pytest.mark.parametrize("assignment,name,graded", GRADED, ids=IDS)
def test_transposed_output_fails_where_an_output_is_a_matrix(assignment, name, graded):
    cases = hidden_cases(graded)
    shapes = [np.shape(out) for case in cases for out in _reference_outputs(graded, case)]
    if not any(len(s) == 2 and s[0] != s[1] for s in shapes):
        pytest.skip("no non-square matrix output to transpose")
    with pytest.raises(CheckFailed, match="transposed"):
        run_checks(graded, _map_outputs(graded, _transpose), cases)


@pytest.mark.parametrize("assignment,name,graded", GRADED, ids=IDS)
def test_unwritten_function_is_reported_as_not_written(assignment, name, graded):
    def blank(*args):
        raise NotImplementedError()
    with pytest.raises(CheckFailed, match="not written yet"):
        run_checks(graded, blank, graded.visible_cases())


@pytest.mark.parametrize("assignment,name,graded", GRADED, ids=IDS)
def test_a_float32_answer_names_no_mistake(assignment, name, graded):
    """Only the dtype is wrong: the message says so and names no unrelated mistake."""
    with pytest.raises(CheckFailed) as failure:
        run_checks(graded, _map_outputs(graded, _float32), hidden_cases(graded))
    assert "known mistake" not in str(failure.value), str(failure.value)


@pytest.mark.parametrize("assignment,name,graded,mistake", MISTAKES, ids=MISTAKE_IDS)
def test_a_named_mistake_explains_every_hidden_case(assignment, name, graded, mistake):
    """No other catalogued mistake is named for this one: each is told apart on the hidden cases."""
    with pytest.raises(CheckFailed) as failure:
        run_checks(graded, mistake.implementation, hidden_cases(graded))
    others = [m.name for m in graded.mistakes if m is not mistake and f": {m.name}." in str(failure.value)
              or f"- {m.name}." in str(failure.value)]
    assert not [o for o in others if o != mistake.name], str(failure.value)
