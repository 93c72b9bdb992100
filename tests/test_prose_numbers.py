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


# ------------------------------------------------------------------ points in docs/grading.md

GRADING_DOC = notebooks.ROOT / "docs" / "grading.md"
SCORE_COLUMNS = ("deserves", "judge", "kernel engine", "stock nbgrader")


@functools.lru_cache(maxsize=None)
def exercise_points():
    """{assignment: (autograded points, all points)} from the solutions' nbgrader metadata: a grade
    cell that is not an answer is autograded; an answer or task with points is graded by hand."""
    found = {}
    for path in notebooks.solution_notebooks():
        auto = manual = 0.0
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                    auto += meta.get("points", 0)
                else:
                    manual += meta.get("points", 0)
        found[path.parent.name] = (auto, auto + manual)
    return found


def by_number(n):
    (assignment,) = [a for a in exercise_points() if int(a[:2]) == int(n)]
    return exercise_points()[assignment]


def doc_violations(text):
    """Points the grading doc states that the notebooks do not give: a table's score / maximum
    (the maximum is all the exercise's points, the score at most its autograded ones), a score
    column's number (at most the autograded points; the honest corpus deserves all of them),
    the ten exercises' full marks listed in order, the honest corpus's size, and the sentences
    that state an exercise's points and its hand-graded part."""
    from honest.corpus import CASES

    points, found = exercise_points(), []
    header, honest = None, False
    for line in text.splitlines():
        if line.startswith("**") or line.startswith("#"):
            honest = "honest corpus" in line.lower()
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        names = [c for c in cells if c in points]
        if len(names) != 1:
            continue
        auto, total = points[names[0]]
        for column, cell in zip(header, cells):
            pair = re.match(r"(\d+(?:\.\d+)?) / (\d+(?:\.\d+)?)\b", cell)
            if pair and (float(pair.group(2)) != total or float(pair.group(1)) > auto):
                found.append(f"{names[0]}: {cell!r} (autograded {auto:g} of {total:g})")
            if column in SCORE_COLUMNS and re.fullmatch(r"\d+(?:\.\d+)?", cell):
                if float(cell) > auto or (honest and column == "deserves" and float(cell) != auto):
                    found.append(f"{names[0]}: {column} {cell} (autograded {auto:g} of {total:g})")
    for m in re.finditer(r"full on all ten \(([^)]*)\)", text):
        for (auto, total), item in zip(points.values(), m.group(1).split(",")):
            got = re.fullmatch(r"\s*(\d+)(?: of (\d+))?\s*", item)
            if not got or float(got.group(1)) != auto or float(got.group(2) or auto) != total:
                found.append(f"all ten: {item.strip()!r} (autograded {auto:g} of {total:g})")
    for m in re.finditer(r"\((\d+) submissions, both engines", text):
        if int(m.group(1)) != len(CASES):
            found.append(f"{m.group(0)!r}: the honest corpus has {len(CASES)}")
    for m in re.finditer(r"[Ee]xercise (\d+)'s (\d+) points\s+include an? (\d+)-point", text):
        auto, total = by_number(m.group(1))
        if (float(m.group(2)), float(m.group(3))) != (total, total - auto):
            found.append(f"{m.group(0)!r} (autograded {auto:g} of {total:g})")
    for m in re.finditer(r"[Ee]xercise (\d+) therefore stands at (\d+) / (\d+),\s+all of its (\d+) autograded", text):
        auto, total = by_number(m.group(1))
        if tuple(map(float, m.groups()[1:])) != (auto, total, auto):
            found.append(f"{m.group(0)!r} (autograded {auto:g} of {total:g})")
    for m in re.finditer(r"[Ee]xercise (\d+)'s (\d+)-point written explanation[^.]*?deserve (\d+) of\s+"
                         r"the exercise's (\d+) points", text):
        auto, total = by_number(m.group(1))
        if tuple(map(float, m.groups()[1:])) != (total - auto, auto, total):
            found.append(f"{m.group(0)!r} (autograded {auto:g} of {total:g})")
    return found


def test_the_grading_doc_states_the_notebooks_points():
    text = GRADING_DOC.read_text()
    assert by_number(9) == (16, 19)  # the case the rules were written for: a hand-graded explanation
    assert "16 of 19" in text and "16 / 19" in text
    assert doc_violations(text) == []


@pytest.mark.parametrize("right, stale", [
    ("| 16 / 19 | 16 / 19 | 16 / 19 |", "| 16 / 16 | 16 / 16 | 16 / 16 |"),
    ("(12, 7, 13, 13, 11, 12, 9, 12, 16 of 19, 14)", "(12, 11, 13, 13, 11, 12, 9, 12, 16, 14)"),
    ("Exercise 9's 19 points include a 3-point", "Exercise 9's 16 points include a 3-point"),
    ("exercise 9 therefore stands at 16 / 19", "exercise 9 therefore stands at 16 / 16"),
    ("deserve 16 of the exercise's 19 points", "deserve 16 of the exercise's 16 points"),
    ("(25 submissions, both engines", "(24 submissions, both engines"),
    ("| `tanh_backward` | 09_chain_rule | sigmoid_backward via tanh, relu_backward via np.where | 16 |",
     "| `tanh_backward` | 09_chain_rule | sigmoid_backward via tanh, relu_backward via np.where | 19 |"),
    ("| `scratch_cells` | 02_layers | scratch cells: a trailing expression, a saved inline plot, shell escapes, "
     "%%timeit, Markdown and HTML displays | 7 |", "| `scratch_cells` | 02_layers | scratch cells: a trailing "
     "expression, a saved inline plot, shell escapes, %%timeit, Markdown and HTML displays | 6 |"),
])
def test_the_doc_rules_catch_a_stale_number(right, stale):
    text = GRADING_DOC.read_text()
    assert right in text
    assert doc_violations(text.replace(right, stale))
