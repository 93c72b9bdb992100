"""The visible checks' expected results, stored for the learner's edition.

For each exercise, `visible_<assignment>` holds every graded function's visible cases (inputs,
label, argument names), the reference's result on each, each catalogued mistake's result on each
(or that it raised), the mistake's name, explanation and lesson section, the tolerances, and the
extra checks (course functions, stored by name). `course.checks.VisibleChecks` runs the learner's
function against these, with the same engine and the same messages as the hidden tests, so the
visible checks need neither the reference nor the mistakes' code.
"""

import copy

import numpy as np

from autograder.specs import all_specs
from autograder.stored import map_floats, produces
from course.checking import call_quietly
from course.checks import Raised


def _result(fn, args):
    try:
        return call_quietly(fn, copy.deepcopy(args))
    except Exception:  # a catalogued mistake that cannot run on this case
        return Raised


def visible_record(graded):
    """The stored form of one graded function's visible checks."""
    cases = graded.visible_cases()
    return {
        "outputs": graded.outputs, "rtol": graded.rtol, "atol": graded.atol,
        "tuple_only": graded.tuple_only,
        "cases": [(case.args, case.label, case.names) for case in cases],
        "expected": [call_quietly(graded.reference, copy.deepcopy(case.args)) for case in cases],
        "mistakes": [(m.name, m.explanation, m.lesson,
                      [_result(m.implementation, case.args) for case in cases])
                     for m in graded.mistakes],
        "extra_checks": list(graded.extra_checks),
    }


def _producer(assignment):
    def produce():
        return {name: visible_record(graded) for name, graded in all_specs()[assignment].items()}
    return produce


# A stored expected result may move, from one processor to another, by this fraction of the
# check's own tolerance (|yours - expected| <= rtol * |expected| + atol): a hundredth of it cannot
# turn a verdict, and the messages print six significant digits, or "about zero" for what is
# below atol (round-off, such as a derivative check's 1e-11 on a correct derivative).
SHARE_OF_CHECK_TOLERANCE = 0.01


def check_slack(fresh):
    """Per-entry allowances for a visible record's results: SHARE_OF_CHECK_TOLERANCE of the
    tolerance its check applies to them."""
    slack = {}
    for name, record in fresh.items():
        def allow(x, rtol=record["rtol"], atol=record["atol"]):
            return SHARE_OF_CHECK_TOLERANCE * (rtol * np.abs(x) + atol)
        slack[name] = {"expected": map_floats(record["expected"], allow),
                       "mistakes": [[None, None, None, map_floats(results, allow)]
                                    for *_, results in record["mistakes"]]}
    return slack


for _assignment in all_specs():
    produces(f"visible_{_assignment}", slack=check_slack)(_producer(_assignment))
