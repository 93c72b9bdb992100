"""The command's reports, where outcomes become text: grades.csv (one row per student and
assignment), summary.csv (one row per student, a column per assignment), summary/<student>.md
(scores, statuses, the cells that lost points and the known mistakes they matched, links to
the feedback) and the summary table printed at the end (per assignment: how many graded, the
mean, a count per kind of outcome; then the known mistakes matched, most frequent first)."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.outcomes import NOT_GRADED, NOT_SUBMITTED, OK, Outcome, kinds, mistake_text, status_text

UNKNOWN = "unknown assignment: not one of this course's exercises (skipped)"


@dataclass
class Row:
    """One submission in the reports. score None: not graded (a grader error, an interruption)."""

    student: str
    assignment: str
    score: float | None
    max_score: float | None
    outcomes: list[Outcome]
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)
    feedback: list[Path] = field(default_factory=list)

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


def report_rows(out, subs, outcomes, scores, maxima, grader_errors):
    """One Row per submission: the score from the master gradebook (`Master.scores()`), the
    outcomes from this run or the ledger (blank score: not graded, by a grader error or an
    interruption)."""
    rows = []
    for sub in subs:
        found = outcomes.get(sub.key, [Outcome(NOT_GRADED, "the run was interrupted")])
        got = scores.get((sub.student, sub.assignment))
        if sub.folder is None:
            score, cells = 0.0, {}
        elif sub.key in outcomes and sub.key not in grader_errors and got is not None:
            score, cells = got.score, got.cells
        else:
            score, cells = None, {}
        feedback = sorted((out / "feedback" / sub.student / sub.assignment).glob("*.html"))
        rows.append(Row(sub.student, sub.assignment, score, maxima.get(sub.assignment), found,
                        cells, feedback))
    return rows


def write_reports(out, rows, maxima, unknown):
    """grades.csv, summary.csv, summary/<student>.md; returns the summary table's text."""
    with open(out / "grades.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "score", "max_score", "status"])
        for r in rows:
            writer.writerow([r.student, r.assignment, fmt(r.score), fmt(r.max_score), r.status])
        for student, folder in unknown:
            writer.writerow([student, folder, "", "", UNKNOWN])
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
    for s in students:
        (folder / f"{s}.md").write_text(student_page(out, s, mine[s], total[s], top))
    return summary_table(rows, maxima, unknown)


def student_page(out, student, rows, total, top):
    lines = [f"# {student}: {fmt(total)} / {fmt(top)} points", "",
             "| assignment | score | status | feedback |", "|---|---|---|---|"]
    for r in rows:
        links = ", ".join(f"[{p.name}](../{p.relative_to(out).as_posix()})" for p in r.feedback)
        lines.append(f"| {r.assignment} | {fmt(r.score)} / {fmt(r.max_score)} | "
                     f"{r.status.replace('|', '/')} | {links} |")
    lost = [(r, cell, got, most) for r in rows
            for cell, (got, most) in sorted(r.cells.items()) if (got or 0) < most]
    if lost:
        lines += ["", "## Points lost", ""]
        for r, cell, got, most in lost:
            named = [mistake_text(o.mistake) for o in r.outcomes if o.mistake and o.cell == cell]
            lines.append(f"- {r.assignment}, `{cell}`: {fmt(got)} / {fmt(most)}"
                         + "".join(f" ({n})" for n in named))
    return "\n".join(lines) + "\n"


def summary_table(rows, maxima, unknown):
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
        scored = [r.score for r in rows if r.assignment == a and r.score is not None and r.submitted]
        mean = f"{sum(scored) / len(scored):.1f} / {fmt(maxima.get(a))}" if scored else f"- / {fmt(maxima.get(a))}"
        lines.append(f"{a:<22} {len(scored):>6} {mean:>13}  "
                     + "  ".join(f"{per[a][k]:>{len(k)}}" for k in columns))
    for student, folder in unknown:
        lines.append(f"unknown assignment folder skipped: {student}/{folder}")
    named = Counter((r.assignment, o.function, o.mistake) for r in rows for o in r.outcomes
                    if o.mistake)
    if named:
        lines += ["", "known mistakes (submissions):"]
        lines += [f"  {a} {function}: {' or '.join(mistake)} ({n})"
                  for (a, function, mistake), n in sorted(named.items(), key=lambda i: (i[0][0], -i[1], i[0][1:]))]
    return "\n".join(lines)
