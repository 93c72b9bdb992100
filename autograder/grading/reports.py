"""The command's reports, where outcomes become text: grades.csv (one row per student and
assignment: score, status, when it was handed in, how late, the late penalty), summary.csv (one
row per student, a column per assignment), summary/<student>.md (scores, statuses, the cells
that lost points in notebook order with the function and known mistake each matched, links to
the feedback, earlier gradings), the class report (`class_report`: questions.csv, mistakes.csv,
summary/class.md) and the summary table printed at the end (per assignment: how many graded,
the mean, a count per kind of outcome; the questions fewest learners got full marks on; then
the known mistakes matched, most frequent first)."""

from __future__ import annotations

import csv
import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.class_report import cell_order, function_of, graded, ordered, short_lines, write_class_report
from autograder.grading.outcomes import (
    AWAITING_MANUAL,
    LATE,
    NOT_GRADED,
    NOT_SUBMITTED,
    OK,
    Outcome,
    kinds,
    mistake_text,
    status_text,
)
from autograder.lms.collect import late_marks

UNKNOWN = "unknown assignment: not one of this course's exercises (skipped)"
LEARNERS = "learners"  # summary/learners/<student>.md: the learner's own version of their page
LMS_LATE = "marked late by the LMS, which gives no time: no late penalty applied"  # docs/lms.md, Late work
# grades.csv: the first five columns are what instructors' scripts and nbgrader's export read; keep them.
# score: after the late penalty (what an LMS gets); score_before_penalty: nbgrader's own score, the
# one the Formgrader shows.
GRADES_HEAD = ["student", "assignment", "score", "max_score", "status", "submitted_at", "late_by_seconds", "penalty",
               "score_before_penalty"]
CLASS_PAGE = "class.md"  # summary/class.md: what the class got wrong


@dataclass
class Row:
    """One submission in the reports. score None: not graded (a grader error, an interruption).
    submitted_at, late_seconds, penalty: from the gradebook (None: not known). history: the
    earlier gradings, oldest first, as dicts {graded_at, score, max_score, status}."""

    student: str
    assignment: str
    score: float | None
    max_score: float | None
    outcomes: list[Outcome]
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)
    feedback: list[Path] = field(default_factory=list)
    submitted_at: str | None = None
    late_seconds: float | None = None
    penalty: float | None = None
    history: list[dict] = field(default_factory=list)
    before_penalty: float | None = None

    @property
    def status(self):
        return status_text(self.outcomes)

    @property
    def submitted(self):
        return NOT_SUBMITTED not in kinds(self.outcomes)


def fmt(x):
    if x is None or x == "":
        return ""
    return f"{x:g}" if isinstance(x, float) else str(x)


def report_rows(out, subs, outcomes, scores, maxima, grader_errors, history=None):
    """One Row per submission: the score, submission time, lateness and penalty from the master
    gradebook (`Master.scores()`: Score), the outcomes from this run or the ledger (blank score:
    not graded, by a grader error or an interruption), plus AWAITING_MANUAL when manually graded
    cells have no score yet, and LATE for work the LMS marked late when nbgrader had no time to
    judge it by (`lms collect`: Canvas's LATE mark). history: {"student/assignment": [earlier
    gradings, oldest first]}."""
    marked = late_marks(out)
    rows = []
    for sub in subs:
        found = list(outcomes.get(sub.key, [Outcome(NOT_GRADED, "the run was interrupted")]))
        got = scores.get((sub.student, sub.assignment))
        if sub.folder is None:
            score, cells, got = 0.0, {}, None
        elif sub.key in outcomes and sub.key not in grader_errors and got is not None:
            score = got.score
            # a cell awaiting its manual grade has no score yet (nbgrader counts it 0 meanwhile)
            cells = {name: (None, most) if name in got.awaiting_manual else (value, most)
                     for name, (value, most) in got.cells.items()}
            if got.awaiting_manual and AWAITING_MANUAL not in kinds(found):
                found.append(Outcome(AWAITING_MANUAL, ", ".join(got.awaiting_manual)))
            if (sub.student, sub.assignment) in marked and LATE not in kinds(found):
                found.append(Outcome(LATE, LMS_LATE))
        else:
            score, cells, got = None, {}, None
        feedback = sorted((out / "feedback" / sub.student / sub.assignment).glob("*.html"))
        rows.append(Row(sub.student, sub.assignment, score, maxima.get(sub.assignment), found, cells, feedback,
                        got.timestamp if got else None, got.late_seconds if got else None,
                        got.penalty if got else None, list((history or {}).get(sub.key, [])),
                        got.before_penalty if got else None))
    return rows


