"""`lms bundles --out COURSE`: one zip per learner, COURSE/bundles/<student>.zip, holding that
learner's feedback HTML for every assignment (<assignment>/<notebook>.html) and their summary
page (summary.md, its links pointing inside the zip), and nothing of anyone else: the way to
return feedback without nbgrader's exchange, uploaded to the LMS as a file for that learner.
"""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same files give the same zip


def files_of(out, student):
    """[(name in the zip, path)] of one learner's feedback and summary."""
    found = []
    feedback = out / "feedback" / student
    if feedback.is_dir():
        for path in sorted(feedback.rglob("*")):
            rel = path.relative_to(feedback)
            if path.is_file() and not path.is_symlink() and not any(p.startswith(".") for p in rel.parts):
                found.append((rel.as_posix(), path))
    summary = out / "summary" / f"{student}.md"
    if summary.is_file():
        found.append(("summary.md", summary))
    return found


def students(out):
    """The learners grades.csv names (summary/ also holds the class's own page, not a learner's),
    and any with a feedback folder."""
    names = {p.name for p in (out / "feedback").iterdir() if p.is_dir()} if (out / "feedback").is_dir() else set()
    if (out / "grades.csv").exists():
        with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
            names |= {row["student"] for row in csv.DictReader(fh) if row.get("max_score")}
    return sorted(n for n in names if n and not n.startswith("."))


def bundle(out, student, target):
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in files_of(out, student):
            data = path.read_bytes()
            if name == "summary.md":  # its links lead to ../feedback/<student>/...: inside the zip now
                data = data.replace(f"](../feedback/{student}/".encode(), b"](")
            zf.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_DEFLATED)


def write_bundles(out):
    """Write COURSE/bundles/<student>.zip for every learner with feedback or a summary;
    returns ({student: path}, [learners with neither])."""
    out = Path(out)
    learners = students(out)
    if not learners:
        raise SystemExit(f"lms bundles: no grades.csv or feedback/ in {out}: grade the class first")
    folder = out / "bundles"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    written, empty = {}, []
    for student in learners:
        if not files_of(out, student):
            empty.append(student)
            continue
        written[student] = folder / f"{student}.zip"
        bundle(out, student, written[student])
    return written, empty
