"""Grades as data, and the master gradebook (`OUT/gradebook.db`), written by the main process only.

A worker grades against its own copy of the master and sends back a `SubmissionGrades`; the
main process writes it into the master with nbgrader's Gradebook API (`Master.merge`), so the
master is what `nbgrader formgrader` and `nbgrader export` read.
"""

from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import OperationalError
from traitlets.config import Config

from autograder import notebooks
from autograder.grading.database import DB_WAIT
from autograder.grading.logs import captured_log, error_summary
from autograder.grading.reports import fmt
from autograder.grading.submissions import IGNORED

GRADING = "grading"  # the command's own folder inside OUT: ledger, logs, staging, lock


@dataclass
class NotebookGrades:
    """One notebook's automatic grades: {grade cell: score}, {cell: comment}, late penalty."""

    late_penalty: float | None
    grades: dict[str, float | None] = field(default_factory=dict)
    comments: dict[str, str | None] = field(default_factory=dict)


@dataclass
class SubmissionGrades:
    """A submission's automatic grades as a worker's gradebook copy holds them."""

    timestamp: str | None
    notebooks: dict[str, NotebookGrades] = field(default_factory=dict)

    @classmethod
    def read(cls, db, course_id, student, assignment):
        with Gradebook(f"sqlite:///{db}", course_id) as gb:
            sub = gb.find_submission(assignment, student)
            return cls(sub.timestamp.isoformat() if sub.timestamp else None,
                       {nb.name: NotebookGrades(nb.late_submission_penalty,
                                                {g.name: g.auto_score for g in nb.grades},
                                                {c.name: c.auto_comment for c in nb.comments})
                        for nb in sub.notebooks})


class Merged(NamedTuple):
    """What `Master.merge` wrote: the score (after any late penalty), the maximum, the cells
    that await a grade given by hand, and whether the submission holds anything given by hand."""

    score: float
    max_score: float
    awaiting: tuple[str, ...] = ()
    by_hand: bool = False


@dataclass
class Score:
    """A submission's score in the master (after any late penalty), its grade cells'
    {name: (score, max_score)}, when it was submitted, how late (seconds, 0 on time), the late
    penalty taken off, and the manually graded cells that have no score yet."""

    score: float
    max_score: float
    cells: dict[str, tuple[float, float]]
    timestamp: str | None = None
    late_seconds: float = 0.0
    penalty: float = 0.0
    awaiting_manual: tuple[str, ...] = ()
    before_penalty: float | None = None  # nbgrader's score, the Formgrader's: before the late penalty


@dataclass
class Manual:
    """What an instructor gave a submission by hand (the formgrader): {grade cell: (manual score,
    extra credit, max score)} and {cell: comment}. Empty (false) when nothing was given."""

    scores: dict[str, tuple[float | None, float | None, float]] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)

    def __bool__(self):
        return bool(self.scores or self.comments)

    def describe(self):
        """For an Outcome's detail: "test_relu 0.5 / 1; comment on relu: "..."", cells in name order."""
        parts = []
        for cell, (score, extra, most) in sorted(self.scores.items()):
            text = f"{cell} {fmt(score)} / {fmt(most)}" if score is not None else cell
            parts.append(text + (f" + {fmt(extra)} extra credit" if extra else ""))
        for cell, comment in sorted(self.comments.items()):
            short = " ".join(comment.split())
            parts.append(f'comment on {cell}: "{short[:60]}{"..." if len(short) > 60 else ""}"')
        return "; ".join(parts)

    def to_json(self):
        return {"scores": {cell: list(value) for cell, value in self.scores.items()}, "comments": self.comments}


