"""Learner self-checks: the visible checks an exercise's check cells run.

    from course.checks import VisibleChecks
    check = VisibleChecks("01_neuron")
    check("sigmoid", sigmoid)

A passing check says what it checked and reminds the learner that hidden tests check more when
the work is graded; a failing check raises an AssertionError whose message names the mistake
(see course.checking). The checks compare with stored results (course/data/visible_*.json: each
visible case's inputs, the expected result, and what each known mistake returns on it), so the
course needs no answer key to run them; the grader's hidden tests use the same engine.
"""

import copy
import types

from course import progress, stored
from course.checking import Case, CheckFailed, GradedFunction, Mistake, learner_callees, run_checks

COURSE_PACKAGES = ("course", "autograder")


class Raised:
    """Stored in place of a result: this known mistake raises an error on that case."""


class Replay:
    """Plays back stored results: called with one of the stored cases' arguments, it returns the
    result stored for that case (a copy), or raises where the stored result is `Raised`."""

    def __init__(self, name, cases, results):
        self.__name__ = name
        self.cases = cases
        self.results = results

    def __call__(self, *args):
        from course.checking import _same
        for case, result in zip(self.cases, self.results):
            if len(args) == len(case.args) and all(_same(a, b) for a, b in zip(args, case.args)):
                if result is Raised:
                    raise ValueError(f"{self.__name__} cannot run on {case.label}")
                return copy.deepcopy(result)
        raise LookupError(f"no stored result of {self.__name__} for these arguments")


def _stored(assignment):
    try:
        return stored.load(f"visible_{assignment}")
    except FileNotFoundError:
        raise ValueError(f"no visible checks for {assignment!r}") from None


def graded_names(assignment):
    """The names of the functions an exercise grades, in the order the exercise asks for them."""
    try:
        return list(_stored(assignment))
    except ValueError:
        return []


def visible_spec(name, record):
    """A GradedFunction that checks the visible cases of one function against stored results."""
    cases = [Case(args, label, names) for args, label, names in record["cases"]]
    return GradedFunction(
        name=name,
        reference=Replay(name, cases, record["expected"]),
        visible_cases=lambda: list(cases),
        hidden_cases=lambda rng: [],
        mistakes=tuple(Mistake(m_name, explanation, lesson, Replay(m_name, cases, results))
                       for m_name, explanation, lesson, results in record["mistakes"]),
        outputs=record["outputs"], rtol=record["rtol"], atol=record["atol"],
        tuple_only=record["tuple_only"], extra_checks=tuple(record["extra_checks"]))


def visible_specs(assignment):
    """{function name: GradedFunction} for an exercise's visible checks."""
    return {name: visible_spec(name, record) for name, record in _stored(assignment).items()}


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
        self.specs = visible_specs(assignment)

    def __call__(self, name, learner_fn):
        __tracebackhide__ = True
        if name not in self.specs:
            raise ValueError(f"{self.assignment} has no graded function {name!r}")
        graded = self.specs[name]
        copied = borrowed(name, learner_fn)
        if copied:
            progress.record(self.assignment, name, False)
            raise CheckFailed(f"{copied} instead of computing it: write {name} yourself. The "
                              "hidden tests grade your own code, and the course's copy is not "
                              "available while your work is graded.")
        try:
            def callees():
                return learner_callees(name, learner_fn, self.specs)
            count = run_checks(graded, learner_fn, graded.visible_cases(), callees)
        except CheckFailed:
            progress.record(self.assignment, name, False)
            raise
        progress.record(self.assignment, name, True)
        print(f"PASS {name}: {count} visible check{'s' if count != 1 else ''} passed "
              f"(values within rtol {graded.rtol:g}, shape, dtype, inputs unchanged). "
              "Hidden tests check more inputs when your work is graded.")
