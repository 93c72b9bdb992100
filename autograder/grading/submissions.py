"""Finding the submissions in nbgrader's submitted/ folder and what can be graded of each.

`discover` lists a Submission for every student and every assignment anyone submitted; `plan`
picks the notebook file(s) to grade and records, as Outcomes, what the main process handles
itself (nothing submitted, a missing or unreadable notebook, a link reaching outside the
submission): such a submission gets zero without going to a worker.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.grading.outcomes import EXTRA, MISSING, NOT_SUBMITTED, REFUSED, RENAMED, UNREADABLE, Outcome

IGNORED = {".ipynb_checkpoints", "__pycache__"}


@dataclass
class Submission:
    """One student's folder for one assignment (folder None: the student has none)."""

    student: str
    assignment: str
    folder: Path | None
    files: dict[str, Path] = field(default_factory=dict)  # expected notebook name -> file to grade
    outcomes: list[Outcome] = field(default_factory=list)
    problem: str | None = None  # set: graded as zero by the main process, no worker
    hash: str = ""

    @property
    def key(self):
        return f"{self.student}/{self.assignment}"


def visible(path):
    return not path.name.startswith(".") and path.name not in IGNORED


def resolve(submissions, out=None):
    """(submitted folder, output course folder) from the command's arguments."""
    submissions = Path(submissions).resolve()
    if not submissions.is_dir():
        raise SystemExit(f"grade: {submissions} is not a folder")
    if submissions.name != "submitted" and (submissions / "submitted").is_dir():
        submissions = submissions / "submitted"
    elif submissions.name != "submitted":
        raise SystemExit(f"grade: {submissions} is neither a submitted/ folder nor a course folder "
                         "that contains one (submitted/<student>/<assignment>/<notebook>.ipynb)")
    return submissions, Path(out).resolve() if out else submissions.parent


def discover(submitted, known):
    """(submissions, unknown assignment folders as (student, folder name)); every student gets
    a Submission for every assignment anyone submitted (folder None if they did not)."""
    found, unknown = {}, []
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir() and visible(p))
    for student in students:
        for folder in sorted(p for p in (submitted / student).iterdir() if p.is_dir() and visible(p)):
            if folder.name in known:
                found[student, folder.name] = folder
            else:
                unknown.append((student, folder.name))
    assignments = sorted({a for _, a in found})
    subs = [Submission(s, a, found.get((s, a))) for s in students for a in assignments]
    return subs, unknown


def tree_files(folder):
    """The files of a folder nbgrader would take (no checkpoints, caches or hidden files)."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and all(not p.startswith(".") and p not in IGNORED for p in rel.parts):
            yield rel, path


def digest(folder, extra=""):
    h = hashlib.sha256(extra.encode())
    for rel, path in tree_files(folder):
        h.update(f"\0{rel.as_posix()}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def plan(sub, expected):
    """Pick the notebook file(s) to grade and find the problems the main process handles."""
    if sub.folder is None:
        sub.problem, sub.outcomes = NOT_SUBMITTED, [Outcome(NOT_SUBMITTED)]
        return sub
    present = {p.stem: p for p in sub.folder.iterdir()
               if p.is_file() and p.suffix == ".ipynb" and visible(p)}
    missing = [n for n in expected if n not in present]
    extra = sorted(n for n in present if n not in expected)
    sub.files = {n: present[n] for n in expected if n in present}
    if len(missing) == 1 and len(extra) == 1:
        (name,), (other,) = missing, extra
        sub.files[name] = present[other]
        sub.outcomes.append(Outcome(RENAMED, f"graded {other}.ipynb as {name}.ipynb"))
        extra = []
    elif missing:
        sub.outcomes.append(Outcome(MISSING, ", ".join(f"{n}.ipynb" for n in missing)
                                    + (f" (found {', '.join(f'{n}.ipynb' for n in extra)})" if extra else "")))
        extra = []
    if extra:
        sub.outcomes.append(Outcome(EXTRA, ", ".join(f"{n}.ipynb" for n in extra)))
    unreadable_files = False
    for path in sub.files.values():
        problem = unreadable(path)
        if problem:
            unreadable_files = True
            sub.outcomes.append(Outcome(UNREADABLE, f"{path.name}: {problem}"))
    link = link_outside(sub.folder)
    if link:
        sub.outcomes.append(Outcome(REFUSED, f"{link}; a link is not a submission (0 points)"))
    if not sub.files:
        sub.problem = MISSING
    elif link:
        sub.problem = "link outside the submission"
    elif unreadable_files:
        sub.problem = UNREADABLE
    return sub


def link_outside(folder):
    """Why a submission reaches outside its own folder through a link (None if it does not).

    nbgrader copies what a link points to, so a notebook that is a symbolic link to the
    instructor's solution (or a classmate's notebook) would be graded as that file. A symbolic
    link (of the folder, of the student's folder, or of anything in it) that leads outside the
    submission, and a hard link whose other names are not all inside it, are refused."""
    for path in (folder.parent, folder):
        if path.is_symlink():
            return f"{path.name}/ is a symbolic link to {os.readlink(path)}"
    inside = folder.resolve()
    stats = {}
    for _rel, path in tree_files(folder):
        target = path.resolve()
        if target != inside and inside not in target.parents:
            return f"{path.relative_to(folder)} is a symbolic link to {target}"
        stats[path] = path.stat()
    names = Counter((info.st_dev, info.st_ino) for info in stats.values())
    for path, info in stats.items():
        if info.st_nlink > names[info.st_dev, info.st_ino]:
            return f"{path.relative_to(folder)} is a hard link to a file outside the submission"
    return None


def unreadable(path):
    """Why a notebook file cannot be read (None if it can)."""
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except ValueError as exc:
        return f"not valid JSON ({exc})"
    try:
        nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat version, schema: nbgrader could not read it either
        return f"not a notebook ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"[:200]
    return None
