"""The course folder's `nbgrader_config.py`: nbgrader's own entry points, run in the folder the
grade command writes (`nbgrader formgrader`, `nbgrader generate_feedback`, `nbgrader export`),
use the course's settings.

Every grade run makes sure the file holds one block between the two marker lines below (written
if the file is new, appended once to an instructor's own file, rewritten in place when it
differs); everything outside the block is the instructor's and is kept. The block calls
`configure`, which sets, after the instructor's own lines (so these win):

- the course id, the source and release folders, the gradebook (a `--db` URL): the formgrader
  and `nbgrader export` read the gradebook the command writes;
- the course's feedback settings (`GenerateFeedback.preprocessors`, from the course's
  autograder/nbgrader_config.py): nbgrader's Generate Feedback, from the formgrader or the
  command line, hides the hidden tests as the grade command's feedback does;
- `CsvExportPlugin.to`: `nbgrader export` writes nbgrader_export.csv, never the command's
  grades.csv (an instructor's other file name is kept);
- nbgrader's stock Autograde switched off in this folder (`guard`): the formgrader's Autograde
  button and `nbgrader autograde` answer with the grade command to run instead. Stock Autograde
  runs the learner's code in a plain kernel, outside the course's sandbox; it grades only
  notebooks under their released names (a renamed one fails with "No notebooks found"), and
  with the button's force it deletes the submission's autograded copy before it fails; the
  grades it would write, the ledger would not know of.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

from autograder import notebooks

BEGIN = "# >>> python -m autograder grade: the course's settings (rewritten by every run; edit outside this block)"
END = "# <<< python -m autograder grade"
EXPORT = "nbgrader_export.csv"  # where `nbgrader export` writes here: grades.csv is the command's
HEAD = ("# nbgrader's settings for this course folder (formgrader, generate_feedback, export); add your own\n"
        "# (a late penalty, zip_collect's file names) outside the block the grade command keeps below.\n"
        "c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)\n")

_refusal = {"text": "nbgrader's Autograde is switched off in this course folder: grade with python -m autograder grade"}


def block(course_id, db=None, regrade=None):
    """The marked block, for a course folder whose gradebook is `db` (None: its gradebook.db)."""
    root = str(notebooks.ROOT)
    return "\n".join([
        BEGIN,
        "import sys as _sys",
        f"if {root!r} not in _sys.path:",
        f"    _sys.path.insert(0, {root!r})",
        "from autograder.grading.course_folder import configure as _configure",
        "",
        f"_configure(c, {course_id!r}, db={db!r}, regrade={regrade!r})  # noqa: F821 (c: traitlets)",
        END,
    ]) + "\n"


def ensure(out, course_id, db=None, regrade=None):
    """Make out/nbgrader_config.py hold the current block (and nothing of the instructor's lost)."""
    path = Path(out) / "nbgrader_config.py"
    wanted = block(course_id, db, regrade)
    text = path.read_text() if path.exists() else HEAD
    if text.count(BEGIN) > 1 or (BEGIN in text and END not in text.split(BEGIN, 1)[1]):
        raise SystemExit(f"grade: {path} has {text.count(BEGIN)} copies of the line\n  {BEGIN}\nand "
                         f"{text.count(END)} of\n  {END}\n(one of each is expected, in that order): delete "
                         "the marker lines and the command's lines between them (your own settings stay), "
                         "then run the command again; it writes its block afresh")
    if BEGIN in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        new = before + wanted + after
    else:
        new = text + ("" if text.endswith("\n") or not text else "\n") + ("\n" if text.strip() else "") + wanted
    if not path.exists() or new != text:
        tmp = path.with_name(".nbgrader_config.py.tmp")
        tmp.write_text(new)
        os.replace(tmp, path)
    return path


def db_url(out):
    """The database server's URL the course folder's nbgrader_config.py names (the block's `db=`,
    from `grade --db`, or a plain `c.CourseDirectory.db_url = "..."` line); None: its gradebook.db.
    Read from the text, so nothing of the file runs."""
    config = Path(out) / "nbgrader_config.py"
    if config.exists():
        text = config.read_text()
        for pattern in (r"""^_configure\(.*\bdb=["']([^"']+)["']""",
                        r"""^c\.CourseDirectory\.db_url\s*=\s*["']([^"']+)["']"""):
            found = re.search(pattern, text, re.M)
            if found:
                return found.group(1)
    return None


def configure(c, course_id, db=None, regrade=None):
    """What the block does when nbgrader loads the course folder's config (see the module)."""
    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.source_directory = "solutions"
    c.CourseDirectory.release_directory = "exercises"
    if db:
        c.CourseDirectory.db_url = db
    course = PyFileConfigLoader("nbgrader_config.py", path=str(notebooks.ROOT / "autograder")).load_config()
    for section in ("GenerateFeedback", "FeedbackExporter"):  # the feedback's steps, exporter and page
        if section in course:
            c[section].merge(course[section])
    to = c.CsvExportPlugin.get("to", "grades.csv")
    if Path(str(to)).name == "grades.csv" and Path(str(to)).parent in (Path("."), Path("")):
        c.CsvExportPlugin.to = EXPORT
    if regrade:
        _refusal["text"] = (
            "nbgrader's Autograde is switched off in this course folder: it would run the learner's code "
            "outside the course's sandbox, fail on a renamed notebook and delete the autograded copy. "
            f"Grade with: {regrade} (add --force to regrade unchanged work)")
    guard()


def guard():
    """Switch off nbgrader's stock Autograde (the formgrader's button, `nbgrader autograde`) in
    this process, if nbgrader's modules for them are loaded (they are, when nbgrader reads the
    config for them). The grade command's own converters are not touched."""
    api = sys.modules.get("nbgrader.apps.api")
    if api is not None and not getattr(api.NbGraderAPI.autograde, "course_guard", False):
        def autograde(self, assignment_id, student_id, force=True, create=True):
            self.log.error(_refusal["text"])
            return {"success": False, "error": _refusal["text"], "log": _refusal["text"]}

        autograde.course_guard = True
        api.NbGraderAPI.autograde = autograde
    app = sys.modules.get("nbgrader.apps.autogradeapp")
    if app is not None and not getattr(app.AutogradeApp.start, "course_guard", False):
        def start(self):
            self.fail(_refusal["text"])

        start.course_guard = True
        app.AutogradeApp.start = start
