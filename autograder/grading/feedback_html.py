"""The learner's feedback page, made to read well offline.

nbgrader's feedback template (`feedback`, under nbgrader's formgrader templates) shows a failed
check's message in a `<pre>` that never wraps, loads MathJax from the web to typeset the
markdown's LaTeX, and keeps the exercise's relative links (`../../lessons/09_chain_rule.ipynb`),
which point nowhere from the feedback folder. Here:

- `course_feedback` (templates/course_feedback/feedback_page.html.j2, set as the FeedbackExporter's
  template in autograder/nbgrader_config.py) is nbgrader's template without the MathJax
  script, with messages that wrap at any window width;
- `markdown2html` (the same file sets it as the FeedbackExporter's markdown filter) renders the
  markdown as nbconvert does, but turns `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]` and
  `\\begin{env}...\\end{env}` into MathML (which browsers draw themselves: no script, no
  network), leaving as written anything latex2mathml cannot convert, and turns a relative
  link into its text and where the file is in the course folder;
- `ScoreNotes` (the FeedbackExporter's own step) says, under the score, when late work was
  handed in, how late and the points the late penalty took off (nbgrader's page only lists the
  penalty), and which written answers still wait for the instructor's grade (nbgrader shows
  them as 0);
- `NameTheMistake` (a GenerateFeedback preprocessor, pipelines.feedback_preprocessors) puts one
  line at the top of a failed grade cell's output naming the function, its score and the
  known mistake the check matched.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import pass_context
from latex2mathml.converter import convert
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath, MathInlineParser
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.grading.outcomes import plural
from autograder.judge import GRADE_ID_PREFIX

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "course_feedback"
TEMPLATE_FILE = "feedback_page.html.j2"  # not index.html.j2, which names nbgrader's page it extends
NOTEBOOK_FOLDER = "exercises"  # where the exercise notebook sits in the course: exercises/<assignment>/


# ------------------------------------------------------------------ maths

def to_mathml(tex, display=False):
    """MathML for a LaTeX formula, or None when latex2mathml cannot convert it (it raises, or
    leaves a command it does not know as a backslashed name)."""
    try:
        mathml = convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises its own errors and plain ones (IndexError, KeyError)
        return None
    return None if "\\" in mathml else mathml


class MathMLInlineParser(MathInlineParser):
    """nbconvert's parser of markdown maths, handing back MathML as inline HTML instead of the
    TeX MathJax would typeset; a formula it cannot convert stays as nbconvert leaves it."""

    def _mathml(self, m, state, tex, display, fallback):
        mathml = to_mathml(tex, display)
        if mathml is None:
            return fallback(m, state)
        state.append_token({"type": "inline_html", "raw": mathml})
        return m.end()

    def parse_block_math_tex(self, m, state):
        return self._mathml(m, state, m.group("math_block_tex"), True, super().parse_block_math_tex)

    def parse_block_math_latex(self, m, state):
        return self._mathml(m, state, m.group("math_block_latex"), True, super().parse_block_math_latex)

    def parse_inline_math_tex(self, m, state):
        return self._mathml(m, state, m.group("math_inline_tex"), False, super().parse_inline_math_tex)

    def parse_inline_math_latex(self, m, state):
        return self._mathml(m, state, m.group("math_inline_latex"), False, super().parse_inline_math_latex)

    def parse_latex_environment(self, m, state):
        return self._mathml(m, state, m.group(0), True, super().parse_latex_environment)


# ------------------------------------------------------------------ links

def course_path(url, assignment=""):
    """Where a relative link of an exercise notebook points in the course folder
    (`../../lessons/09_chain_rule.ipynb` -> `lessons/09_chain_rule.ipynb`), or None for a link
    that is not relative (a web address, an in-page anchor) or leaves the course folder."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith(("#", "/")):
        return None
    path = posixpath.normpath(posixpath.join(NOTEBOOK_FOLDER, assignment or "assignment", unquote(parts.path)))
    return None if path.startswith("..") else path


