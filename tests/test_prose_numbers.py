"""Numbers in prose are bound to the code: a pass line, a tolerance, the `tiny` guard, a knob
count or a cost in forward passes that a lesson or an exercise states must be the value the
code uses (course.gradcheck, course.costs, the exercise specs). A number typed twice drifts;
this test is where the two copies meet.

Each rule finds a phrase that states one of these numbers; the phrases are the ones the course
uses ("the pass line, 1e-6", "tolerance: |yours - expected| <= 1e-6 * |expected| + 1e-9",
"13,002 knobs", "26,004 forward passes", "about three forward passes").
"""

import functools
import re

import nbformat
import pytest

from autograder import notebooks
from autograder.specs import graded_function
from course import checking, costs, gradcheck

NUM = r"(\d[\d,]*(?:\.\d+)?(?:e-?\d+)?|10\^\{?-?\d+\}?)"
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10}
COUNT = r"(\d[\d,]*|" + "|".join(WORDS) + r")\b"
NETWORK = re.compile(r"\b(\d+(?:-\d+){2,})\b")
SIZES_TUPLE = re.compile(r"\((\d+(?:,\s*\d+){2,})\)")


def value(text):
    text = text.strip().replace(",", "").lower()
    if text in WORDS:
        return WORDS[text]
    power = re.fullmatch(r"10\^\{?(-?\d+)\}?", text)
    return 10.0 ** int(power.group(1)) if power else float(text)


def plain(source):
    """Markdown without the emphasis and code marks that split a phrase."""
    return re.sub(r"[`*$]", "", source).replace("\\", "")


def notebooks_with_prose():
    return [*notebooks.lesson_notebooks(), notebooks.COURSE_MAP, *notebooks.solution_notebooks()]


def all_text(nb):
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def networks_named():
    """Every network the course names ("784-16-16-10", or sizes=(64, 32, 10) in code)."""
    sizes = set()
    for path in notebooks_with_prose():
        text = all_text(nbformat.read(path, as_version=4))
        sizes |= {tuple(int(n) for n in m.split("-")) for m in NETWORK.findall(text)}
        sizes |= {tuple(int(n) for n in m.split(",")) for m in SIZES_TUPLE.findall(text)}
    return sizes


@functools.lru_cache(maxsize=None)
def allowed_costs():
    knobs = {costs.knob_count(s) for s in networks_named()}
    passes = {costs.PASSES_PER_KNOB, *(costs.PASSES_PER_KNOB * k for k in knobs)}
    sweeps = {costs.BACKPROP_PASSES_AT_MOST,
              *(round(costs.backprop_passes(s), 2) for s in networks_named())}
    return knobs, passes | sweeps


def about(stated, allowed, approximate):
    """Exact, or (after "about") the allowed value rounded to its two leading digits."""
    if stated in allowed:
        return True
    return approximate and any(float(f"{a:.2g}") == stated or round(a) == stated for a in allowed)


