"""Learner self-checks: the visible checks an exercise's check cells run.

    from course.checks import VisibleChecks
    check = VisibleChecks("01_neuron")
    check("sigmoid", sigmoid)

A passing check says what it checked and reminds the learner that hidden
tests check more when the work is graded; a failing check raises an
AssertionError whose message names the mistake (see autograder.checking).
"""

from autograder.checking import CheckFailed, learner_callees, run_checks
from autograder.specs import all_specs, graded_function
from course import progress


class VisibleChecks:
    """The visible checks of one exercise, called as check(name, function)."""

    def __init__(self, assignment):
        self.assignment = assignment

    def __call__(self, name, learner_fn):
        __tracebackhide__ = True
        graded = graded_function(self.assignment, name)
        try:
            callees = lambda: learner_callees(name, learner_fn, all_specs()[self.assignment])  # noqa: E731
            count = run_checks(graded, learner_fn, graded.visible_cases(), callees)
        except CheckFailed:
            progress.record(self.assignment, name, False)
            raise
        progress.record(self.assignment, name, True)
        print(f"PASS {name}: {count} visible check{'s' if count != 1 else ''} passed "
              f"(values within rtol {graded.rtol:g}, shape, dtype, inputs unchanged). "
              "Hidden tests check more inputs when your work is graded.")