class FeedbackRenderer(IPythonRenderer):
    """nbconvert's markdown renderer; a relative link becomes its text and the file's place in
    the course folder (the feedback page is read wherever the learner saved it, where no
    relative link of the exercise leads anywhere)."""

    def __init__(self, assignment="", **kwargs):
        super().__init__(**kwargs)
        self.assignment = assignment

    def link(self, text, url, title=None):
        if url.startswith("#") or urlsplit(url).scheme:
            return super().link(text, url, title)
        path = course_path(url, self.assignment)
        where = f" (<code>{html.escape(path)}</code> in your course folder)" if path else ""
        return f"{text}{where}"


@pass_context
def markdown2html(context, source):
    """The feedback's markdown filter: HTMLExporter.markdown2html with the maths as MathML and
    relative links as text (set as HTMLExporter.filters["markdown2html"])."""
    cell = context.get("cell", {})
    resources = context.get("resources", {})
    renderer = FeedbackRenderer(
        assignment=resources.get("nbgrader", {}).get("assignment", ""),
        escape=False,
        attachments=cell.get("attachments", {}),
        path=resources.get("metadata", {}).get("path", ""),
    )
    return MarkdownWithMath(renderer=renderer, inline=MathMLInlineParser(hard_wrap=False)).render(source)


class FeedbackExporter(HTMLExporter):
    """The learner's feedback page: nbconvert's HTMLExporter under a name of its own
    (`GenerateFeedback.exporter_class`), so the course's template and filter settings, in its
    own config section (`c.FeedbackExporter`), reach only the feedback. nbgrader's other pages
    are HTMLExporters too (the formgrader's manual grading page, with its `formgrade` template)
    and keep theirs; the formgrader's Generate Feedback sets `HTMLExporter.template_name` to
    nbgrader's page, which this section's own settings override."""


def exporter_settings():
    """The FeedbackExporter settings that make GenerateFeedback write this page, for
    autograder/nbgrader_config.py: {trait: value}. The template is named by its full path (a
    name nbconvert finds whatever template_name another setting gives); nbgrader's template folder
    is listed as the home of the page this one extends."""
    import nbgrader

    nbgrader_templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    return {
        "template_name": TEMPLATE_NAME,
        "template_file": str(TEMPLATES / TEMPLATE_NAME / TEMPLATE_FILE),
        "extra_template_basedirs": [str(nbgrader_templates), str(TEMPLATES)],
        "filters": {"markdown2html": f"{__name__}.markdown2html"},
        "preprocessors": [f"{__name__}.ScoreNotes"],
    }


# ------------------------------------------------------------------ late work

def duration(seconds):
    """How long, in words: '2 hours', '1 day and 3 hours', '1 hour and 30 minutes'."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    units = [(minutes // 1440, "day"), (minutes // 60 % 24, "hour"), (minutes % 60, "minute")]
    words = [plural(n, unit) for n, unit in units if n]
    return " and ".join(words[:2])


def when(moment):
    """A gradebook time (naive UTC) in words: '1 December 2026 at 12:00 UTC'."""
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M} UTC"


def late_note(submitted, due, seconds, penalty):
    """The sentence under the score of late work (plain text)."""
    taken = (f"The score above is after a late penalty of {_points(penalty)}."
             if penalty else "No points were taken off for lateness.")
    return f"Handed in {when(submitted)}, {duration(seconds)} after the due date ({when(due)}). {taken}"


class ScoreNotes(NbGraderPreprocessor):
    """The FeedbackExporter's step (its `preprocessors`, so every GenerateFeedback with the course's
    exporter runs it: the grade command's, the feedback command's, the formgrader's), from the
    gradebook: for a submission handed in after its due date (with any extension),
    resources["nbgrader"]["late_note"] says when, how late and the penalty; for answers graded by
    hand that have no grade yet, resources["nbgrader"]["awaiting_note"] names them. The page shows
    both under the score. Otherwise, or with no gradebook in the resources, nothing is added."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        from autograder.grading.gradebook import awaiting_manual

        info = resources.get("nbgrader", {})
        if not all(info.get(key) for key in ("db_url", "notebook", "assignment", "student")):
            return nb, resources
        with Gradebook(info["db_url"]) as gb:
            try:
                notebook = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            except MissingEntry:
                return nb, resources
            submission = notebook.assignment
            seconds = submission.total_seconds_late
            if seconds > 0:
                info["late_note"] = late_note(submission.timestamp, submission.duedate, seconds,
                                              notebook.late_submission_penalty or 0)
            names = awaiting_manual([notebook])
            waiting = {g.name: g.max_score for g in notebook.grades if g.name in names}
            if waiting:
                info["awaiting_note"] = awaiting_note(waiting)
        return nb, resources


