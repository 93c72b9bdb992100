"""A visible PASS means the wording holds: no catalogued mistake passes the visible checks.

tests/test_specs.py runs its mutation corpus (each catalogued mistake, and generic mutants of the
reference: negated, doubled, off by 1e-3, float32, transposed) through the hidden checks. This test
runs the same corpus through the visible cases only, the checks a learner's check cell runs, and
asserts that every catalogued mistake fails them: whatever the exercise's wording announces (large
scores, a deeper network, a zero row) is in the visible cases, so a learner whose check passes does
not meet it first in the hidden tests. The generic mutants' share is reported, not asserted.

Run as a script for the table: `.venv/bin/python tests/test_visible_cases.py`.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograder.specs import all_specs
from course.checking import CheckFailed, hidden_cases, run_checks
from test_specs import GENERIC_MUTANTS, _map_outputs, _reference_outputs, _transpose


def passes_visible(graded, fn):
    """True when fn passes every visible check of graded (the learner would see PASS)."""
    try:
        run_checks(graded, fn, graded.visible_cases())
    except CheckFailed:
        return False
    return True


def _transposing_matters(graded):
    """The same condition as test_specs: some hidden output is a non-square matrix."""
    return any(len(np.shape(out)) == 2 and np.shape(out)[0] != np.shape(out)[1]
               for case in hidden_cases(graded) for out in _reference_outputs(graded, case))


def generic_mutants(graded):
    """{mutant name: wrong implementation}: the generic mutants test_specs builds for graded."""
    found = {name: _map_outputs(graded, t) for name, t in sorted(GENERIC_MUTANTS.items())}
    if _transposing_matters(graded):
        found["transposed"] = _map_outputs(graded, _transpose)
    return found


def measure():
    """{assignment: {"mistakes": (passing, total, [names]), "generic": (passing, total, [names])}}."""
    table = {}
    for assignment, fns in sorted(all_specs().items()):
        caught = {"mistakes": [0, 0, []], "generic": [0, 0, []]}
        for name, graded in fns.items():
            for mistake in graded.mistakes:
                caught["mistakes"][1] += 1
                if passes_visible(graded, mistake.implementation):
                    caught["mistakes"][0] += 1
                    caught["mistakes"][2].append(f"{name}: {mistake.name}")
            for mutant, fn in generic_mutants(graded).items():
                caught["generic"][1] += 1
                if passes_visible(graded, fn):
                    caught["generic"][0] += 1
                    caught["generic"][2].append(f"{name}: {mutant}")
        table[assignment] = {k: tuple(v) for k, v in caught.items()}
    return table


def format_table(table):
    """A markdown table: per exercise, the wrong implementations that pass every visible check."""
    rows = ["| exercise | catalogued mistakes passing | generic mutants passing |",
            "|---|---|---|"]
    totals = [0, 0, 0, 0]
    for assignment, row in table.items():
        (mp, mt, _), (gp, gt, _) = row["mistakes"], row["generic"]
        rows.append(f"| {assignment} | {mp} of {mt} ({mp / mt:.0%}) | {gp} of {gt} ({gp / gt:.0%}) |")
        totals = [totals[0] + mp, totals[1] + mt, totals[2] + gp, totals[3] + gt]
    mp, mt, gp, gt = totals
    rows.append(f"| all | {mp} of {mt} ({mp / mt:.0%}) | {gp} of {gt} ({gp / gt:.0%}) |")
    names = [f"- {a}: {n}" for a, row in table.items() for kind in ("mistakes", "generic")
             for n in row[kind][2]]
    return "\n".join(rows + (["", "passing every visible check:"] + names if names else []))


def _softmax_global_max(Z):
    e = np.exp(Z - np.max(Z))
    return e / np.sum(e, axis=1, keepdims=True)


def _log_sum_exp_global_max(Z):
    m = np.max(Z)
    return m + np.log(np.sum(np.exp(Z - m), axis=1))


def _two_layer_network_forward(params, X):
    from autograder.reference.numerical_gradient import sigmoid
    hidden = sigmoid(X @ params["W1"] + params["b1"])
    return sigmoid(hidden @ params["W2"] + params["b2"])


# Wrong answers the wording rules out that are not in the misconception catalogue (a visible
# check cannot name them, but must not pass them either).
WORDING_MUTANTS = [
    ("03_loss", "softmax", "shifted by the whole array's maximum", _softmax_global_max),
    ("03_loss", "log_sum_exp", "shifted by the whole array's maximum", _log_sum_exp_global_max),
    ("05_numerical_gradient", "network_forward", "exactly two layers", _two_layer_network_forward),
    ("10_whole_picture", "softmax", "shifted by the whole array's maximum", _softmax_global_max),
]


@pytest.mark.parametrize("assignment,name,what,wrong", WORDING_MUTANTS,
                         ids=[f"{a}:{n}:{w}" for a, n, w, _ in WORDING_MUTANTS])
def test_wrong_answers_the_wording_rules_out_fail_the_visible_checks(assignment, name, what, wrong):
    assert not passes_visible(all_specs()[assignment][name], wrong), f"{name} {what} passes"


def test_no_catalogued_mistake_passes_the_visible_checks():
    table = measure()
    passing = [n for row in table.values() for n in row["mistakes"][2]]
    assert not passing, "\n" + format_table(table)


if __name__ == "__main__":
    print(format_table(measure()))
