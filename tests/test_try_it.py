"""A "Try it" cell that checks the learner's work can fail: fed each catalogued mistake, it
prints FAIL (or the mistake raises), and fed the reference, PASS.

Each cell is run as the notebook runs it: its own source, after the notebook's setup cell,
with the graded function replaced by the implementation under test.
"""

import contextlib
import io
from pathlib import Path

import nbformat
import pytest

from autograder.specs import all_specs

ROOT = Path(__file__).resolve().parent.parent

# What a Try it cell cannot see, and why: (assignment, function, mistake).
UNSEEN = {("08_wishes", "three_wishes", "previous-layer wishes ignore the weights"):
          "network_wishes passes wishes back with propagate_wishes; three_wishes' third result is unused"}

# (assignment, graded function, a phrase that finds the cell in the solution notebook, what a
# right run prints, what a wrong one prints)
TRY_IT = [("10_whole_picture", "mlp_backward", 'gradient_check("4-5-3-3"', "PASS", "FAIL"),
          ("05_numerical_gradient", "numerical_gradient", "toy_exact_gradient()", "-> PASS", "-> FAIL"),
          ("06_descent", "minimise", "compare_with_lesson(lr", "as in lesson 6", "NOT what lesson 6 shows"),
          ("06_descent", "losses_along", "compare_with_lesson(lr", "as in lesson 6", "NOT what lesson 6 shows"),
          ("06_descent", "step_factor", "compare_with_lesson(lr", "as in lesson 6", "NOT what lesson 6 shows")]
TRY_IT += [("08_wishes", name, "granting_verdict(costs)", "as right wishes make it fall", "NOT the run of right wishes")
           for name in ("output_wishes", "weighted_sum_wishes", "three_wishes", "propagate_wishes",
                        "average_wishes", "network_wishes")]


def _cells(assignment, phrase):
    """The solution notebook's setup cell, the cells that define its functions (which call one
    another through the notebook's names, as a learner's do), and the Try it cell."""
    path = ROOT / "solutions" / assignment / f"{assignment}_exercise.ipynb"
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    defining = [s for s in code[1:] if s.lstrip().startswith(("def ", "#")) and "\ndef " in "\n" + s
                and "check(" not in s]
    return code[0], defining, next(s for s in code if phrase in s)


def _printed(assignment, name, fn, phrase):
    setup, defining, cell = _cells(assignment, phrase)
    namespace = {}
    for source in [setup, *defining]:
        exec(compile(source, "notebook", "exec"), namespace)
    namespace[name] = fn
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(cell, "try it", "exec"), namespace)
    return out.getvalue()


@pytest.mark.parametrize("assignment,name,phrase,right,wrong", TRY_IT, ids=[f"{a}:{n}" for a, n, *_ in TRY_IT])
def test_a_try_it_cell_passes_the_reference_and_fails_every_catalogued_mistake(assignment, name, phrase,
                                                                                right, wrong):
    graded = all_specs()[assignment][name]
    printed = _printed(assignment, name, graded.reference, phrase)
    assert right in printed and wrong not in printed, printed
    for mistake in graded.mistakes:
        if (assignment, name, mistake.name) in UNSEEN:
            continue
        try:
            printed = _printed(assignment, name, mistake.implementation, phrase)
        except Exception:  # the mistake cannot even run here: the learner sees it fail
            continue
        assert wrong in printed, f"{mistake.name}: {printed}"