def sqlite_locked(path):
    """Whether another program holds a write lock on the SQLite file at path (a transaction the
    formgrader or an `nbgrader db` command has begun), asked without waiting."""
    try:
        con = sqlite3.connect(path, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        con.execute("BEGIN IMMEDIATE")  # takes the write lock, and gives it back at once
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    finally:
        con.close()


class Master:
    """The master gradebook: written by the main process only.

    A SQLite master that another program holds locked (Formgrader saving a grade, `nbgrader db
    ...`) is waited for before each use, up to `wait` seconds, saying so on stderr; after that
    the use fails as a lost database does (`database.lost`), and later uses do not wait again.
    """

    def __init__(self, out, course_id, url=None, wait=DB_WAIT, say=None):
        """url: a database server's (`grade --db`, see `database`); default OUT/gradebook.db."""
        self.out = Path(out)
        self.db = self.out / "gradebook.db"
        self.url = url or f"sqlite:///{self.db}"
        self.course_id = course_id
        self.wait, self.say, self.gave_up = wait, say or (lambda text: print(text, file=sys.stderr, flush=True)), False

    def wait_until_free(self):
        """Return once no other program holds the SQLite master locked (at once if none does)."""
        if self.url != f"sqlite:///{self.db}" or not self.db.exists() or not sqlite_locked(self.db):
            return
        if not self.gave_up:
            self.say(f"grade: waiting for the gradebook {self.db}: another program holds it locked (the "
                     f"formgrader saving, an nbgrader db command?); waiting up to {self.wait} s")
            begin = time.monotonic()
            said = begin
            while time.monotonic() - begin < self.wait:
                time.sleep(0.2)
                if not sqlite_locked(self.db):
                    self.say(f"grade: the gradebook is free again after {time.monotonic() - begin:.0f} s; "
                             f"going on")
                    return
                if time.monotonic() - said >= 15:
                    said = time.monotonic()
                    self.say(f"grade: still waiting for the gradebook ({said - begin:.0f} of {self.wait} s)")
            self.gave_up = True
        raise OperationalError("waiting for the gradebook", None, sqlite3.OperationalError(
            f"database is locked: another program held it for more than {self.wait} s"))

    def gradebook(self):
        self.wait_until_free()
        return Gradebook(self.url, self.course_id)

    def copy_to(self, path):
        """A worker's SQLite gradebook: a copy of the master file, or of a server's registration rows."""
        if self.url == f"sqlite:///{self.db}":
            self.wait_until_free()  # a program in the middle of a transaction: the file is not whole
            shutil.copyfile(self.db, path)
        else:
            from autograder.grading.database import snapshot

            Path(path).unlink(missing_ok=True)
            snapshot(self.url, self.course_id, path)

    def register(self, cfg, assignments, students, hashes):
        """Sources into OUT/solutions, assignments into the gradebook (nbgrader's GenerateAssignment,
        when new or their source hash changed), students into the gradebook."""
        registry_path = self.out / GRADING / "assignments.json"
        registry_path.parent.mkdir(parents=True, exist_ok=True)
        registry = json.loads(registry_path.read_text()) if registry_path.exists() else {}
        for assignment in assignments:
            with self.gradebook() as gb:
                try:
                    gb.find_assignment(assignment)
                    known = registry.get(assignment) == hashes[assignment]
                except MissingEntry:
                    known = False
            if known:
                continue
            source = self.out / "solutions" / assignment
            if source.resolve() != (notebooks.SOLUTIONS / assignment).resolve():
                shutil.rmtree(source, ignore_errors=True)
                shutil.copytree(notebooks.SOLUTIONS / assignment, source,
                                ignore=shutil.ignore_patterns(".*", *IGNORED))
            c = Config(cfg)
            c.CourseDirectory.assignment_id = assignment
            c.BaseConverter.force = True
            c.GenerateAssignment.create_assignment = True
            self.wait_until_free()
            with captured_log() as records:
                try:
                    GenerateAssignment(coursedir=CourseDirectory(config=c), config=c).start()
                except Exception as exc:
                    raise SystemExit(f"grade: nbgrader could not register {assignment}: "
                                     f"{error_summary(records, exc)}") from None
            registry[assignment] = hashes[assignment]
            registry_path.write_text(json.dumps(registry, indent=1, sort_keys=True) + "\n")
        with self.gradebook() as gb:
            for student in students:
                gb.update_or_create_student(student)

    def expected(self, assignment):
        with self.gradebook() as gb:
            return sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)

    def graded(self, gb, student, assignment):
        """Whether the master has this submission's automatic grades."""
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return False
        for nb in sub.notebooks:
            manual = {c.name for c in nb.notebook.solution_cells}
            if any(g.auto_score is None and g.name not in manual for g in nb.grades):
                return False
        return True

    def manual_keys(self):
        """The submissions ("student/assignment") that have anything given by hand, in one query.
        Assignment names are unique in an nbgrader gradebook, whatever course id they carry."""
        from nbgrader.api import Assignment, Comment, Grade, SubmittedAssignment, SubmittedNotebook

        keys = set()
        with self.gradebook() as gb:
            for table, given in ((Grade, (Grade.manual_score.isnot(None)) | (Grade.extra_credit.isnot(None))),
                                 (Comment, Comment.manual_comment.isnot(None))):
                # any course id: `nbgrader db assignment add` run in the course folder before it had
                # its config (a due date, set first) registers the assignment under course ''
                rows = (gb.db.query(SubmittedAssignment.student_id, Assignment.name).select_from(table)
                        .join(SubmittedNotebook, table.notebook_id == SubmittedNotebook.id)
                        .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                        .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                        .filter(given))
                keys.update(f"{student}/{assignment}" for student, assignment in rows)
        return keys

    def manual(self, student, assignment, clear=False):
        """The submission's hand-given scores, extra credit and comments (`Manual`); clear: remove
        them from the master (one commit), a cell without an automatic score then awaits a
        manual grade again."""
        with self.gradebook() as gb:
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                return Manual()
            found = given_by_hand(sub.notebooks, clear)
            if clear:
                gb.db.commit()
        return found

    def merge(self, student, assignment, grades: SubmissionGrades | None):
        """Write one submission's automatic grades (None: zero everywhere) in one commit; manual
        scores and comments in the master are kept (`GradeRun` clears them first when the
        learner's files changed). Returns a Merged: (score, max_score), the score after any late
        penalty, and the cells that await a grade given by hand."""
        with self.gradebook() as gb:
            kwargs = {"timestamp": grades.timestamp} if grades and grades.timestamp else {}
            sub = gb.update_or_create_submission(assignment, student, **kwargs)
            for nb in sub.notebooks:
                got = grades.notebooks.get(nb.name) if grades else None
                nb.late_submission_penalty = got.late_penalty if got else None
                for grade in nb.grades:
                    grade.auto_score = got.grades.get(grade.name) if got else 0.0
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                for comment in nb.comments:
                    comment.auto_comment = got.comments.get(comment.name) if got else None
            gb.db.commit()
            return Merged(net_score(sub), sub.max_score, awaiting_manual(sub.notebooks),
                          bool(given_by_hand(sub.notebooks)))

    def scores(self):
        """({(student, assignment): Score}, {assignment: max_score}). A score is after any late
        penalty nbgrader assigned (out/nbgrader_config.py's LateSubmissionPlugin settings)."""
        out, maxima = {}, {}
        with self.gradebook() as gb:
            for assignment in gb.assignments:
                maxima[assignment.name] = assignment.max_score
                for sub in gb.assignment_submissions(assignment.name):
                    cells = {g.name: (g.score, g.max_score) for nb in sub.notebooks for g in nb.grades}
                    penalty = sub.late_submission_penalty or 0.0
                    awaiting = awaiting_manual(sub.notebooks)
                    out[sub.student.id, assignment.name] = Score(
                        net_score(sub), sub.max_score, cells,
                        utc_text(sub.timestamp), float(sub.total_seconds_late or 0.0), penalty, awaiting,
                        float(sub.score))
        return out, maxima


