"""Wrong answers beyond the catalogue (tests/wrong_answers.py) lose points, and most show FAIL.

Every entry must fail the hidden tests (it keeps no point of its function); every entry marked
`visible` must also fail the visible checks, so the learner sees FAIL before handing it in.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograder.specs import all_specs
from course.checking import CheckFailed, hidden_cases, run_checks
from wrong_answers import WRONG


def _passes(graded, fn, cases):
    try:
        run_checks(graded, fn, cases)
    except CheckFailed:
        return False
    return True


def measure():
    """[(entry, passes the visible checks, keeps the hidden points)] for every entry."""
    rows = []
    for wrong in WRONG:
        graded = all_specs()[wrong.assignment][wrong.function]
        rows.append((wrong, _passes(graded, wrong.fn, graded.visible_cases()),
                     _passes(graded, wrong.fn, hidden_cases(graded))))
    return rows


def format_table(rows):
    lines = ["| exercise | function | family | wrong answer | visible check | hidden tests |",
             "|---|---|---|---|---|---|"]
    for wrong, visible, hidden in rows:
        lines.append(f"| {wrong.assignment} | `{wrong.function}` | {wrong.family} | {wrong.what} | "
                     f"{'PASS' if visible else 'FAIL'} | {'full marks' if hidden else 'loses its points'} |")
    seen, kept = sum(v for _, v, _ in rows), sum(h for _, _, h in rows)
    lines.append(f"\n{seen} of {len(rows)} pass the visible checks; {kept} of {len(rows)} keep their points.")
    return "\n".join(lines)


IDS = [f"{w.assignment}:{w.function}:{w.what}" for w in WRONG]


@pytest.mark.parametrize("wrong", WRONG, ids=IDS)
def test_a_wrong_answer_loses_its_points(wrong):
    graded = all_specs()[wrong.assignment][wrong.function]
    assert not _passes(graded, wrong.fn, hidden_cases(graded)), f"{wrong.what} keeps full marks"


@pytest.mark.parametrize("wrong", [w for w in WRONG if w.visible],
                         ids=[i for i, w in zip(IDS, WRONG) if w.visible])
def test_a_wrong_answer_the_wording_rules_out_fails_the_visible_checks(wrong):
    graded = all_specs()[wrong.assignment][wrong.function]
    assert not _passes(graded, wrong.fn, graded.visible_cases()), f"{wrong.what} shows PASS"


# ------------------------------------------------------ the visible cases' own shape

def _arrays(args):
    return [a for a in args if isinstance(a, np.ndarray) and a.ndim >= 2]


def _tells_dimensions_apart(case):
    """A case where a batch bug, an axis mix-up or a transpose changes the result: its batch n
    (the first axis of its first matrix argument) is at least 2 and equals no other dimension,
    and no matrix argument is square."""
    arrays = _arrays(case.args)
    if not arrays:
        return True
    n = arrays[0].shape[0]
    others = [d for a in arrays for d in (a.shape[1:] if a.shape[0] == n else a.shape)]
    return n >= 2 and n not in others and all(len(set(a.shape)) == a.ndim for a in arrays)


GRADED = [(a, name, g) for a, fns in sorted(all_specs().items()) for name, g in fns.items()]


@pytest.mark.parametrize("assignment,name,graded", GRADED, ids=[f"{a}:{n}" for a, n, _ in GRADED])
def test_every_function_has_two_visible_cases_one_telling_every_dimension_apart(assignment, name, graded):
    cases = graded.visible_cases()
    assert len(cases) >= 2, f"{name} has {len(cases)} visible case"
    assert any(_tells_dimensions_apart(c) for c in cases), [c.label for c in cases]


# -------------------------------------- honest formulas pass the tight checks of exercise 1

def _stable_sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


HONEST_FORMULAS = [
    ("sigmoid", "exp(-|z|) split by sign", _stable_sigmoid),
    ("tanh", "2 * sigmoid(2z) - 1", lambda z: 2.0 * _stable_sigmoid(2.0 * np.asarray(z, dtype=np.float64)) - 1.0),
    ("tanh", "sign(z) (1 - exp(-2|z|)) / (1 + exp(-2|z|))",
     lambda z: np.sign(z) * -np.expm1(-2.0 * np.abs(z)) / (1.0 + np.exp(-2.0 * np.abs(z)))),
    ("sigmoid_prime", "exp(-|z|) / (1 + exp(-|z|))^2",
     lambda z: np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))) ** 2),
    ("sigmoid_prime", "s * (1 - s)", lambda z: _stable_sigmoid(z) * (1.0 - _stable_sigmoid(z))),
    ("tanh_prime", "1 / cosh(z)^2", lambda z: 1.0 / np.cosh(np.asarray(z, dtype=np.float64)) ** 2),
    ("tanh_prime", "1 - tanh(z)^2", lambda z: 1.0 - np.tanh(z) ** 2),
    ("relu_prime", "np.where(z > 0, 1.0, 0.0)", lambda z: np.where(np.asarray(z) > 0, 1.0, 0.0)),
]


@pytest.mark.parametrize("name,how,fn", HONEST_FORMULAS, ids=[f"{n}:{h}" for n, h, _ in HONEST_FORMULAS])
def test_any_honest_way_of_writing_an_activation_formula_keeps_its_points(name, how, fn):
    graded = all_specs()["01_neuron"][name]
    assert _passes(graded, fn, graded.visible_cases()) and _passes(graded, fn, hidden_cases(graded)), how
