"""The learner's progress: which exercises' visible checks pass so far.

Every visible check records its verdict (pass or fail, per function) in a
small JSON file; `show()` reads it back as a table, in any notebook:

    from course import progress
    progress.show()

The file is $BACKPROP_PROGRESS_FILE if set, else
~/.local/share/backprop-course/progress.json. It holds verdicts only, never code.
"""

import html
import json
import os
from pathlib import Path

from course.syllabus import LESSONS


def progress_file():
    if os.environ.get("BACKPROP_PROGRESS_FILE"):
        return Path(os.environ["BACKPROP_PROGRESS_FILE"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "backprop-course" / "progress.json"


def load():
    """{assignment: {function: True/False}}; empty when nothing has been checked yet."""
    try:
        return json.loads(progress_file().read_text())
    except (OSError, ValueError):
        return {}


def record(assignment, name, passed):
    """Store one visible check's verdict. A failure to write never breaks a check."""
    data = load()
    data.setdefault(assignment, {})[name] = bool(passed)
    path = progress_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        tmp.replace(path)
    except OSError:
        pass


def summary():
    """One row per exercise: (number, title, passed, total, names still to do)."""
    from course.checks import graded_names

    data = load()
    rows = []
    for lesson in LESSONS:
        names = graded_names(lesson.assignment)
        verdicts = data.get(lesson.assignment, {})
        passed = [n for n in names if verdicts.get(n)]
        rows.append((lesson.number, lesson.title, len(passed), len(names),
                     [n for n in names if not verdicts.get(n)]))
    return rows


class ProgressTable:
    """Shows as an HTML table in JupyterLab and as plain text elsewhere."""

    def __init__(self, rows):
        self.rows = rows

    def __repr__(self):
        lines = [f"{'exercise':<44} passed"]
        for number, title, passed, total, _ in self.rows:
            lines.append(f"{number:>2}. {title:<40} {passed}/{total}")
        done = sum(r[2] for r in self.rows)
        lines.append(f"total: {done} of {sum(r[3] for r in self.rows)} functions pass their visible checks")
        return "\n".join(lines)

    def _repr_html_(self):
        body = []
        for number, title, passed, total, todo in self.rows:
            mark = "&#10004;" if total and passed == total else ""
            rest = html.escape(", ".join(todo)) if passed else ("not started" if total else "")
            body.append(f"<tr><td>{number}</td><td>{html.escape(title)}</td>"
                        f"<td>{passed}/{total} {mark}</td><td>{rest}</td></tr>")
        return ("<table class='course-progress'><tr><th>#</th><th>exercise</th><th>visible checks "
                "passed</th><th>still to do</th></tr>" + "".join(body) + "</table>"
                "<p>Visible checks only: hidden tests run when your work is graded.</p>")


def show():
    """The progress table (display it by leaving it as a cell's last line)."""
    return ProgressTable(summary())
