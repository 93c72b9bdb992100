"""Learner self-checks: the visible checks an exercise's check cells run.

    from course.checks import VisibleChecks
    check = VisibleChecks("01_neuron")
    check("sigmoid", sigmoid)

A passing check says what it checked and reminds the learner that hidden
tests check more when the work is graded; a failing check raises an
AssertionError whose message names the mistake (see autograder.checking).
"""

import types

from autograder.checking import CheckFailed, learner_callees, run_checks
from autograder.specs import all_specs, graded_function
from course import progress

COURSE_PACKAGES = ("course", "autograder")


def _from_the_course(obj):
    module = getattr(obj, "__module__", None) or getattr(obj, "__name__", "")
    return isinstance(module, str) and module.split(".")[0] in COURSE_PACKAGES


def borrowed(name, fn):
    """Why `fn` is the course's own `name` rather than the learner's (None if it is the learner's):
    the course's function itself, or a function that calls a course function of that name."""
    if isinstance(fn, types.FunctionType) and _from_the_course(fn):
        return f"{name} is the course's own {fn.__module__}.{fn.__name__}"
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    for ref in code.co_names:
        target = getattr(fn, "__globals__", {}).get(ref)
        if isinstance(target, types.ModuleType) and _from_the_course(target) and name in code.co_names:
            found = getattr(target, name, None)
            if callable(found):
                return f"{name} calls the course's own {target.__name__}.{name}"
        elif (callable(target) and getattr(target, "__name__", None) == name
              and _from_the_course(target)):
            return f"{name} calls the course's own {target.__module__}.{name} (as {ref})"
    return None


class VisibleChecks:
    """The visible checks of one exercise, called as check(name, function)."""

    def __init__(self, assignment):
        self.assignment = assignment

    def __call__(self, name, learner_fn):
        __tracebackhide__ = True
        graded = graded_function(self.assignment, name)
        copied = borrowed(name, learner_fn)
        if copied:
            progress.record(self.assignment, name, False)
            raise CheckFailed(f"{copied} instead of computing it: write {name} yourself. The "
                              "hidden tests grade your own code, and the course's copy is not "
                              "available while your work is graded.")
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
