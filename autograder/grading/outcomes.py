"""What happened to a submission, as data: one `Outcome` per thing worth an instructor's eye.

The engines (the judge, the kernel engine's notebook reading), the sanitising steps, the
submission finder and the command create Outcomes; the ledger stores them as JSON objects; the
reports count them by `kind` and render them to text (`str(outcome)`, `status_text`) only when
they write a CSV row, a summary page or a progress line. Nothing reads the text back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# The kinds, one column each in the summary table. A submission without outcomes is OK.
OK = "ok"
NOT_SUBMITTED = "not submitted"
NOT_GRADED = "not graded"            # the run was interrupted before it was graded
RENAMED = "renamed notebook"
MISSING = "missing notebook"
EXTRA = "ignored extra notebook"
UNREADABLE = "unreadable notebook"
REFUSED = "refused"                  # a link reaching outside the submission
RESTORED = "restored cell"           # a grade cell the learner deleted, put back by nbgrader
LATE = "late"
FORGED = "forged cell metadata"
TIMEOUT = "timeout"
CRASHED = "crashed"
RAISED = "answer cell raised"        # an answer cell ended in an error (its first error named)
GRADER_ERROR = "grader error"
GRADER_NOTE = "grader note"
MISTAKE = "known mistake"            # a failed check that matched a catalogued mistake
NOT_ATTEMPTED = "not attempted"      # every answer cell as the release left it
PARTLY_BLANK = "partly blank"        # some answer cells as the release left them
AWAITING_MANUAL = "awaiting manual grade"  # a manually graded cell without a score yet
MANUAL_CLEARED = "manual score cleared"    # a resubmission: the earlier hand-given score no longer applies
MANUAL_KEPT = "manual score kept"          # a resubmission: the hand-given score kept (grade --keep-manual)
CHANGED = "changed while graded"           # the submitted files changed during the run: no grade written
COPIED = "copy of course material"         # a graded function copied from what the course hands out; graded as usual

# How a kind is written when the text is "<label>: <detail>" (default: the kind itself).
LABELS = {FORGED: "forged cell metadata, graded as the assignment defines the cells"}


@dataclass(frozen=True)
class Outcome:
    """One thing that happened while a submission was graded.

    kind: one of this module's kinds. detail: what happened, in words. cell: where, when it
    happened in one cell (its index in the notebook, or a grade cell's grade_id). function: the
    graded function whose checks it happened in. mistake: the names of the catalogued mistakes
    a failed check matched (`course.checking.CheckFailed.mistakes`), for kind MISTAKE.
    """

    kind: str
    detail: str = ""
    cell: int | str | None = None
    function: str | None = None
    mistake: tuple[str, ...] = ()

    def __str__(self):
        if self.mistake:
            named = mistake_text(self.mistake)
            return f"{self.function}: {named}" if self.function else named
        if self.function:
            return f"{self.function}: {self.detail}"
        if self.cell is not None:
            place = f"cell {self.cell}" if isinstance(self.cell, int) else f"grade cell {self.cell}"
            return f"{place} {self.detail}"
        label = LABELS.get(self.kind, self.kind)
        return f"{label}: {self.detail}" if self.detail else label

    def to_json(self):
        found = {key: value for key, value in asdict(self).items() if value not in (None, "", ())}
        if self.mistake:
            found["mistake"] = list(self.mistake)
        return found

    @classmethod
    def from_json(cls, data):
        """An Outcome from `to_json`'s dict; ValueError for anything else (an older ledger line)."""
        if type(data) is not dict or type(data.get("kind")) is not str:
            raise ValueError(f"not an outcome: {data!r}")
        found = {key: data[key] for key in ("kind", "detail", "cell", "function") if key in data}
        mistake = data.get("mistake", [])
        if type(mistake) is not list or not all(type(name) is str for name in mistake):
            raise ValueError(f"not an outcome: {data!r}")
        return cls(**found, mistake=tuple(mistake))


def mistake_text(names):
    """How a matched mistake reads in a report: "known mistake: <name>" (or several, "or")."""
    return f"{MISTAKE}: " + " or ".join(names)


def status_text(outcomes):
    """The status column: the outcomes joined with "; ", or "ok"."""
    return "; ".join(str(o) for o in outcomes) if outcomes else OK


def kinds(outcomes):
    """The distinct kinds of the outcomes, in order ([OK] for none), for the summary counts."""
    found = []
    for outcome in outcomes:
        if outcome.kind not in found:
            found.append(outcome.kind)
    return found or [OK]


def plural(n, word):
    """ "1 point", "12 points", "1.5 points", "2 workers": a count and its word, for every text the
    grading writes ("2 sandboxes": a word ending in s or x takes -es)."""
    return f"{n:g} {word}" + ("" if n == 1 else "es" if word.endswith(("s", "x")) else "s")
