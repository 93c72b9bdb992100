"""What the class got wrong, per assignment: how many learners got each grade cell full marks
(OUT/questions.csv, grade cells in notebook order) and which catalogued mistakes they made, how
many of them and who (OUT/mistakes.csv, most frequent first); both on one page,
OUT/summary/class.md, and in short in the printed table (`short_lines`).

The learners counted for an assignment are those whose submission was graded: handed in (a
missing or unreadable notebook counts, at zero) and scored (a grader error or an interrupted run
leaves a submission out until it is graded), as the table's "graded" column counts them.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from autograder import notebooks
from autograder.grading.outcomes import MISTAKE
from autograder.grading.submissions import graded_cells
from autograder.judge import GRADE_ID_PREFIX  # an autograded grade cell test_<name> checks the function <name>

SHORT = 3                  # questions per assignment in the printed table


def cell_order(out, assignment):
    """The assignment's grade cells (nbgrader grade_id), in notebook order: read from the source
    the command registered (OUT/solutions/<assignment>), else from the course's solutions/."""
    for folder in (Path(out) / "solutions" / assignment, notebooks.SOLUTIONS / assignment):
        paths = sorted(folder.glob("*.ipynb"))
        if paths:
            break
    else:
        return []
    found = []
    for path in paths:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for grade_id, cell in graded_cells(data):
            if cell["metadata"]["nbgrader"].get("grade") and grade_id not in found:
                found.append(grade_id)
    return found


def ordered(cells, order):
    """`cells` in notebook order (`order`); cells it does not name come last, by name."""
    rank = {cell: i for i, cell in enumerate(order)}
    return sorted(cells, key=lambda cell: (rank.get(cell, len(rank)), str(cell)))


def function_of(cell):
    """The graded function a grade cell test_<name> checks ("" for any other cell)."""
    return cell.removeprefix(GRADE_ID_PREFIX) if isinstance(cell, str) and cell.startswith(GRADE_ID_PREFIX) else ""


def graded(rows):
    """The rows the class report counts: submitted and scored."""
    return [r for r in rows if r.submitted and r.score is not None]


@dataclass
class Question:
    """One grade cell of an assignment over the class."""

    assignment: str
    cell: str
    full_marks: int        # learners with the cell's full marks
    submitted: int         # learners counted (see the module's docstring)
    mean: float | None     # mean score of the learners whose cell has a score
    max_score: float
    awaiting_manual: int   # learners whose cell waits for a manual grade (no score yet)

    @property
    def function(self):
        return function_of(self.cell)

    @property
    def pass_rate(self):
        return self.full_marks / self.submitted if self.submitted else None


@dataclass
class NamedMistake:
    """One catalogued mistake (or several a check could not tell apart) in one graded function."""

    assignment: str
    function: str
    names: tuple[str, ...]
    cell: str | None
    students: list[str]
    submitted: int

    @property
    def text(self):
        return " or ".join(self.names)


def questions(rows, orders):
    """A Question per assignment and grade cell (`orders`: {assignment: cell_order}), by
    assignment, then in notebook order."""
    found = []
    for assignment in sorted({r.assignment for r in rows}):
        mine = graded([r for r in rows if r.assignment == assignment])
        for cell in ordered({c for r in mine for c in r.cells}, orders.get(assignment, [])):
            got = [r.cells[cell] for r in mine if cell in r.cells]
            scored = [score for score, _ in got if score is not None]
            full = sum(1 for score, most in got if score is not None and score >= most)
            found.append(Question(assignment, cell, full, len(mine), sum(scored) / len(scored) if scored else None,
                                  max(most for _, most in got), len(got) - len(scored)))
    return found


