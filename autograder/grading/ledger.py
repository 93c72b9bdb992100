"""grading/ledger.jsonl: one JSON line per finished submission, keyed by student and assignment.

A line holds a hash of the submitted files and of the assignment's source, the engine, and the
submission's outcomes (`Outcome.to_json`). A run skips a submission only when its line has the
same hash and engine (and the master gradebook has its grades). The master is written before the
ledger, so an interruption at any point loses no grade (at worst one submission is graded again).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from autograder.grading.outcomes import Outcome


class Ledger:
    """The ledger file; the last line of a key wins."""

    def __init__(self, path):
        self.path = Path(path)
        self.entries = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                    self.entries[f"{entry['student']}/{entry['assignment']}"] = entry
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by an interruption
        self.handle = None

    def done(self, sub, engine):
        """The outcomes the ledger holds for `sub` when it was graded as it is now by `engine`
        (same files, same source), else None. A line an older version wrote (statuses as text)
        counts as not done: the submission is graded again."""
        entry = self.entries.get(sub.key)
        if (not entry or entry.get("hash") != sub.hash or entry.get("engine") != engine
                or type(entry.get("outcomes")) is not list):
            return None
        try:
            return [Outcome.from_json(o) for o in entry["outcomes"]]
        except (TypeError, ValueError):
            return None

    def record(self, sub, engine, outcomes):
        self.write({"student": sub.student, "assignment": sub.assignment, "hash": sub.hash,
                    "engine": engine, "outcomes": [o.to_json() for o in outcomes],
                    "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S")})

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
        self.handle.write(json.dumps(entry, sort_keys=True) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.entries[f"{entry['student']}/{entry['assignment']}"] = entry

    def close(self):
        if self.handle:
            self.handle.close()
