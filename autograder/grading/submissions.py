"""Finding the submissions in nbgrader's submitted/ folder and what can be graded of each.

`discover` lists a Submission for every student and every assignment anyone submitted; `plan`
picks the notebook file(s) to grade and records, as Outcomes, what the main process handles
itself (nothing submitted, a missing or unreadable notebook, a link reaching outside the
submission): such a submission gets zero without going to a worker. `plan` also compares the
answer cells with the release (`blank_outcome`): a submission whose answer cells are all as the
release left them is NOT_ATTEMPTED, one with some of them so is PARTLY_BLANK; both are still
graded as usual. And it compares each graded function of the submission with what the course
hands out (`copied_outcome`, autograder/copies.py: the `course` package, the lessons, the
exercises' prose): a graded function that is a copy of one of them is COPIED, naming both, for the
instructor to judge; its points are what grading gives it, neither added nor taken.

The release compared with is the course's exercises/ folder (`notebooks.EXERCISES`), not the
copy the grade command generates in OUT/exercises: exercises/ is what learners were handed (the
learner edition and the hub copy it), it exists before anything is registered (a dry run plans
without a gradebook), and the drift check keeps it equal to what nbgrader generates from
solutions/. OUT/exercises is nbgrader's own working copy, regenerated only when a source changes.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import notebooks
from autograder.grading.outcomes import (
    COPIED,
    EXTRA,
    MISSING,
    NOT_ATTEMPTED,
    NOT_SUBMITTED,
    PARTLY_BLANK,
    REFUSED,
    RENAMED,
    UNREADABLE,
    Outcome,
)

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
    digests: dict[str, str] = field(default_factory=dict)  # `file_digests` when the run was planned

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


def digest(folder, extra="", ignore=()):
    """A hash of the files nbgrader would take from `folder` (and of `extra`), but the names in
    `ignore` (at the folder's top)."""
    h = hashlib.sha256(extra.encode())
    for rel, path in tree_files(folder):
        if rel.as_posix() in ignore:
            continue
        h.update(f"\0{rel.as_posix()}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def file_digests(folder):
    """{relative path: sha256 of its bytes} of the files nbgrader would take from folder."""
    return {rel.as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() for rel, path in tree_files(folder)}


def changed_files(before, after):
    """The differences between two `file_digests`, in words ("x.ipynb changed", "y.txt added")."""
    found = [f"{name} {'removed' if name not in after else 'added' if name not in before else 'changed'}"
             for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]
    return found


def plan(sub, expected, release=None, handed_out=None):
    """`_plan`, and for files it cannot make sense of, an UNREADABLE outcome and zero instead of an
    exception: one learner's odd files never stop the class's run (or its --dry-run).
    handed_out: the folder holding what the course hands out (lessons/, exercises/, course/),
    default this course's (`notebooks.ROOT`)."""
    try:
        return _plan(sub, expected, release, handed_out)
    except Exception as exc:
        sub.problem = UNREADABLE
        sub.outcomes.append(Outcome(UNREADABLE, f"the submission could not be read ({type(exc).__name__}: "
                                                f"{str(exc)[:120]})"))
        return sub


def _plan(sub, expected, release=None, handed_out=None):
    """Pick the notebook file(s) to grade and find the problems the main process handles.

    release: the folder of released notebooks (<assignment>/<notebook>.ipynb) the answer cells
    are compared with; default the course's exercises/."""
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
    if not sub.problem:
        blank = blank_outcome(sub, release or notebooks.EXERCISES)
        if blank:
            sub.outcomes.append(blank)
        copied = copied_outcome(sub, handed_out or notebooks.ROOT)
        if copied:
            sub.outcomes.append(copied)
    return sub


def copied_outcome(sub, handed_out):
    """COPIED naming each graded function of the submitted notebook(s) that is a copy of a
    function or cell the course hands out under the folder handed_out (its whole body with names
    normalised, a run of statements there, or a near copy: `copies.handed_out_copies`), or None.
    A failure of the comparison itself says nothing: the status never blames a learner for a
    fault of the grader."""
    from autograder import copies
    from autograder.specs import all_specs

    graded = set(all_specs().get(sub.assignment, {}))
    found = []
    try:
        for path in sub.files.values():
            found += copies.handed_out_copies(path, graded, handed_out)
    except Exception:  # a notebook the comparison cannot read: no claim either way
        return None
    if not found:
        return None
    named = "; ".join(f"{name} is {where} ({how})" for name, where, how in found)
    return Outcome(COPIED, f"{named}; graded as usual, for the instructor to judge")


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


# ------------------------------------------------------------------ blank answers

@dataclass(frozen=True)
class ReleasedAnswer:
    """One answer (solution) cell of the release: its grade_id, its source with every blank
    left out (so that a whitespace-only change leaves it equal), and what it stands for."""

    grade_id: str
    squeezed: str
    names: tuple[str, ...]  # the functions a code cell defines; else "<grade_id> (written answer)"


def text(source):
    """A cell's source as one string (a notebook file may store it as a list of lines; anything
    else a hand-edited file may hold reads as empty)."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return ""


def squeeze(source):
    """A cell's source without any whitespace: equal for sources that differ only in blanks."""
    return "".join(text(source).split())


def graded_cells(data):
    """[(grade_id, cell)] of a notebook's cells (as JSON data) that carry an nbgrader grade_id."""
    found = []
    for cell in data.get("cells", []) if isinstance(data, dict) else []:
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            found.append((meta["grade_id"], cell))
    return found


def _names(grade_id, cell):
    if cell.get("cell_type") != "code":
        return (f"{grade_id} (written answer)",)
    try:
        tree = ast.parse(text(cell.get("source", "")))
    except SyntaxError:
        return (grade_id,)
    return tuple(node.name for node in tree.body if isinstance(node, ast.FunctionDef)) or (grade_id,)


@functools.lru_cache(maxsize=64)
def _release(path, _stamp):
    """(the released notebook's bytes, its answer cells in order); _stamp: its mtime and size."""
    data = Path(path).read_bytes()
    answers = tuple(ReleasedAnswer(grade_id, squeeze(cell.get("source", "")), _names(grade_id, cell))
                    for grade_id, cell in graded_cells(json.loads(data))
                    if cell["metadata"]["nbgrader"].get("solution"))
    return data, answers


def released(release, assignment, name):
    """The release of one notebook, (bytes, answer cells), or None if the release lacks it."""
    path = Path(release) / assignment / f"{name}.ipynb"
    try:
        info = path.stat()
    except OSError:
        return None
    return _release(str(path), (info.st_mtime_ns, info.st_size))


def defined_elsewhere(data, stubs):
    """The functions the notebook's code cells define, but for cells that are a released answer
    cell as released (`stubs`: their squeezed sources), which define the stub."""
    names = set()
    for cell in data.get("cells", []) if isinstance(data, dict) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = text(cell.get("source", ""))
        if squeeze(source) in stubs:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        names.update(node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    return names


def blank_answers(path, release_data, answers):
    """(the released answer cells a submitted notebook leaves as released, whether the file is
    the release byte for byte). An answer cell is changed when a cell of the submission with its
    grade_id differs from the release by more than whitespace; a deleted one is blank, unless
    another cell of the notebook defines every function it stands for (the learner wrote the
    function in a cell of their own)."""
    data = path.read_bytes()
    if data == release_data:
        return list(answers), True
    notebook = json.loads(data)
    submitted = {}
    for grade_id, cell in graded_cells(notebook):
        submitted.setdefault(grade_id, []).append(squeeze(cell.get("source", "")))
    blank = [a for a in answers if all(source == a.squeezed for source in submitted.get(a.grade_id, []))]
    if blank:
        elsewhere = defined_elsewhere(notebook, {a.squeezed for a in answers})
        blank = [a for a in blank if not set(a.names) <= elsewhere]  # a written answer's name is no function's
    return blank, False


def blank_outcome(sub, release):
    """NOT_ATTEMPTED when every answer cell of the submitted notebook(s) is as released (or the
    files are the release itself), PARTLY_BLANK naming the blank ones (the functions they
    define) when some are; None otherwise, or when the release lacks one of the notebooks."""
    total, blank, identical = 0, [], True
    for name, path in sub.files.items():
        release_of = released(release, sub.assignment, name)
        if release_of is None:
            return None
        try:
            found, same = blank_answers(path, *release_of)
        except Exception:  # a hand-edited notebook nbformat tolerates: say nothing, let nbgrader grade it
            return None
        total += len(release_of[1])
        blank += found
        identical = identical and same
    if sub.files and identical:
        return Outcome(NOT_ATTEMPTED, "the release, unchanged")
    if not blank:
        return None
    if len(blank) == total:
        return Outcome(NOT_ATTEMPTED, "every answer cell as released")
    return Outcome(PARTLY_BLANK, ", ".join(name for answer in blank for name in answer.names))
