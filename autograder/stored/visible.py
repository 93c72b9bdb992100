"""The visible checks' expected results, stored for the learner's edition.

For each exercise, `visible_<assignment>` holds every graded function's visible cases (inputs,
label, argument names), the reference's result on each, each catalogued mistake's result on each
(or that it raised), the mistake's name, explanation and lesson section, the tolerances, and the
extra checks (course functions, stored by name). `course.checks.VisibleChecks` runs the learner's
function against these, with the same engine and the same messages as the hidden tests, so the
visible checks need neither the reference nor the mistakes' code.
"""

import copy

from autograder.specs import all_specs
from autograder.stored import produces
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


for _assignment in all_specs():
    produces(f"visible_{_assignment}")(_producer(_assignment))
