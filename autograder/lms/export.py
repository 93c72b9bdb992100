"""`lms export --lms canvas|moodle --out COURSE`: the grade command's scores as a file the LMS's
gradebook imports, one row per learner on the roster, one column per assignment.

The scores are grades.csv's (after nbgrader's late penalty, manual scores included). A blank
cell leaves the LMS's grade as it is: an assignment not handed in (unless --zero-missing) or not
graded yet. The column headers are the assignment ids (01_neuron, ...), or the LMS's own names
given with --title 01_neuron="Exercise 1 (4567)" (Canvas's export heads a column with the
assignment's name and its number in brackets; with that header the import needs no matching).

- Canvas (Grades > Import): Student, ID, SIS User ID, SIS Login ID, Section, then the
  assignments, and a "Points Possible" row. Canvas matches the learner on the id columns: ID
  (its user number: the roster's lms_id), SIS User ID (sis_id), SIS Login ID (login, else the
  roster id).
- Moodle (Grades > Import > CSV file): Email address, First name, Last name, then the
  assignments; map "Email address" to the user field "email address" when importing.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.grading.outcomes import AWAITING_MANUAL, NOT_SUBMITTED
from autograder.lms import roster as rosters

NEEDED = ("student", "assignment", "score", "max_score", "status")
FILES = {"canvas": "canvas_grades.csv", "moodle": "moodle_grades.csv"}


def read_grades(out):
    """{(student, assignment): row} and {assignment: max_score} from COURSE/grades.csv."""
    path = Path(out) / "grades.csv"
    if not path.exists():
        raise SystemExit(f"lms export: no {path}: grade the class first (python -m autograder grade)")
    rows = rosters.csv_rows(path, NEEDED, lambda missing: (
        f"lms export: {path} has no column {', '.join(missing)}: not the grade command's file"))
    rows = [r for r in rows if r["max_score"]]  # an unknown folder's row has no maximum
    grades = {(r["student"], r["assignment"]): r for r in rows}
    maxima = {r["assignment"]: r["max_score"] for r in rows}
    return grades, maxima


def score_cell(row, zero_missing):
    if row is None:
        return "0" if zero_missing else ""
    if row["status"].startswith(NOT_SUBMITTED):
        return "0" if zero_missing else ""
    return row["score"]  # blank when not graded (a grader error, an interruption)


def column_titles(pairs, assignments):
    """{assignment: column header} from --title ASSIGNMENT=TITLE (default: the assignment id)."""
    titles = {a: a for a in assignments}
    for pair in pairs or ():
        assignment, sep, title = pair.partition("=")
        if not sep or not title.strip():
            raise SystemExit(f"lms export: --title {pair!r}: write it as ASSIGNMENT=TITLE")
        if assignment not in titles:
            raise SystemExit(f"lms export: --title {pair!r}: grades.csv has no assignment {assignment!r} "
                             f"(it has {', '.join(assignments)})")
        titles[assignment] = title.strip()
    return titles


def export(out, lms, zero_missing=False, titles=None):
    """Write COURSE/lms/<lms>_grades.csv; returns (path, learners not on the roster, the
    submissions whose score is provisional: see `provisional`)."""
    if lms not in FILES:
        raise SystemExit(f"lms export: unknown LMS {lms!r}; this command knows {', '.join(FILES)}")
    out = Path(out)
    learners = rosters.load(out, "lms export")
    grades, maxima = read_grades(out)
    assignments = sorted(maxima)
    named = column_titles(titles, assignments)
    header = [named[a] for a in assignments]
    folder = out / "lms"
    folder.mkdir(exist_ok=True)
    path = folder / FILES[lms]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        if lms == "canvas":
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *header])
            writer.writerow(["Points Possible", "", "", "", "", *[maxima[a] for a in assignments]])
        else:
            writer.writerow(["Email address", "First name", "Last name", *header])
        for x in learners:
            scores = [score_cell(grades.get((x.id, a)), zero_missing) for a in assignments]
            first, last = x.first_last
            if lms == "canvas":
                student = f"{last}, {first}" if last else first
                writer.writerow([student, x.lms_id, x.sis_id, x.login or x.id, x.section, *scores])
            else:
                writer.writerow([x.email, first, last, *scores])
    known = {x.id for x in learners}
    strangers = sorted({s for s, _ in grades if s not in known})
    return path, strangers, provisional(grades)


def provisional(grades):
    """["student/assignment"] whose score in grades.csv (`read_grades`'s rows) still waits for a
    grade given by hand."""
    return sorted(f"{s}/{a}" for (s, a), row in grades.items() if AWAITING_MANUAL in row["status"])
