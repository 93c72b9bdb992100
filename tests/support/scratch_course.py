"""Autograding through nbgrader in a scratch course directory.

`ScratchCourse` lays out nbgrader's own directories (source, release,
submitted, autograded, feedback) in a folder of its own, generates the
assignments from solutions/ there, and runs `nbgrader autograde`; scores are
read back from that course's gradebook. Nothing touches the repository's
own files, so tests and graders can run side by side.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from autograder import notebooks


class ScratchCourse:
    """An nbgrader course directory outside the repository."""

    def __init__(self, root):
        self.root = Path(root)
        self.db = self.root / "gradebook.db"
        self.release = notebooks.generate_into(self.root)

    def _nbgrader(self, *args):
        cmd = [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN",
               f"--CourseDirectory.root={self.root}",
               f"--CourseDirectory.db_url=sqlite:///{self.db}"]
        return subprocess.run(cmd, cwd=notebooks.ROOT, env=notebooks.nbgrader_env(),
                              capture_output=True, text=True)

    def released_notebook(self, assignment):
        (path,) = sorted((self.release / assignment).glob("*.ipynb"))
        return path

    def submit(self, student, assignment, notebook_path, name=None):
        """Place a notebook as `student`'s submission (named like the released notebook)."""
        target_dir = self.root / "submitted" / student / assignment
        target_dir.mkdir(parents=True, exist_ok=True)
        name = name or self.released_notebook(assignment).name
        shutil.copyfile(notebook_path, target_dir / name)
        return target_dir / name

    def autograde(self, assignment, student=None):
        args = ["autograde", assignment, "--force"]
        if student:
            args.append(f"--student={student}")
        return self._nbgrader(*args)

    def scores(self, assignment):
        """{student: (score, max_score)} for every graded submission of an assignment."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.db}") as gb:
            return {s.student.id: (s.score, s.max_score)
                    for s in gb.assignment_submissions(assignment)}

    def cell_scores(self, assignment, student):
        """{grade cell id: (score, max_score)} for one student's submission."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.db}") as gb:
            submission = gb.find_submission(assignment, student)
            return {g.name: (g.score, g.max_score)
                    for nb in submission.notebooks for g in nb.grades}

    def needs_manual_grade(self, assignment, student):
        """The grade cells of one student's submission that nbgrader flags for manual grading."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.db}") as gb:
            submission = gb.find_submission(assignment, student)
            return {g.name for nb in submission.notebooks for g in nb.grades if g.needs_manual_grade}
