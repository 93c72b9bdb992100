"""grading/ledger.jsonl: one JSON line per finished grading of a submission, keyed by student
and assignment.

A line holds a hash of the submitted files and of the assignment's source (`hash`), a hash of
the submitted files alone (`files`: whether the learner's work changed), the engine, the
submission's outcomes (`Outcome.to_json`), its score and max_score (after any late penalty) and
when it was graded (`graded_at`). A run skips a submission only when its last line has the same
hash and engine (and the master gradebook has its grades). The master is written before the
ledger, so an interruption at any point loses no grade (at worst one submission is graded again).

The file is only ever appended to: the earlier lines of a key are the submission's history
(`Ledger.history`), the scores of the versions it replaced.

grading/held.json keeps, until the submission's next ledger line is written, the outcomes of
manual scores a run cleared from the master before grading the new version (`Ledger.hold`), so
an interruption between the two does not lose the notice.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from autograder.grading.outcomes import Outcome, status_text


def key_of(entry):
    return f"{entry['student']}/{entry['assignment']}"


class Ledger:
    """The ledger file; the last line of a key is the submission's current grading."""

    def __init__(self, path):
        self.path = Path(path)
        self.lines = {}  # key: [entries, oldest first]
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                    self.lines.setdefault(key_of(entry), []).append(entry)
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by an interruption
        self.held_path = self.path.with_name("held.json")
        try:
            self.held = json.loads(self.held_path.read_text()) if self.held_path.exists() else {}
        except ValueError:
            self.held = {}
        self.handle = None

    def last(self, key):
        lines = self.lines.get(key)
        return lines[-1] if lines else None

    def done(self, sub, engine):
        """The outcomes the ledger holds for `sub` when it was graded as it is now by `engine`
        (same files, same source), else None. A line an older version wrote (statuses as text)
        counts as not done: the submission is graded again."""
        entry = self.last(sub.key)
        if (not entry or entry.get("hash") != sub.hash or entry.get("engine") != engine
                or type(entry.get("outcomes")) is not list):
            return None
        try:
            return [Outcome.from_json(o) for o in entry["outcomes"]]
        except (TypeError, ValueError):
            return None

    def changed(self, sub, files):
        """Whether the learner's files differ from those of the last grading (files: their
        `submissions.digest`); None when the ledger has no grading of `sub`. A line written
        before lines carried `files` is compared by its hash (which also covers the source)."""
        entry = self.last(sub.key)
        if entry is None:
            return None
        if "files" in entry:
            return entry["files"] != files
        return entry.get("hash") != sub.hash

    def history(self, key):
        """The earlier gradings of a submission, oldest first: every line of the key but the last,
        as dicts {graded_at, score, max_score, status} (score None: a line from before lines
        carried scores)."""
        found = []
        for entry in self.lines.get(key, [])[:-1]:
            outcomes = entry.get("outcomes")
            try:
                status = status_text([Outcome.from_json(o) for o in outcomes])
            except (TypeError, ValueError):
                status = outcomes if isinstance(outcomes, str) else ""
            found.append({"graded_at": entry.get("graded_at"), "score": entry.get("score"),
                          "max_score": entry.get("max_score"), "status": status})
        return found

    def histories(self):
        """{key: history(key)} for every submission graded more than once."""
        return {key: self.history(key) for key, lines in self.lines.items() if len(lines) > 1}

    def hold(self, key, outcomes, cleared):
        """Keep a cleared manual grade's outcomes (and what was cleared) until `record` of the key."""
        held = self.held.setdefault(key, {"outcomes": [], "cleared": []})
        held["outcomes"] += [o.to_json() for o in outcomes]
        held["cleared"].append(cleared)
        self._write_held()

    def held_outcomes(self, key):
        return [Outcome.from_json(o) for o in self.held.get(key, {}).get("outcomes", [])]

    def record(self, sub, engine, outcomes, score=None, files=None):
        """A finished grading: outcomes, score ((score, max_score, ...), as `Master.merge` wrote it),
        files (the learner's files' digest). What `hold` kept for the key goes into the line."""
        entry = {"student": sub.student, "assignment": sub.assignment, "hash": sub.hash,
                 "engine": engine, "outcomes": [o.to_json() for o in outcomes],
                 "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
        if score is not None:
            entry["score"], entry["max_score"] = score[0], score[1]
        if files is not None:
            entry["files"] = files
        key = key_of(entry)
        held = self.held.get(key)
        if held:
            entry["cleared_manual"] = held["cleared"]
        self.write(entry)
        if held:
            del self.held[key]
            self._write_held()

    def _write_held(self):
        if self.held:
            self.held_path.parent.mkdir(parents=True, exist_ok=True)
            write_json(self.held_path, self.held)
        else:
            self.held_path.unlink(missing_ok=True)

    def write(self, entry):
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size:
                with open(self.path, "rb") as fh:  # a cut-short last line must not swallow ours
                    fh.seek(-1, os.SEEK_END)
                    cut = fh.read(1) != b"\n"
            else:
                cut = False
            self.handle = open(self.path, "a")
            if cut:
                self.handle.write("\n")
        try:
            self.handle.write(json.dumps(entry, sort_keys=True) + "\n")
            self.handle.flush()
            os.fsync(self.handle.fileno())
        except OSError as exc:  # a full disk: the line may be cut short; the next write starts a new one
            handle, self.handle = self.handle, None
            with contextlib.suppress(OSError):
                handle.close()
            raise OSError(exc.errno, exc.strerror, str(self.path)) from exc
        self.lines.setdefault(key_of(entry), []).append(entry)

    def close(self):
        if self.handle:
            self.handle.close()
            self.handle = None


def write_json(path, data):
    """Write data as JSON to path all at once (a file beside it, then renamed over it): a reader,
    or a run stopped half-way, never sees half a file."""
    tmp = Path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)
