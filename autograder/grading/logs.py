"""What nbgrader says while it grades: kept in a per-submission log instead of printed, and
read for the few things it reports only there (a restored grade cell, a late submission)."""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import timedelta

from traitlets import log

from autograder.grading.outcomes import LATE, RESTORED, Outcome, plural

# nbgrader's own warnings (0.9.6: preprocessors/overwritecells.py, converters/autograde.py); it
# reports these two only in its log.
MISSING_GRADE_CELL = re.compile(r"Missing grade cell (\S+) encountered")
LATE_BY = re.compile(r" is ([\d.]+) seconds late")
PENALTY = re.compile(r"^Late submission penalty: ([\d.]+)$")


class Keep(logging.Handler):
    """A log handler that keeps the records in a list."""

    def __init__(self, records, level):
        super().__init__(level)
        self.records = records

    def emit(self, record):
        # Formatted now, while what the message names still exists: nbgrader logs some
        # warnings with database objects as arguments, which cannot be read once its session
        # has closed (a late submission's warning then raised DetachedInstanceError).
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not stop grading
            message = repr(record.msg)
        record.msg, record.args = message, None
        self.records.append(record)


@contextlib.contextmanager
def captured_log(level=logging.WARNING):
    """Collect what nbgrader (traitlets' logger) says, instead of printing it."""
    logger = log.get_logger()
    records = []
    handler = Keep(records, level)
    logger.addHandler(handler)
    old_propagate, old_level = logger.propagate, logger.level
    logger.propagate = False
    logger.setLevel(min(level, old_level or level))
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = old_propagate, old_level


def log_text(records):
    out = []
    for r in records:
        try:
            out.append(f"{r.levelname}: {r.getMessage()}")
        except Exception:  # a malformed log call must not stop grading
            out.append(f"{r.levelname}: {r.msg!r}")
    return "\n".join(out)


def error_summary(records, exc):
    """One line for the status column: the last line of the first traceback nbgrader logged."""
    for r in records:
        text = r.getMessage() if r.levelno >= logging.ERROR else ""
        if text.startswith("Traceback"):
            lines = [line for line in text.strip().splitlines() if line.strip()]
            return lines[-1].strip()[:300]
    return f"{type(exc).__name__}: {exc}"[:300]


def outcomes_from_log(records):
    """Outcomes worth an instructor's eye among nbgrader's warnings."""
    found = []
    for r in records:
        text = r.getMessage()
        m = MISSING_GRADE_CELL.search(text)
        if m:
            found.append(Outcome(RESTORED, "was deleted; nbgrader restored it", cell=m.group(1)))
        elif late_by := LATE_BY.search(text):
            late = Outcome(LATE, late_text(float(late_by.group(1))))
            if late not in found:  # nbgrader says it twice (autograde, then the penalty step)
                found.append(late)
        elif (penalty := PENALTY.search(text)) and found and found[-1].kind == LATE:
            points = float(penalty.group(1))
            found[-1] = Outcome(LATE, f"{found[-1].detail}, penalty {plural(points, 'point')}")
    return found


def late_text(seconds):
    """How late, as an instructor reads it: "2:00:00 after the due date", "3 days, 0:30:00 ..."."""
    return f"{timedelta(seconds=round(seconds))} after the due date"
