"""`grade SUBMISSIONS --dry-run`: what grading would do, listed before anything is graded.

Reads only (submissions.discover and plan, the ledger, the gradebook's due dates, the LMS
downloads' lms.json): per submission whether it would be graded or is already graded (the
ledger), renamed or missing notebooks, unknown folders, learners not on the roster or on it with
nothing handed in, and late work (timestamp.txt against the due date nbgrader has for the
assignment, and the LMS's own late mark). Without a timestamp.txt, nbgrader's autograde keeps the
time its gradebook holds for the submission from an earlier grading, so the dry run judges by
that time too, and says so. Writes nothing; exits 0.
"""

from __future__ import annotations

from pathlib import Path

from autograder import notebooks
from autograder.grading.outcomes import MISSING, RENAMED, kinds, status_text
from autograder.grading.submissions import digest, discover, plan
from autograder.hub.collect import quarantined
from autograder.lms import roster as rosters
from autograder.lms.collect import late_marks


def gradebook_rows(out, url, query):
    """The rows of a plain SQL query on the course folder's gradebook (or the database at `url`,
    grade --db); [] without one. A plain query: nbgrader's Gradebook would add its course row
    to a gradebook without one."""
    url = url or rosters.gradebook_url(out)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return []
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as db:
            return db.execute(text(query)).all()
    except Exception:  # a gradebook that cannot be read has nothing for a listing
        return []
    finally:
        engine.dispose()


def due_dates(out, url=None):
    """{assignment: due date (naive UTC)} from the gradebook."""
    from nbgrader.utils import parse_utc

    return {name: parse_utc(due) for name, due in
            gradebook_rows(out, url, "SELECT name, duedate FROM assignment WHERE duedate IS NOT NULL")}


def stored_times(out, url=None):
    """{(student, assignment): submission time (naive UTC)} the gradebook holds from earlier gradings:
    the time nbgrader's autograde keeps for a submission that has no timestamp.txt."""
    from nbgrader.utils import parse_utc

    rows = gradebook_rows(out, url, "SELECT s.student_id, a.name, s.timestamp FROM submitted_assignment s "
                                    "JOIN assignment a ON s.assignment_id = a.id WHERE s.timestamp IS NOT NULL")
    return {(student, assignment): parse_utc(when) for student, assignment, when in rows}


def submitted_at(folder):
    from nbgrader.utils import parse_utc

    stamp = folder / "timestamp.txt"
    text = stamp.read_text().strip() if stamp.is_file() else ""
    if not text:  # nbgrader's autograde takes an empty file as none
        return None
    try:
        return parse_utc(text)
    except (ValueError, OverflowError):
        return "unreadable"


def lateness(when, due, lms_late, stored=None):
    """The dry run's word on lateness: what the grade will do. when: timestamp.txt's time (None:
    no file; "unreadable"); stored: the gradebook's time, which the grade keeps when there is no file."""
    from autograder.grading.logs import late_text

    notes = []
    source = "timestamp.txt {:%Y-%m-%d %H:%M} UTC"
    if when is None and stored is not None:
        when, source = stored, ("no timestamp.txt: the gradebook holds {:%Y-%m-%d %H:%M} UTC from an earlier grading, "
                                "and the grade keeps it")
    if when == "unreadable":
        notes.append("timestamp.txt unreadable")
    elif when is not None and due is not None and when > due:
        notes.append(f"{late_text((when - due).total_seconds())} ({source.format(when)}; due {due:%Y-%m-%d %H:%M} UTC)")
    if lms_late:
        notes.append("the LMS marks it late" + ("" if when else "; no time given, so no late penalty"))
    return "; ".join(notes)


def listing(submitted, out, engine="judge", force=False, db=None):
    """The dry run's lines."""
    from autograder.grading.gradebook import GRADING
    from autograder.grading.ledger import Ledger

    known = set(notebooks.assignments())
    subs, unknown = discover(submitted, known)
    assignments = sorted({s.assignment for s in subs})
    source = {a: digest(notebooks.SOLUTIONS / a) for a in assignments}
    expected = {a: notebooks.released_names(a) for a in assignments}
    ledger = Ledger(Path(out) / GRADING / "ledger.jsonl")
    due, stored = due_dates(out, db), stored_times(out, db)
    lms_late = late_marks(out)
    roster = {x.id for x in rosters.read(Path(out) / rosters.ROSTER, "grade")} \
        if (Path(out) / rosters.ROSTER).exists() else None

    lines = [f"grade --dry-run: {sum(s.folder is not None for s in subs)} submissions in {submitted} "
             f"({len({s.student for s in subs})} students x {len(assignments)} assignments); nothing is graded"]
    counts = {"to grade": 0, "already graded": 0, "zero (nothing to grade)": 0}
    for sub in subs:
        plan(sub, expected[sub.assignment])
        if sub.folder is None:
            what = "not submitted"
        else:
            sub.hash = digest(sub.folder, source[sub.assignment])
            if sub.problem:
                what = "zero (nothing to grade)"
            elif not force and ledger.done(sub, engine) is not None:
                what = "already graded"
            else:
                what = "to grade"
            counts[what] += 1
        notes = [status_text(sub.outcomes)] if sub.outcomes and sub.folder is not None else []
        if sub.folder is not None:
            late = lateness(submitted_at(sub.folder), due.get(sub.assignment),
                            (sub.student, sub.assignment) in lms_late, stored.get((sub.student, sub.assignment)))
            if late:
                notes.append(f"late: {late}")
        if roster is not None and sub.student not in roster:
            notes.append("not on the roster")
        lines.append(f"  {sub.key:<32} {what:<24} {'; '.join(notes)}".rstrip())
    for student, folder in unknown:
        lines.append(f"  {student}/{folder:<{max(1, 31 - len(student))}} skipped: not one of this course's assignments")
    for claimed, assignment, owner, folder in quarantined(Path(submitted).parent):
        lines.append(f"  {claimed}/{assignment:<{max(1, 31 - len(claimed))}} not graded: handed in by the account "
                     f"{owner} (quarantined by collect: {folder})")
    if roster is not None:
        absent = sorted(roster - {s.student for s in subs})
        if absent:
            lines.append(f"  on the roster, nothing handed in: {', '.join(absent)}")
    tally = [f"{n} {what}" for what, n in counts.items() if n]
    renamed = sum(RENAMED in kinds(s.outcomes) for s in subs)
    missing = sum(MISSING in kinds(s.outcomes) for s in subs)
    lines.append(f"grade --dry-run: {', '.join(tally) or 'nothing to grade'}; {renamed} renamed, {missing} missing "
                 f"notebooks, {len(unknown)} unknown folders" + ("" if due else "; no due dates in the gradebook"))
    return lines


def dry_run(submitted, out, engine="judge", force=False, db=None):
    print("\n".join(listing(submitted, out, engine, force, db)))
    return 0
