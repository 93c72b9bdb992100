"""A worker process: nbgrader's Autograde and GenerateFeedback converters, run in-process on one
submission at a time against the worker's own copy of the master gradebook.

The main process sends `Job`s down a pipe and gets `Result`s back (`pool.Pool`); the converters
(with their compiled feedback templates) are reused from one submission to the next.
Autograded notebooks and feedback go straight to `OUT/autograded/<student>/<assignment>/` and
`OUT/feedback/<student>/<assignment>/`: each submission has its own folders, so workers never
write the same file. A SQLite master's copy holds its manual scores and comments (those a run
keeps, see `batch`), so the feedback shows them; a database server's copy does not (`database`),
and the main process makes such a submission's feedback again (`feedback.Regenerator`).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import shutil
import signal
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory

from autograder import lifetime, notebooks, sandbox_process
from autograder.grading.gradebook import GRADING, SubmissionGrades
from autograder.grading.logs import captured_log, error_summary, log_text, outcomes_from_log
from autograder.grading.nbgrader_patches import patch_nbgrader
from autograder.grading.outcomes import GRADER_NOTE, Outcome
from autograder.grading.pipelines import (
    AutogradeOne,
    FeedbackOne,
    autograde_preprocessors,
    course_config,
    feedback_preprocessors,
)
from autograder.grading.submissions import tree_files

STAGING = f"{GRADING}/staging"
CRASH_HOOK = "AUTOGRADER_GRADE_TEST_CRASH"  # tests: "student/assignment" makes the worker die on it


@dataclass(frozen=True)
class Settings:
    """What every worker of a run shares; db is the worker's own gradebook copy."""

    out: Path
    engine: str
    timeout: int
    db: Path | None = None


@dataclass(frozen=True)
class Job:
    """One submission to grade: its folder and {expected notebook name: file to grade}."""

    student: str
    assignment: str
    folder: Path
    files: dict[str, Path]

    @property
    def key(self):
        return f"{self.student}/{self.assignment}"


@dataclass
class Result:
    """What grading a Job gave: grades (None with an error), outcomes, the time it took.
    worker_lost: the worker died or was stopped before answering (see pool.WorkerHandle)."""

    outcomes: list[Outcome] = field(default_factory=list)
    grades: SubmissionGrades | None = None
    error: str | None = None
    seconds: float | None = None
    worker_lost: bool = False
    staged: dict[str, str] | None = None  # `submissions.file_digests` of the files graded