def seconds(x):
    return "" if x is None else str(round(x))


def write_reports(out, rows, maxima, unknown):
    """grades.csv, summary.csv, summary/<student>.md, questions.csv, mistakes.csv,
    summary/class.md; returns the summary table's text."""
    with open(out / "grades.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(GRADES_HEAD)
        for r in rows:
            writer.writerow([r.student, r.assignment, fmt(r.score), fmt(r.max_score), r.status,
                             r.submitted_at or "", seconds(r.late_seconds), fmt(r.penalty),
                             fmt(r.before_penalty) if r.score is not None else ""])
        for student, folder in unknown:
            writer.writerow([student, folder, "", "", UNKNOWN, "", "", "", ""])
    students = sorted({r.student for r in rows})
    assignments = sorted({r.assignment for r in rows})
    by = {(r.student, r.assignment): r for r in rows}
    mine = {s: [by[s, a] for a in assignments if (s, a) in by] for s in students}
    total = {s: float(sum(r.score or 0 for r in mine[s])) for s in students}
    top = float(sum(maxima.get(a, 0) for a in assignments))
    with open(out / "summary.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "total", "max_total", *assignments, "problems"])
        for s in students:
            problems = [f"{r.assignment}: {r.status}" for r in mine[s] if r.outcomes]
            writer.writerow([s, fmt(total[s]), fmt(top),
                             *[fmt(by[s, a].score) if (s, a) in by else "" for a in assignments],
                             " | ".join(problems)])
    folder = out / "summary"
    folder.mkdir(exist_ok=True)
    orders = {a: cell_order(out, a) for a in assignments}
    (folder / LEARNERS).mkdir(exist_ok=True)
    for s in students:
        (folder / f"{s}.md").write_text(student_page(out, s, mine[s], total[s], top, orders))
        (folder / LEARNERS / f"{s}.md").write_text(student_page(out, s, mine[s], total[s], top, orders,
                                                                learner=True))
    # a learner whose id is "class" keeps summary/class.md; the class page moves aside
    page = folder / (CLASS_PAGE if CLASS_PAGE.removesuffix(".md") not in students else f"_{CLASS_PAGE}")
    asked, _ = write_class_report(out, rows, orders, page)
    return summary_table(rows, maxima, unknown, short_lines(asked))


def md(text):
    """Text from a submission (a file name in a status, a message) as one markdown table cell or
    line: no line breaks, no `|`, no HTML a markdown viewer would render."""
    text = " ".join(str(text).split())
    return html.escape(text, quote=False).replace("|", "/").replace("[", "&#91;")


def link(rel, up=".."):
    """A markdown link target for a file of OUT, from summary/ (`up`: the way back to OUT; in
    <...> when it holds a space)."""
    target = f"{up}/{rel}"
    return f"<{target}>" if " " in target else target


def student_page(out, student, rows, total, top, orders=None, learner=False):
    """The learner's page; orders: {assignment: its grade cells in notebook order}. learner: the
    version for the learner's own eyes (`lms bundles`): no status column, which speaks to the
    instructor (logs, command options), and links from summary/learners/."""
    up = "../.." if learner else ".."
    lines = [f"# {md(student)}: {fmt(total)} / {fmt(top)} points", ""]
    lines += (["| assignment | score | feedback |", "|---|---|---|"] if learner
              else ["| assignment | score | status | feedback |", "|---|---|---|---|"])
    for r in rows:
        links = ", ".join(f"[{md(p.name)}]({link(p.relative_to(out).as_posix(), up)})" for p in r.feedback)
        status = "" if learner else f"{md(r.status)} | "
        lines.append(f"| {r.assignment} | {fmt(r.score)} / {fmt(r.max_score)} | {status}{links} |")
    late = [late_line(r) for r in rows if r.late_seconds and r.score is not None]
    if late:
        lines += ["", "## Handed in late", "", *late]
    lost = [line for r in rows for line in points_lost(r, (orders or {}).get(r.assignment, []))]
    if lost:
        lines += ["", "## Points lost", "", *lost]
    earlier = [(r, h) for r in rows for h in r.history]
    if earlier:
        lines += ["", "## Earlier gradings", ""]
        lines += (["| assignment | graded at | score |", "|---|---|---|"] if learner
                  else ["| assignment | graded at | score | status |", "|---|---|---|---|"])
        lines += [f"| {r.assignment} | {h.get('graded_at') or ''} | {fmt(h.get('score')) or '-'}"
                  + (f" / {fmt(h['max_score'])}" if h.get("max_score") is not None else "")
                  + ("" if learner else f" | {md(h.get('status') or '')}") + " |" for r, h in earlier]
    return "\n".join(lines) + "\n"


def late_line(row):
    """Why a late submission's score is what it is: when, how late, the points the late penalty
    took off and the score before it."""
    from autograder.grading.logs import late_text

    taken = (f"the late penalty took {fmt(row.penalty)} points off (score before the penalty: "
             f"{fmt(row.before_penalty)} / {fmt(row.max_score)})" if row.penalty
             else "no points were taken off for lateness")
    return f"- {row.assignment}: handed in {row.submitted_at}, {late_text(row.late_seconds)}; {taken}"


def points_lost(row, order):
    """A line per grade cell that lost points or matched a known mistake, in notebook order:
    "- <assignment>, <function> in `<cell>`: <score> / <max> (known mistake: <name>)"."""
    named = {}
    for o in row.outcomes:
        if o.mistake:
            named.setdefault(o.cell, []).append(o)
    lines = []
    lost = {c for c, (got, most) in row.cells.items() if got is not None and got < most}  # None: awaiting a grade
    for cell in ordered(lost | set(named), order):
        got, most = row.cells.get(cell, (None, None))
        function = next((o.function for o in named.get(cell, []) if o.function), function_of(cell))
        lines.append(f"- {row.assignment}, {f'{function} in ' if function else ''}`{cell}`: "
                     f"{fmt(got) or '-'} / {fmt(most) or '-'}"
                     + "".join(f" ({mistake_text(o.mistake)})" for o in named.get(cell, [])))
    return lines


def summary_table(rows, maxima, unknown, short=()):
    """The printed table; short: `class_report.short_lines`, printed before the known mistakes."""
    assignments = sorted({r.assignment for r in rows})
    counts = Counter()
    per = {a: Counter() for a in assignments}
    for r in rows:
        for kind in kinds(r.outcomes):
            per[r.assignment][kind] += 1
            counts[kind] += 1
    columns = [OK] + sorted(k for k in counts if k != OK)
    head = f"{'assignment':<22} {'graded':>6} {'mean / max':>13}  " + "  ".join(f"{k:>{len(k)}}" for k in columns)
    lines = [head]
    for a in assignments:
        scored = [r.score for r in graded(rows) if r.assignment == a]
        mean = f"{sum(scored) / len(scored):.1f} / {fmt(maxima.get(a))}" if scored else f"- / {fmt(maxima.get(a))}"
        lines.append(f"{a:<22} {len(scored):>6} {mean:>13}  "
                     + "  ".join(f"{per[a][k]:>{len(k)}}" for k in columns))
    for student, folder in unknown:
        lines.append(f"unknown assignment folder skipped: {student}/{folder}")
    lines += short
    named = Counter((r.assignment, o.function, o.mistake) for r in rows for o in r.outcomes
                    if o.mistake)
    if named:
        lines += ["", "known mistakes (submissions):"]
        lines += [f"  {a} {function}: {' or '.join(mistake)} ({n})"
                  for (a, function, mistake), n in sorted(named.items(), key=lambda i: (i[0][0], -i[1], i[0][1:]))]
    return "\n".join(lines)