def utc_text(when):
    """nbgrader's time (naive, UTC) as ISO 8601 with its zone: 2026-12-01T09:30:00+00:00."""
    return when.replace(tzinfo=datetime.timezone.utc).isoformat() if when else None


def awaiting_manual(notebooks):
    """The grade cells of submitted notebooks (nbgrader's SubmittedNotebook) that wait for a grade
    given by hand: flagged for manual grading, with neither a manual nor an automatic score."""
    return tuple(g.name for nb in notebooks for g in nb.grades
                 if g.needs_manual_grade and g.manual_score is None and g.auto_score is None)


def net_score(sub):
    """A submission's score with nbgrader's late penalty taken off (never below zero), the score
    an LMS should get, as nbgrader's export gives it."""
    return max(0.0, sub.score - (sub.late_submission_penalty or 0.0))


def given_by_hand(notebooks, clear=False):
    """What submitted notebooks hold that an instructor gave by hand (`Manual`: scores or extra
    credit, non-blank comments); clear: remove it (the caller commits), a cell without an
    automatic score then awaits a manual grade again."""
    found = Manual()
    for nb in notebooks:
        for grade in nb.grades:
            if grade.manual_score is not None or grade.extra_credit is not None:
                found.scores[grade.name] = (grade.manual_score, grade.extra_credit, grade.max_score)
                if clear:
                    grade.manual_score = grade.extra_credit = None
                    grade.needs_manual_grade = grade.auto_score is None
        for comment in nb.comments:
            if comment.manual_comment is not None:
                if comment.manual_comment.strip():
                    found.comments[comment.name] = comment.manual_comment
                if clear:
                    comment.manual_comment = None
    return found