def graded_cells(nb):
    """The function name each markdown cell introduces: the next solution cell's grade_id."""
    names, upcoming = [], None
    for cell in reversed(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and meta.get("grade_id"):
            upcoming = meta["grade_id"]
        names.append(upcoming)
    return names[::-1]


def rule_violations(path):
    nb = nbformat.read(path, as_version=4)
    assignment = path.parent.name if path.parent.parent == notebooks.SOLUTIONS else None
    knobs, passes = allowed_costs()
    found = []

    def expect(cell_no, phrase, stated, wanted):
        if not any(abs(stated - w) <= 1e-12 * abs(w) for w in wanted):
            found.append(f"{path.name} cell {cell_no}: {phrase!r} states {stated:g}, the code says "
                         + " or ".join(f"{w:g}" for w in wanted))

    upcoming = graded_cells(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = plain(cell.source)
        for m in re.finditer(r"pass line(?:\s*(?:of|is|at|:|,|\())*\s*" + NUM, text, re.I):
            expect(i, m.group(0), value(m.group(1)), [gradcheck.PASS_LINE])
        for m in re.finditer(NUM + r"\s+pass line", text, re.I):
            expect(i, m.group(0), value(m.group(1)), [gradcheck.PASS_LINE])
        for m in re.finditer(r"(?:largest|worst) relative error[^.\n]{0,30}?below\s+" + NUM, text, re.I):
            expect(i, m.group(0), value(m.group(1)), [gradcheck.PASS_LINE])
        for m in re.finditer(r"above\s+" + NUM + r"[^.\n]{0,40}wrong", text, re.I):
            expect(i, m.group(0), value(m.group(1)), [gradcheck.WRONG_LINE])
        for m in re.finditer(r"\btiny\b\)?\s*(?:=|\(this course uses|floor|guard)\s*\(?" + NUM, text, re.I):
            expect(i, m.group(0), value(m.group(1)), [gradcheck.TINY])
        for m in re.finditer(r"(?:tolerance|threshold)[^.\d|]{0,40}?" + NUM + r"(?!\s*\*\s*\|expected)",
                             text, re.I):
            expect(i, m.group(0), value(m.group(1)), [gradcheck.PASS_LINE])
        for m in re.finditer(r"\|yours - expected\|\s*<=\s*" + NUM + r"\s*\*\s*\|expected\|(?:\s*\+\s*"
                             + NUM + ")?", text):
            name = upcoming[i]
            if assignment and name:
                graded = graded_function(assignment, name)
                rtol, atol = graded.rtol, graded.atol
            else:  # an exercise's header: the default every function uses unless its cell says otherwise
                rtol, atol = checking.RTOL, checking.ATOL
            expect(i, m.group(0), value(m.group(1)), [rtol])
            expect(i, m.group(0), value(m.group(2)) if m.group(2) else 0.0, [atol])
        for m in re.finditer(r"(about\s+|roughly\s+)?" + COUNT + r"\s+knobs\b", text, re.I):
            stated = value(m.group(2))
            if stated > 10 and not about(stated, knobs, bool(m.group(1))):
                found.append(f"{path.name} cell {i}: {m.group(0)!r}: no network the course names "
                             f"has {stated:g} knobs")
        for m in re.finditer(r"(about\s+|roughly\s+|at most\s+)?" + COUNT + r"\s+(?:forward passes|"
                             r"forward runs|run-throughs|runs of the network|loss calls)\b", text, re.I):
            stated = value(m.group(2))
            if not about(stated, passes, bool(m.group(1))):
                found.append(f"{path.name} cell {i}: {m.group(0)!r}: not a cost course.costs gives")
        for m in re.finditer(r"\b(?:a few|several|thousands of|one) (?:forward passes|run-throughs|runs? of the "
                             r"network)|\bthe (?:cost|price) of (?:one|a single) run\b", text, re.I):
            found.append(f"{path.name} cell {i}: {m.group(0)!r}: state the cost course.costs gives")
    return found


@pytest.mark.parametrize("path", notebooks_with_prose(), ids=lambda p: p.name)
def test_prose_states_the_codes_numbers(path):
    assert rule_violations(path) == []


def test_the_rules_catch_a_stale_number(tmp_path):
    """Each rule fires on a phrase with the wrong number and stays quiet on the right one."""
    wrong = ["A check passes below the pass line, 1e-7.", "compare with the 1e-7 pass line",
             "largest relative error below 1e-7: right",
             "above 1e-3: the formula is wrong", "with tiny = 1e-10", "one tolerance everywhere: 1e-7.",
             "784-16-16-10 has 13,000 knobs.", "about 13,000 run-throughs for one step of 784-16-16-10",
             "one run costs a few: about five forward passes", "for the price of a few forward passes",
             "thousands of run-throughs per step", "about the cost of one run"]
    right = [f"the pass line, {gradcheck.PASS_LINE:g}.", f"above {gradcheck.WRONG_LINE:g}: wrong",
             f"with tiny = {gradcheck.TINY:g}", "784-16-16-10 has 13,002 knobs and needs 26,004 forward "
             "passes, about 26,000 run-throughs; backprop about three forward passes"]
    for text, expect_flag in [(t, True) for t in wrong] + [(t, False) for t in right]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
        path = tmp_path / "lessons" / "99_probe.ipynb"
        path.parent.mkdir(exist_ok=True)
        nbformat.write(nb, path)
        assert bool(rule_violations(path)) == expect_flag, text
