"""How many wrong answers a visible check shows PASS for, and how many keep a hidden point.

For every graded function of every exercise, this builds wrong variants by family and runs each
through the function's visible cases (what a learner's check cell runs) and its hidden cases (what
grading runs):

- catalogue: the mistakes the specs name (`autograder/specs`);
- generic: the reference's outputs negated, doubled, off by 1e-3, in float32, transposed (a
  non-square matrix output);
- shape: every output squeezed, a matrix output reshaped where a transpose was meant, an output
  summed over its first axis (the batch) and spread back;
- in place: the right answer, but the first array argument written into;
- corpus: tests/wrong_answers.py (conventions, numerics, batch and axis slips as learners write
  them);
- splice: a multi-output function with one output taken from a catalogued mistake, the others
  right.

A variant that gives the reference's own answer on every hidden case is no wrong answer and is
left out (a squeeze of outputs with no axis of length 1). Compensating pairs of functions are
measured in tests/test_callee_swap.py. Prints a table per exercise and the survivors.

    .venv/bin/python benchmarks/mutation.py
"""

from __future__ import annotations

import copy
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from autograder.specs import all_specs  # noqa: E402 (after the sys.path line above)
from course.checking import (  # noqa: E402 (after the sys.path line above)
    CheckFailed,
    _outputs_of,
    _values_match,
    hidden_cases,
    run_checks,
)
from test_mistake_naming import SPLICES, spliced  # noqa: E402 (after the sys.path line above)
from test_specs import _map_outputs  # noqa: E402 (after the sys.path line above)
from test_visible_cases import generic_mutants  # noqa: E402 (after the sys.path line above)
from wrong_answers import WRONG  # noqa: E402 (after the sys.path line above)

FAMILIES = ("catalogue", "generic", "shape", "in place", "corpus", "splice")


def _squeezed(x):
    return np.squeeze(x) if isinstance(x, np.ndarray) else x


def _reshaped(x):
    return x.T.reshape(x.shape).copy() if isinstance(x, np.ndarray) and x.ndim == 2 else x


def _batch_summed(x):
    if isinstance(x, np.ndarray) and x.ndim >= 1 and x.shape[0] > 1 and x.dtype.kind == "f":
        return np.broadcast_to(x.sum(axis=0, keepdims=True), x.shape).copy()
    return x


def _first_float_array(value):
    """The first writable float array in value (an argument, or inside a dict, list or tuple)."""
    if isinstance(value, np.ndarray):
        return value if value.size and value.dtype.kind == "f" and value.flags.writeable else None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for item in items:
        found = _first_float_array(item)
        if found is not None:
            return found
    return None


def _in_place(graded):
    """The right answer, then the first float array among the inputs written into (None when no
    case hands the function a float array)."""
    if not any(_first_float_array(list(case.args)) is not None for case in hidden_cases(graded)):
        return None

    def variant(*args):
        result = graded.reference(*copy.deepcopy(args))
        target = _first_float_array(list(args))
        if target is not None:
            target += 1.0
        return result
    return variant


def variants(graded):
    """(family, name, wrong implementation) of one graded function."""
    found = [("catalogue", m.name, m.implementation) for m in graded.mistakes]
    found += [("generic", name, fn) for name, fn in generic_mutants(graded).items()]
    found += [("shape", "squeezed", _map_outputs(graded, _squeezed)),
              ("shape", "reshaped, not transposed", _map_outputs(graded, _reshaped)),
              ("shape", "summed over the batch", _map_outputs(graded, _batch_summed)),
              ("in place", "first float array input written into", _in_place(graded))]
    found += [("corpus", w.what, w.fn) for w in WRONG if w.function == graded.name
              and all_specs()[w.assignment].get(graded.name) is graded]
    found += [("splice", f"{p.values[1].name} in {graded.outputs[p.values[2]]}",
               spliced(*p.values)) for p in SPLICES if p.values[0] is graded]
    return found


def _passes(graded, fn, cases):
    try:
        run_checks(graded, fn, cases)
    except CheckFailed:
        return False
    except Exception:  # a variant that cannot run on a case: it fails that check
        return False
    return True


def _is_wrong(graded, fn, cases):
    """Whether fn's answer differs from the reference's on some case (else it is no mutant)."""
    for case in cases:
        try:
            got, want = _outputs_of(graded, fn, case), _outputs_of(graded, graded.reference, case)
        except Exception:
            return True
        if len(got) != len(want) or not all(
                np.shape(g) == np.shape(w) and type(g) is type(w) and _values_match(g, w, graded.rtol, graded.atol)
                for g, w in zip(got, want)):
            return True
    return False


def measure():
    """{assignment: {family: [total, visible PASS, keeps hidden points, [survivors]]}}."""
    table = {}
    for assignment, fns in sorted(all_specs().items()):
        row = defaultdict(lambda: [0, 0, 0, []])
        for name, graded in fns.items():
            hidden = hidden_cases(graded)
            for family, what, fn in variants(graded):
                if fn is None or (family == "shape" and not _is_wrong(graded, fn, hidden)):
                    continue
                cell = row[family]
                cell[0] += 1
                shown = _passes(graded, fn, graded.visible_cases())
                kept = _passes(graded, fn, hidden)
                cell[1] += shown
                cell[2] += kept
                if shown or kept:
                    cell[3].append(f"{name}: {what} ({'PASS shown' if shown else ''}"
                                   f"{', ' if shown and kept else ''}{'keeps its points' if kept else ''})")
        table[assignment] = dict(row)
    return table


def format_table(table):
    head = "| exercise | " + " | ".join(FAMILIES) + " | all: PASS shown | all: keep points |"
    rows = [head, "|---" * (len(FAMILIES) + 3) + "|"]
    grand = [0, 0, 0]
    for assignment, row in table.items():
        cells, total = [], [0, 0, 0]
        for family in FAMILIES:
            n, shown, kept, _ = row.get(family, [0, 0, 0, []])
            cells.append(f"{n}: {shown} / {kept}" if n else "-")
            total = [total[0] + n, total[1] + shown, total[2] + kept]
        grand = [g + t for g, t in zip(grand, total)]
        rows.append(f"| {assignment} | " + " | ".join(cells)
                    + f" | {total[1]} of {total[0]} ({total[1] / total[0]:.1%}) | {total[2]} of {total[0]} |")
    rows.append("| all | " + " | ".join("" for _ in FAMILIES)
                + f" | {grand[1]} of {grand[0]} ({grand[1] / grand[0]:.1%}) | {grand[2]} of {grand[0]} |")
    survivors = [f"- {a}: {s}" for a, row in table.items() for fam in FAMILIES
                 for s in row.get(fam, [0, 0, 0, []])[3]]
    return "\n".join(rows) + "\n\nCells: variants: PASS shown / keep their points.\n" + (
        "\nSurvivors:\n" + "\n".join(survivors) if survivors else "\nNo survivors.")


if __name__ == "__main__":
    print(format_table(measure()))
