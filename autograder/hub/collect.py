"""nbgrader's collect on the class hub: one learner, one owner.

nbgrader names an exchange entry after the student id it was submitted as
(`nbgrader submit --student=ID` picks any id) and stock collect only warns when the entry's
owner is another account ("cheating attempt?"), then collects it; on a first collect the newest
entry wins, so a learner could hand in a blank notebook in a classmate's name. On the hub each
learner submits as their own system user, so the owner of an entry is who handed it in.

`OwnerCheckedCollect` (set by the hub as `ExchangeFactory.collect` in the instructor's
nbgrader config, so `nbgrader collect` and the Formgrader's Collect button use it) leaves every
entry whose owner is not the learner it names out of the choice of each learner's submission,
copies it to COURSE/quarantined/<assignment>/<entry>/ (never graded: the grade command reads
submitted/ only, and its dry run and status list what is there, see `quarantined`) with a
QUARANTINED.txt saying who owns it and whom it names, and reports it as an error.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect

QUARANTINE = "quarantined"
REASON = "QUARANTINED.txt"


def owner_of(path):
    try:
        return pwd.getpwuid(os.stat(path).st_uid).pw_name
    except KeyError:
        return f"uid {os.stat(path).st_uid} (no such account)"


class OwnerCheckedCollect(ExchangeCollect):
    """ExchangeCollect that collects an entry only from the account it names (see the module)."""

    def _path_to_record(self, path):
        record = super()._path_to_record(path)
        owner = owner_of(path)
        if owner != record["username"]:
            record["owner"] = owner
            self.forged = [*getattr(self, "forged", []), record]
            # grouped apart from the learner's own entries: never chosen as their submission
            record["username"] = f"{record['username']}\0forged"
        return record

    def init_src(self):
        self.forged = []
        super().init_src()
        self.src_records = [r for r in self.src_records if "owner" not in r]

    def copy_files(self):
        super().copy_files()
        for record in self.forged:
            claimed = record["username"].split("\0")[0]
            dest = Path(self.coursedir.root) / QUARANTINE / self.coursedir.assignment_id / record["filename"]
            message = (f"not collected: {record['filename']} names {claimed} but the account {record['owner']} "
                       f"handed it in; a copy is in {dest}")
            self.log.error(message)
            if not dest.exists():
                self.do_copy(os.path.join(self.inbound_path, record["filename"]), str(dest))
                (dest / REASON).write_text(
                    f"Not collected, never graded: this exchange entry names {claimed}, but the account "
                    f"{record['owner']} handed it in (nbgrader submit --student={claimed}).\n"
                    f"claimed: {claimed}\nowner: {record['owner']}\nentry: {record['filename']}\n")


def quarantined(course):
    """[(claimed student, assignment, owner, entry folder)] under COURSE/quarantined/."""
    found = []
    for reason in sorted(Path(course).glob(f"{QUARANTINE}/*/*/{REASON}")):
        fields = dict(line.split(": ", 1) for line in reason.read_text().splitlines()[1:] if ": " in line)
        found.append((fields.get("claimed", "?"), reason.parent.parent.name, fields.get("owner", "?"),
                      reason.parent))
    return found
