"""What the hidden test cells call: the spec's randomised cases, judged by the engine.

A grade cell's hidden part holds one line,
`HiddenTests("<assignment>").check("<function name>", <function>)`, so the feedback
a learner receives shows the result of the checks, never their inputs or the
reference code. Stock nbgrader and `--engine kernel` run that line; the judge
never runs a grade cell and runs the same checks itself (`autograder.judge`).
"""

from autograder.specs import all_specs, graded_function
from course.checking import hidden_cases, learner_callees, run_checks


class HiddenTests:
    """The hidden checks of one assignment."""

    def __init__(self, assignment):
        self.assignment = assignment

    def check(self, name, learner_fn):
        __tracebackhide__ = True
        graded = graded_function(self.assignment, name)
        def callees():
            return learner_callees(name, learner_fn, all_specs()[self.assignment], hidden=True)

        run_checks(graded, learner_fn, hidden_cases(graded), callees)