class Grader:
    """One worker's nbgrader converters, reused from submission to submission."""

    def __init__(self, settings: Settings, index):
        self.out, self.engine, self.timeout = Path(settings.out), settings.engine, settings.timeout
        self.db = Path(settings.db)
        patch_nbgrader(scratch_db=self.db)
        self.staging_rel = f"{STAGING}/w{index}"
        self.staging = self.out / self.staging_rel
        cfg = course_config(self.out, self.db)
        cfg.CourseDirectory.submitted_directory = self.staging_rel
        cfg.BaseConverter.force = True
        cfg.OverwriteCells.add_missing_cells = True
        cfg.Execute.timeout = self.timeout
        cfg.JudgeCells.timeout = self.timeout
        sanitize, autograde = autograde_preprocessors(self.engine)
        cfg.Autograde.sanitize_preprocessors = sanitize
        cfg.Autograde.autograde_preprocessors = autograde
        cfg.GenerateFeedback.preprocessors = feedback_preprocessors()
        self.coursedir = CourseDirectory(config=cfg)
        self.autograder = AutogradeOne(coursedir=self.coursedir, config=cfg).prepare()
        self.feedback = FeedbackOne(coursedir=self.coursedir, config=cfg).prepare()
        self.course_id = self.coursedir.course_id

    def warm_up(self):
        """What the first submission would otherwise wait for (about 1 s): the notebook schema,
        the feedback templates, the highlighter's and markdown renderer's regular expressions.
        Runs while the main process registers the assignments."""
        exporter = self.feedback.exporter
        saved, exporter._preprocessors = exporter._preprocessors, []  # as nbgrader's Autograde does
        try:
            nb = nbformat.read(notebooks.solution_notebooks()[0], as_version=4)
            nbformat.validate(nb)
            for cell in nb.cells:  # what GetGrades would have added
                if "nbgrader" in cell.metadata:
                    cell.metadata.nbgrader.update(comment="", score=0, points=0)
            exporter.from_notebook_node(nb, resources={"nbgrader": {
                "notebook": "warm-up", "score": 0, "max_score": 0, "late_penalty": 0}})
        except Exception:  # only a head start: grading works without it
            pass
        finally:
            exporter._preprocessors = saved

    def stage(self, job: Job):
        """Copy the submission where this worker's nbgrader reads it, notebooks under their expected
        names; return the digests of the bytes copied ({relative path: sha256}, as
        `submissions.file_digests`), so the main process can tell whether they are the bytes it planned."""
        target = self.staging / job.student / job.assignment
        shutil.rmtree(self.staging, ignore_errors=True)
        target.mkdir(parents=True)
        renamed = {Path(p).name: f"{name}.ipynb" for name, p in job.files.items()}
        digests = {}
        for rel, path in tree_files(Path(job.folder)):
            data = path.read_bytes()
            digests[rel.as_posix()] = hashlib.sha256(data).hexdigest()
            dest = target / (renamed.get(rel.name, rel.name) if len(rel.parts) == 1 else rel)
            if len(rel.parts) == 1 and path.suffix == ".ipynb" and rel.name not in renamed:
                continue  # a notebook nbgrader does not know: not graded (and not shadowing a renamed one)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            shutil.copystat(path, dest)
        return digests

    def grade(self, job: Job) -> Result:
        start = time.perf_counter()
        log_path = self.out / GRADING / "logs" / job.student / f"{job.assignment}.log"
        result = Result()
        with captured_log() as records:
            try:
                result.staged = self.stage(job)
                self.coursedir.student_id = job.student
                self.coursedir.assignment_id = job.assignment
                self.autograder.outcomes = []
                self.autograder.start()
                result.outcomes += outcomes_from_log(records) + self.autograder.outcomes
                self.feedback.start()
                result.grades = SubmissionGrades.read(self.db, self.course_id, job.student, job.assignment)
            except Exception as exc:
                result.error = error_summary(records, exc)
                records.append(logging.makeLogRecord({"levelno": logging.ERROR, "levelname": "ERROR",
                                                      "msg": traceback.format_exc()}))
            finally:
                shutil.rmtree(self.staging, ignore_errors=True)
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(log_text(records) + "\n")
        except OSError as exc:  # a full disk: the grade stands, without its log
            result.outcomes.append(Outcome(GRADER_NOTE, f"its log could not be written ({exc.strerror})"))
        result.seconds = time.perf_counter() - start
        return result


def worker_main(index, conn, settings: Settings):
    """A worker process: grade the jobs that come down the pipe until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's business
    lifetime.die_with_parent(multiprocessing.parent_process().pid)
    lifetime.register(os.getpid(), "grading worker")

    def stop(*_):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)
    log = open(Path(settings.out) / GRADING / "logs" / f"worker-{index}.log", "a")
    os.dup2(log.fileno(), 1)  # kernels and nbgrader print here, not over the progress lines
    os.dup2(log.fileno(), 2)
    warnings.filterwarnings("ignore")
    try:
        grader = Grader(settings, index)
        grader.warm_up()
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                break
            if job is None:
                break
            if os.environ.get(CRASH_HOOK) == job.key:
                os._exit(70)
            result = grader.grade(job)
            try:
                conn.send(result)
            except (BrokenPipeError, OSError):
                break
    finally:
        sandbox_process.stop_fork_servers()  # a forked worker ends without running atexit hooks
        lifetime.unregister(os.getpid())