def awaiting_note(waiting):
    """The sentence under the score while answers wait for the instructor ({cell: points})."""
    which = ", ".join(f"{name} ({_points(points)})" for name, points in waiting.items())
    answers = "Your written answer" if len(waiting) == 1 else "Your written answers"
    return (f"{answers} {which} {'waits' if len(waiting) == 1 else 'wait'} for your instructor's grade: "
            f"the score above counts {'it' if len(waiting) == 1 else 'them'} as 0 until then.")


# ------------------------------------------------------------------ failed cells

class NameTheMistake(NbGraderPreprocessor):
    """GenerateFeedback step (after GetGrades, which sets each cell's score): a failed grade
    cell's output starts with one line naming the function, its score and the known mistake
    its check matched, so the learner sees them first, whatever the message below says."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution") and errors:
            text = headline(meta.get("grade_id", ""), errors[0], meta.get("score"), meta.get("points"))
            cell.outputs.insert(0, new_output("display_data", metadata={}, data={
                "text/html": text, "text/plain": html.unescape(re.sub(r"<[^>]+>", "", text))}))
        return cell, resources


def named_mistakes(message):
    """The known mistakes a check's message names (course/checking.py's `_mistake_text`)."""
    one = re.search(r"This looks like a known mistake: (.+?)\. ", message)
    if one:
        return [one.group(1)]
    if "matches each of these known mistakes:" in message:
        return re.findall(r"^\s*- (.+?)\. ", message.split("known mistakes:", 1)[1], re.MULTILINE)
    return []


# How a check's message (course/checking.py, autograder/judge.py) starts, and how the line above
# it puts that ({0}: the pattern's group); any other failed check is "wrong on the hidden tests".
FAILURES = [
    (r"\S+ is not written yet", "not written yet"),
    (r"\S+ is not defined when this test runs", "not defined when its test ran"),
    (r"\S+ raised (\w+)", "it raised <code>{0}</code> when tested"),
]


def _points(value):
    return plural(float(value or 0), "point")


def headline(grade_id, error, score, points):
    """The line above a failed grade cell's message (HTML)."""
    name = grade_id.removeprefix(GRADE_ID_PREFIX)
    message = str(error.get("evalue", ""))
    ename = str(error.get("ename", ""))
    mistakes = named_mistakes(message) if ename == "CheckFailed" else []
    if mistakes:
        what = "a known mistake: " + "; ".join(f"<strong>{html.escape(m)}</strong>" for m in mistakes)
    elif ename == "CheckFailed":
        what = "wrong on the hidden tests"
        for pattern, phrase in FAILURES:
            found = re.match(pattern, message)
            if found:
                what = phrase.format(*map(html.escape, found.groups()))
                break
    elif ename == "CheckStopped":
        what = "stopped before its tests finished"
    else:
        what = f"it raised <code>{html.escape(ename)}</code> when tested"
    score = f"{float(score or 0):g} of {_points(points)}: " if points is not None else ""
    return (f'<div class="feedback-headline"><code>{html.escape(name)}</code> — {score}{what}. '
            f"What the check found is below.</div>")