def named_mistakes(rows, orders):
    """A NamedMistake per (assignment, function, mistake) the graded rows made: by assignment,
    most learners first, then in notebook order."""
    who, where = defaultdict(set), {}
    for r in graded(rows):
        for o in r.outcomes:
            if o.kind == MISTAKE and o.mistake:
                key = (r.assignment, o.function or function_of(o.cell), o.mistake)
                who[key].add(r.student)
                where.setdefault(key, o.cell)
    counted = {a: len(graded([r for r in rows if r.assignment == a])) for a in {r.assignment for r in rows}}
    found = [NamedMistake(a, function, names, where[a, function, names], sorted(who[a, function, names]),
                          counted[a]) for a, function, names in who]

    def rank(m):
        order = orders.get(m.assignment, [])
        return (m.assignment, -len(m.students), order.index(m.cell) if m.cell in order else len(order),
                m.function, m.names)
    return sorted(found, key=rank)


def fmt(x, digits=2):
    if x is None:
        return ""
    return f"{round(x, digits):g}" if isinstance(x, float) else str(x)


def write_class_report(out, rows, orders, page):
    """questions.csv, mistakes.csv and the class page (`page`); returns (questions, mistakes)."""
    asked, made = questions(rows, orders), named_mistakes(rows, orders)
    with open(Path(out) / "questions.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["assignment", "cell", "function", "full_marks", "submitted", "pass_rate",
                         "mean_score", "max_score", "awaiting_manual"])
        for q in asked:
            writer.writerow([q.assignment, q.cell, q.function, q.full_marks, q.submitted, fmt(q.pass_rate, 3),
                             fmt(q.mean), fmt(float(q.max_score)), q.awaiting_manual])
    with open(Path(out) / "mistakes.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["assignment", "function", "mistake", "learners", "submitted", "students"])
        for m in made:
            writer.writerow([m.assignment, m.function, m.text, len(m.students), m.submitted, " ".join(m.students)])
    Path(page).write_text(class_page(asked, made))
    return asked, made


def class_page(asked, made):
    lines = ["# What the class got wrong", "",
             "Per assignment: how many of the learners whose work was graded got each question full marks "
             "(in notebook order), then the known mistakes their answers matched, most frequent first.", ""]
    for assignment in sorted({q.assignment for q in asked} | {m.assignment for m in made}):
        mine = [q for q in asked if q.assignment == assignment]
        submitted = mine[0].submitted if mine else next(m.submitted for m in made if m.assignment == assignment)
        lines += [f"## {assignment}: {submitted} graded", "",
                  "| question | function | full marks | mean / max |", "|---|---|---|---|"]
        for q in mine:
            waiting = f", {q.awaiting_manual} awaiting a manual grade" if q.awaiting_manual else ""
            lines.append(f"| `{q.cell}` | {q.function} | {q.full_marks} of {q.submitted}"
                         f" ({fmt(100 * (q.pass_rate or 0), 0)}%){waiting} | "
                         f"{fmt(q.mean) or '-'} / {fmt(float(q.max_score))} |")
        named = [m for m in made if m.assignment == assignment]
        lines.append("")
        if named:
            lines += ["| function | known mistake | learners | who |", "|---|---|---|---|"]
            lines += [f"| {m.function} | {m.text.replace('|', '/')} | {len(m.students)} of {m.submitted} | "
                      f"{', '.join(m.students)} |" for m in named]
        else:
            lines.append("No known mistake matched.")
        lines.append("")
    return "\n".join(lines)


def short_lines(asked):
    """The printed table's short version: per assignment, the questions fewest learners got full
    marks on (at most SHORT; none when every learner got every question, or awaits a manual grade)."""
    lines = []
    for assignment in sorted({q.assignment for q in asked}):
        missed = [q for q in asked if q.assignment == assignment
                  and q.full_marks + q.awaiting_manual < q.submitted]
        # by the share of the scored learners with full marks (stable: ties stay in notebook order)
        missed = sorted(missed, key=lambda q: q.full_marks / (q.submitted - q.awaiting_manual))[:SHORT]
        if missed:
            lines.append(f"  {assignment:<20} " + ", ".join(
                f"{q.cell} {q.full_marks}/{q.submitted - q.awaiting_manual}"
                + (f" ({q.awaiting_manual} awaiting a manual grade)" if q.awaiting_manual else "") for q in missed))
    return ["", "fewest full marks (learners with full marks / scored):", *lines] if lines else []
