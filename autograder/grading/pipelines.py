"""nbgrader's converters and preprocessor lists, as the grade command uses them.

Both engines take nbgrader's own default lists (`Autograde.sanitize_preprocessors` and
`Autograde.autograde_preprocessors`), so a step an instructor configures works on either. The
only change to the autograding list is the execution step, swapped for the engine's
(`engines.EXECUTION_STEPS`); the sanitising list gains `ForgetUnknownCells` before
`OverwriteCells` (forged cell metadata never stops grading).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbconvert.writers import FilesWriter
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests, Execute, GetGrades, NbGraderPreprocessor, OverwriteCells
from traitlets import Bool
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder import notebooks
from autograder.grading.engines import EXECUTION_STEPS, record
from autograder.grading.feedback_html import NameTheMistake
from autograder.grading.outcomes import FORGED, Outcome

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def course_config(out, db):
    """The course's nbgrader settings (autograder/nbgrader_config.py) for the course folder `out`,
    with the instructor's own settings from out/nbgrader_config.py on top (a late penalty, say:
    `c.LateSubmissionPlugin.penalty_method = "zero"`); CourseDirectory (folders, gradebook) stays
    the command's."""
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(notebooks.ROOT / "autograder")).load_config()
    cfg = Config(cfg)
    if (Path(out) / "nbgrader_config.py").exists():
        own = PyFileConfigLoader("nbgrader_config.py", path=str(out)).load_config()
        own.pop("CourseDirectory", None)  # where things are is the command's business
        cfg.merge(own)
    cfg.CourseDirectory.root = str(out)
    cfg.CourseDirectory.db_url = f"sqlite:///{db}"
    return cfg


def autograde_preprocessors(engine="judge"):
    """The (sanitize, autograde) preprocessor lists for nbgrader's Autograde converter."""
    execute = EXECUTION_STEPS[engine]
    traits = Autograde.class_traits()
    sanitize = []
    for pp in traits["sanitize_preprocessors"].default():
        sanitize += [ForgetUnknownCells, pp] if pp is OverwriteCells else [pp]
    autograde = [execute if pp is Execute else pp for pp in traits["autograde_preprocessors"].default()]
    return sanitize, autograde


def feedback_preprocessors():
    """GenerateFeedback's steps: nbgrader's, with the hidden tests' traces removed as well, then
    a line naming the function and the known mistake on top of each failed check's message (the
    page itself: feedback_html)."""
    return [GetGrades, HideHiddenTests, NameTheMistake, CSSHTMLHeaderPreprocessor]


class ForgetUnknownCells(NbGraderPreprocessor):
    """nbgrader preprocessor (a sanitising step, before OverwriteCells): a cell is what the
    instructor's notebook says it is, whatever its own nbgrader metadata claims.

    A cell whose metadata names no cell of the instructor's notebook is a learner's cell: its
    nbgrader metadata is dropped. A cell that names one but claims another kind (an answer cell
    dressed up as a grade cell with points, a grade cell passed off as an answer cell) gets the
    instructor's kind back. Either way the notebook is graded, and an outcome names the forgery.
    (Forged metadata otherwise stops nbgrader: MissingEntry in SaveAutoGrades, inconsistent
    checksums in OverwriteCells, or a learner's cell passed off as the instructor's.)
    """

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        try:
            with Gradebook(info["db_url"]) as gb:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
                truth = {c.name: {"grade": False, "solution": False, "locked": c.locked}
                         for c in notebook.source_cells}
                for c in notebook.grade_cells:
                    truth[c.name].update(grade=True, points=c.max_score)
                for c in notebook.solution_cells:
                    truth[c.name]["solution"] = True
        except (KeyError, MissingEntry):
            return nb, resources
        forged = []
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id not in truth:
                del cell.metadata["nbgrader"]
                if isinstance(meta, dict) and (meta.get("grade") or meta.get("locked")):
                    forged.append(f"cell {str(grade_id)[:40]!r} is not in the assignment")
                continue
            real = truth[grade_id]
            claimed = {key: meta.get(key, False) for key in ("grade", "solution", "locked")}
            if real["grade"]:
                claimed["points"] = meta.get("points")
            wanted = {key: real[key] for key in claimed}
            if claimed != wanted:
                meta.update(wanted)
                if not real["grade"]:
                    meta.pop("points", None)
                changed = ", ".join(f"{k} {claimed[k]!r}" for k in claimed if claimed[k] != wanted[k])
                forged.append(f"cell {grade_id!r} claimed {changed}")
        if forged:
            record(resources, Outcome(FORGED, "; ".join(forged)))
        return nb, resources


class HideHiddenTests(ClearHiddenTests):
    """ClearHiddenTests for the feedback (nbgrader issue 1363), and the traceback frames that
    quote hidden-test lines (a kernel's traceback shows the lines around the failing one)."""

    enforce_metadata = Bool(False).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        lines, inside = [], False
        for line in cell.source.split("\n"):
            if self.begin_test_delimeter in line:
                inside = True
            if inside and line.strip():
                lines.append(line.strip())
            if self.end_test_delimeter in line:
                inside = False
        cell, resources = super().preprocess_cell(cell, resources, index)
        if lines:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    frames = [f for f in output.get("traceback", [])
                              if not any(h in ANSI.sub("", f) for h in lines)]
                    output.traceback = frames or [f"{output.ename}: {output.evalue}"]
        return cell, resources


class Reused:
    """BaseConverter.start, but the writer and exporter (with its compiled feedback templates)
    are kept from one submission to the next."""

    prepared = False

    def prepare(self):
        if not self.prepared:
            self.prepared = True
            self.writer = FilesWriter(parent=self, config=self.config)
            self.exporter = self.exporter_class(parent=self, config=self.config)
            for pp in self.preprocessors:
                self.exporter.register_preprocessor(pp)
        return self

    def start(self):
        self.init_notebooks()
        self.prepare()
        # nbconvert's writer makes its folder only when build_directory changes: grading the
        # same submission again (a retry, after nbgrader removed the folder) needs it made again
        self.writer.build_directory = ""
        cwd = os.getcwd()
        os.chdir(self.coursedir.root)
        try:
            self.convert_notebooks()
        finally:
            os.chdir(cwd)


class AutogradeOne(Reused, Autograde):
    """nbgrader's Autograde; keeps the Outcomes its steps (sanitising and execution) leave in
    resources["autograder"]["outcomes"]."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.outcomes = []

    def write_single_notebook(self, output, resources):
        self.outcomes.extend(resources.get("autograder", {}).get("outcomes", []))
        super().write_single_notebook(output, resources)


class FeedbackOne(Reused, GenerateFeedback):
    """nbgrader's GenerateFeedback."""
