"""`lms bundles --out COURSE`: one zip per learner, COURSE/bundles/<student>.zip, holding that
learner's feedback HTML for every assignment (<assignment>/<notebook>.html) and their summary
page (summary.md, its links pointing inside the zip), and nothing of anyone else: the way to
return feedback without nbgrader's exchange, uploaded to the LMS as a file for that learner.

For an assignment collected from an LMS (`lms collect`), also one zip for the LMS's own bulk
upload of feedback files, COURSE/bundles/<lms>_<assignment>_feedback.zip, each learner's
feedback pages named the way that LMS reads them back:

- Canvas ("Upload Submissions" on the assignment's page): `<name>_<user id>_<file id>_<page>`;
  Canvas takes the first two numbers of the name as the learner and the file they handed in
  (app/models/assignment.rb, infer_comment_context_from_filename) and attaches the page to a
  comment on that submission.
- Moodle ("Upload multiple feedback files in a zip"): `<Full Name>_<participant>_assignsubmission_file_/<page>`;
  Moodle takes the participant number from the folder name (mod/assign/feedback/file/importziplib.php)
  and adds the page to the learner's feedback files.
"""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same files give the same zip


def files_of(out, student):
    """[(name in the zip, path)] of one learner's feedback pages (<assignment>/<notebook>.html) and
    summary: nothing else nbgrader's feedback folder holds (its copy of timestamp.txt, other files)."""
    found = []
    feedback = out / "feedback" / student
    if feedback.is_dir():
        for path in sorted(feedback.glob("*/*.html")):
            rel = path.relative_to(feedback)
            if path.is_file() and not path.is_symlink() and not any(p.startswith(".") for p in rel.parts):
                found.append((rel.as_posix(), path))
    # the learner's version of their page (no instructor's status column); the instructor's page
    # of a course folder graded before there was one
    for summary in (out / "summary" / "learners" / f"{student}.md", out / "summary" / f"{student}.md"):
        if summary.is_file():
            found.append(("summary.md", summary))
            break
    return found


def students(out):
    """The learners grades.csv names (summary/ also holds the class's own page, not a learner's),
    and any with a feedback folder."""
    names = {p.name for p in (out / "feedback").iterdir() if p.is_dir()} if (out / "feedback").is_dir() else set()
    if (out / "grades.csv").exists():
        with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
            names |= {row["student"] for row in csv.DictReader(fh) if row.get("max_score")}
    return sorted(n for n in names if n and not n.startswith("."))


def write_zip(target, entries):
    """A zip of [(name, bytes)], every entry dated FIXED_TIME (the same files make the same zip)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_DEFLATED)


def bundle(student, files, target):
    """The learner's zip of `files` ([(name in the zip, path)], as `files_of` finds them)."""
    entries = []
    for name, path in files:
        data = path.read_bytes()
        if name == "summary.md":  # its links lead to ../(../)feedback/<student>/...: inside the zip now
            for up in ("../..", ".."):
                data = data.replace(f"]({up}/feedback/{student}/".encode(), b"](")
        entries.append((name, data))
    write_zip(target, entries)


def lms_uploads(out, folder):
    """COURSE/bundles/<lms>_<assignment>_feedback.zip for each collected assignment; returns the paths."""
    from autograder.lms.collect import manifests

    written = []
    for assignment, manifest in manifests(out).items():
        entries = []
        for student, got in sorted(manifest.get("collected", {}).items()):
            pages = sorted((out / "feedback" / student / assignment).glob("*.html"))
            if manifest["lms"] == "canvas":
                numbers = [f[2] for f in got["files"] if len(f) > 2 and f[2]]
                if not numbers:
                    continue
                prefix = f"{got['lms_name']}_{got['lms_id']}_{numbers[0]}_"
            else:
                prefix = f"{got['lms_name']}_{got['lms_id']}_assignsubmission_file_/"
            entries += [(prefix + page.name, page) for page in pages]
        if entries:
            target = folder / f"{manifest['lms']}_{assignment}_feedback.zip"
            write_zip(target, [(name, page.read_bytes()) for name, page in entries])
            written.append(target)
    return written


def write_bundles(out):
    """Write COURSE/bundles/<student>.zip for every learner with feedback or a summary;
    and the LMS upload zips; returns ({student: path}, [learners with neither], [LMS zips])."""
    out = Path(out)
    learners = students(out)
    if not learners:
        raise SystemExit(f"lms bundles: no grades.csv or feedback/ in {out}: grade the class first")
    folder = out / "bundles"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    written, empty = {}, []
    for student in learners:
        files = files_of(out, student)
        if not files:
            empty.append(student)
            continue
        written[student] = folder / f"{student}.zip"
        bundle(student, files, written[student])
    return written, empty, lms_uploads(out, folder)
