"""The instructor's grading command: autograde a whole class through nbgrader, in parallel.

    python -m autograder grade SUBMISSIONS [--out DIR] [--jobs N] [--timeout S]
                                           [--engine {judge,kernel}] [--force]

SUBMISSIONS is nbgrader's `submitted/` folder (`submitted/<student>/<assignment>/<notebook>.ipynb`)
or a course folder that holds one. The output course folder (--out, default: the folder that
holds `submitted/`) receives what `nbgrader autograde` and `nbgrader generate_feedback` would
write there (`gradebook.db`, `autograded/`, `feedback/`, plus the sources in `solutions/` and the
release in `exercises/` that nbgrader needs), and the command's own reports: `grades.csv` (one
row per student and assignment: student, assignment, score, max_score, status), `summary.csv`
(one row per student, a column per assignment), `summary/<student>.md` (scores, statuses, the
cells that lost points, links to the feedback) and `grading/` (ledger, logs).

Everything is nbgrader's own machinery: the assignments are registered with its
GenerateAssignment converter, every submission goes through its Autograde converter (sanitising
preprocessors, then the autograding ones, with `OverwriteCells.add_missing_cells` on) and its
GenerateFeedback converter, and the grades live in its Gradebook. Only the execution step can be
swapped (`autograde_preprocessors`): the judge (`autograder.judge.JudgeCells`, learner code in a
sandbox process, graded functions judged outside it) or nbgrader's stock `Execute` in a kernel
(as `autograder.restarting_execute.RestartingExecute`, which restarts a kernel that died).

Parallel gradebook writes
-------------------------
SQLite does not take concurrent writers and nbgrader has no parallel autograde, so:

- The main process is the only writer of the master gradebook (`OUT/gradebook.db`). It registers
  the assignments and students first, then copies the master to one gradebook per worker
  (`OUT/gradebook.worker-N.db`) before the worker's first job.
- N long-lived worker processes (forked from the main process once nbgrader and the judge are
  imported, and started before the registration so that they warm up meanwhile) each take one
  submission at a time and run nbgrader's Autograde and GenerateFeedback converters in-process
  against their own gradebook copy: no `nbgrader` process per submission, and the converters
  (with their compiled feedback templates) are reused from one submission to the next.
  Autograded notebooks and feedback go straight to `OUT/autograded/<student>/<assignment>/` and
  `OUT/feedback/<student>/<assignment>/` (each submission has its own folders, so workers never
  write the same file).
- A worker sends back the submission's grades, comments, late penalty and statuses as plain data;
  the main process writes them into the master with nbgrader's Gradebook API (one commit per
  submission: auto scores and auto comments; manual scores an instructor entered are kept, and
  such a grade is flagged for review as `nbgrader autograde` does), then appends the submission
  to the ledger. The master is therefore what `nbgrader formgrader` / `nbgrader export` read.
- The worker copies live directly in OUT because the judge protects the folder holding the
  gradebook it is given (the sources and the class's submissions are there) from learner code.

Workers are plain `multiprocessing` processes with a pipe each (not a ProcessPoolExecutor), so
the main process always knows which submission a worker was grading when it died: that one gets
"grader error: ...", the worker is replaced (with a fresh copy of the master) and the batch goes
on. A submission that runs longer than `_hard_limit(timeout)` is treated the same way.
(With a ProcessPoolExecutor, one dead worker breaks every submission in flight.)

Resume: `OUT/grading/ledger.jsonl` has one line per finished submission, keyed by student and
assignment, with a hash of the submitted files and of the assignment's source and the engine. A
run skips a submission only when its ledger line has the same hash and engine AND the master
gradebook has its grades; a changed submission (or solution) is regraded, `--force` regrades all.
The master is written before the ledger, so an interruption at any point loses no grade (at worst
one submission is graded again). A lock file keeps two runs off the same output folder.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import sys
import time
import traceback
import warnings
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from autograder import notebooks

ENGINES = ("judge", "kernel")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
IGNORED = {".ipynb_checkpoints", "__pycache__"}
GRADING = "grading"  # the command's own folder inside OUT: ledger, logs, staging, lock
LEDGER = f"{GRADING}/ledger.jsonl"
STAGING = f"{GRADING}/staging"
CRASH_HOOK = "AUTOGRADER_GRADE_TEST_CRASH"  # tests: "student/assignment" makes the worker die on it
OK = "ok"


def add_arguments(parser):
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                        help="nbgrader's submitted/ folder, or a course folder that contains submitted/")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="output course folder (default: the folder that holds submitted/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes (default: the number of cores, %(default)s here)")
    parser.add_argument("--timeout", type=int, default=30, metavar="S",
                        help="seconds one cell may run before it is stopped (default: %(default)s)")
    parser.add_argument("--engine", choices=ENGINES, default="judge",
                        help="judge: learner code in a sandbox, graded functions judged outside it "
                             "(default); kernel: nbgrader's stock Execute in a Jupyter kernel "
                             "(restarted if it dies)")
    parser.add_argument("--force", action="store_true",
                        help="regrade every submission, even those the ledger says are graded")


# ------------------------------------------------------------------ nbgrader pipelines

def autograde_preprocessors(engine="judge"):
    """The (sanitize, autograde) preprocessor lists for nbgrader's Autograde converter.

    Both engines take nbgrader's own default lists, so a step an instructor configures works on
    either, with two changes: the execution step, chosen here and only here ("judge":
    autograder.judge.JudgeCells; "kernel": RestartingExecute, nbgrader's Execute that restarts a
    dead kernel instead of failing the whole notebook), and judge.ForgetUnknownCells among the
    sanitising steps, before OverwriteCells (forged cell metadata never stops grading).
    """
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, OverwriteCells

    from autograder import judge

    if engine == "kernel":
        from autograder.restarting_execute import RestartingExecute as execute
    else:
        execute = judge.JudgeCells
    traits = Autograde.class_traits()
    sanitize = []
    for pp in traits["sanitize_preprocessors"].default():
        sanitize += [judge.ForgetUnknownCells, pp] if pp is OverwriteCells else [pp]
    autograde = [execute if pp is Execute else pp for pp in traits["autograde_preprocessors"].default()]
    return sanitize, autograde


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@functools.cache
def nbgrader_classes():
    """nbgrader subclasses, defined on first use so `python -m autograder` starts without nbgrader."""
    from nbconvert.writers import FilesWriter
    from nbgrader.converters import Autograde, GenerateFeedback
    from nbgrader.preprocessors import ClearHiddenTests
    from traitlets import Bool

    class Reused:
        """BaseConverter.start, but the writer and exporter (with its compiled feedback
        templates) are kept from one submission to the next."""

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
            cwd = os.getcwd()
            os.chdir(self.coursedir.root)
            try:
                self.convert_notebooks()
            finally:
                os.chdir(cwd)

    class AutogradeOne(Reused, Autograde):
        """nbgrader's Autograde; keeps the statuses its steps (sanitising and execution) leave
        in resources["autograder"]["status"]."""

        statuses = []

        def write_single_notebook(self, output, resources):
            self.statuses.extend(str(s) for s in resources.get("autograder", {}).get("status", []))
            super().write_single_notebook(output, resources)

    class FeedbackOne(Reused, GenerateFeedback):
        """nbgrader's GenerateFeedback."""

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

    return AutogradeOne, FeedbackOne, HideHiddenTests


def tune_nbgrader(share_engines=False, scratch_db=None):
    """Speed-ups of nbgrader's gradebook, same results:

    - A new gradebook gets its alembic revision from an `alembic heads` subprocess, which
      imports nbgrader again (3-5 s here); alembic's own ScriptDirectory gives the same answer
      in-process.
    - nbgrader opens a Gradebook, i.e. a new SQLAlchemy engine, a dozen times per submission,
      losing the engine's compiled-statement cache each time; in a worker every one is the
      same SQLite file, so with share_engines one engine per URL is kept.
    - scratch_db (a worker's copy of the master) is opened without waiting for the disk on each
      commit: the master and the ledger are what must survive a crash.
    """
    import nbgrader.api as api

    if getattr(api, "_autograder_tuned", None) is None:
        def alembic_version():
            from alembic.config import Config
            from alembic.script import ScriptDirectory
            from nbgrader.dbutil import _temp_alembic_ini

            with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
                return ScriptDirectory.from_config(Config(ini)).get_current_head()

        api.get_alembic_version = alembic_version
        api._autograder_tuned = api.create_engine
    if share_engines:
        original, engines = api._autograder_tuned, {}
        scratch_url = f"sqlite:///{scratch_db}" if scratch_db else None

        def create_engine(url, **kwargs):
            key = (str(url), tuple(sorted(kwargs.items())))
            if key not in engines:
                engines[key] = original(url, **kwargs)
                if str(url) == scratch_url:
                    _skip_fsync(engines[key])
            return engines[key]

        api.create_engine = create_engine


def _skip_fsync(engine):
    """Commits to this engine's SQLite file do not wait for the disk (nbgrader commits once per
    cell)."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.close()


def course_config(out, db):
    """The course's nbgrader settings (autograder/nbgrader_config.py) for the course folder `out`."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(notebooks.ROOT / "autograder")).load_config()
    cfg = Config(cfg)
    cfg.CourseDirectory.root = str(out)
    cfg.CourseDirectory.db_url = f"sqlite:///{db}"
    return cfg


# ------------------------------------------------------------------ discovery

@dataclass
class Submission:
    student: str
    assignment: str
    folder: Path | None  # None: the student has no folder for this assignment
    files: dict = field(default_factory=dict)  # expected notebook name -> file to grade
    status: list = field(default_factory=list)
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
        sub.problem, sub.status = "not submitted", ["not submitted"]
        return sub
    present = {p.stem: p for p in sub.folder.iterdir()
               if p.is_file() and p.suffix == ".ipynb" and visible(p)}
    missing = [n for n in expected if n not in present]
    extra = sorted(n for n in present if n not in expected)
    sub.files = {n: present[n] for n in expected if n in present}
    if len(missing) == 1 and len(extra) == 1:
        (name,), (other,) = missing, extra
        sub.files[name] = present[other]
        sub.status.append(f"renamed notebook: graded {other}.ipynb as {name}.ipynb")
        extra = []
    elif missing:
        sub.status.append("missing notebook: " + ", ".join(f"{n}.ipynb" for n in missing)
                          + (f" (found {', '.join(f'{n}.ipynb' for n in extra)})" if extra else ""))
        extra = []
    if extra:
        sub.status.append("ignored extra notebook: " + ", ".join(f"{n}.ipynb" for n in extra))
    for name, path in sub.files.items():
        problem = unreadable(path)
        if problem:
            sub.status.append(f"unreadable notebook: {path.name}: {problem}")
    link = link_outside(sub.folder)
    if link:
        sub.status.append(f"refused: {link}; a link is not a submission (0 points)")
    if not sub.files:
        sub.problem = "missing notebook"
    elif link:
        sub.problem = "link outside the submission"
    elif any(s.startswith("unreadable notebook") for s in sub.status):
        sub.problem = "unreadable notebook"
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
    import nbformat

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


# ------------------------------------------------------------------ logs

@contextlib.contextmanager
def captured_log(level=logging.WARNING):
    """Collect what nbgrader (traitlets' logger) says, instead of printing it."""
    from traitlets import log

    logger = log.get_logger()
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level)
    logger.addHandler(handler)
    old_propagate, old_level = logger.propagate, logger.level
    logger.propagate = False
    logger.setLevel(min(level, old_level or level))
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = old_propagate, old_level


def log_text(records):
    out = []
    for r in records:
        try:
            out.append(f"{r.levelname}: {r.getMessage()}")
        except Exception:  # a malformed log call must not stop grading
            out.append(f"{r.levelname}: {r.msg!r}")
    return "\n".join(out)


def error_summary(records, exc):
    """One line for the status column: the last line of the first traceback nbgrader logged."""
    for r in records:
        text = r.getMessage() if r.levelno >= logging.ERROR else ""
        if text.startswith("Traceback"):
            lines = [line for line in text.strip().splitlines() if line.strip()]
            return lines[-1].strip()[:300]
    return f"{type(exc).__name__}: {exc}"[:300]


def notes_from_log(records):
    """Statuses worth an instructor's eye among nbgrader's warnings."""
    notes = []
    for r in records:
        text = r.getMessage()
        m = re.search(r"Missing grade cell (\S+) encountered", text)
        if m:
            notes.append(f"grade cell {m.group(1)} was deleted; nbgrader restored it")
        elif re.search(r" is [\d.]+ seconds late", text):
            notes.append("late: " + text.split(" is ", 1)[1])
    return notes


# ------------------------------------------------------------------ worker side

class Grader:
    """One worker's nbgrader converters, reused from submission to submission."""

    def __init__(self, settings, index):
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.preprocessors import GetGrades

        self.out = Path(settings["out"])
        self.engine = settings["engine"]
        self.timeout = settings["timeout"]
        self.db = Path(settings["db"])
        tune_nbgrader(share_engines=settings.get("share_engines", True), scratch_db=self.db)
        self.staging_rel = f"{STAGING}/w{index}"
        self.staging = self.out / self.staging_rel
        AutogradeOne, FeedbackOne, HideHiddenTests = nbgrader_classes()
        cfg = course_config(self.out, self.db)
        cfg.CourseDirectory.submitted_directory = self.staging_rel
        cfg.BaseConverter.force = True
        cfg.OverwriteCells.add_missing_cells = True
        cfg.Execute.timeout = self.timeout
        cfg.JudgeCells.timeout = self.timeout
        sanitize, autograde = autograde_preprocessors(self.engine)
        cfg.Autograde.sanitize_preprocessors = sanitize
        cfg.Autograde.autograde_preprocessors = autograde
        cfg.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
        self.coursedir = CourseDirectory(config=cfg)
        self.autograder = AutogradeOne(coursedir=self.coursedir, config=cfg).prepare()
        self.feedback = FeedbackOne(coursedir=self.coursedir, config=cfg).prepare()
        self.course_id = self.coursedir.course_id

    def warm_up(self):
        """What the first submission would otherwise wait for (about 1 s): the notebook schema,
        the feedback templates, the highlighter's and markdown renderer's regular expressions.
        Runs while the main process registers the assignments."""
        import nbformat

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

    def stage(self, job):
        """Copy the submission where this worker's nbgrader reads it, notebooks under their expected names."""
        target = self.staging / job["student"] / job["assignment"]
        shutil.rmtree(self.staging, ignore_errors=True)
        target.mkdir(parents=True)
        renamed = {Path(p).name: f"{name}.ipynb" for name, p in job["files"].items()}
        for rel, path in tree_files(Path(job["folder"])):
            dest = target / (renamed.get(rel.name, rel.name) if len(rel.parts) == 1 else rel)
            if len(rel.parts) == 1 and path.suffix == ".ipynb" and rel.name not in renamed:
                continue  # a notebook nbgrader does not know: not graded (and not shadowing a renamed one)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)

    def grade(self, job):
        start = time.perf_counter()
        student, assignment = job["student"], job["assignment"]
        log_path = self.out / GRADING / "logs" / student / f"{assignment}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        result = {"key": f"{student}/{assignment}", "status": [], "grades": None, "error": None}
        with captured_log() as records:
            try:
                self.stage(job)
                self.coursedir.student_id = student
                self.coursedir.assignment_id = assignment
                self.autograder.statuses = []
                self.autograder.start()
                result["status"] += notes_from_log(records) + self.autograder.statuses
                if self.engine == "kernel":
                    result["status"] += kernel_notes(self.out / "autograded" / student / assignment,
                                                     self.timeout)
                self.feedback.start()
                result["grades"] = self.read_grades(student, assignment)
            except Exception as exc:
                result["error"] = error_summary(records, exc)
                records.append(logging.makeLogRecord({"levelno": logging.ERROR, "levelname": "ERROR",
                                                      "msg": traceback.format_exc()}))
            finally:
                shutil.rmtree(self.staging, ignore_errors=True)
        log_path.write_text(log_text(records) + "\n")
        result["seconds"] = time.perf_counter() - start
        return result

    def read_grades(self, student, assignment):
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.db}", self.course_id) as gb:
            sub = gb.find_submission(assignment, student)
            return {"timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
                    "notebooks": {nb.name: {"late_penalty": nb.late_submission_penalty,
                                            "grades": {g.name: g.auto_score for g in nb.grades},
                                            "comments": {c.name: c.auto_comment for c in nb.comments}}
                                  for nb in sub.notebooks}}


def kernel_notes(folder, timeout):
    """Statuses for the kernel engine, read from the autograded notebook (the judge reports its own)."""
    import nbformat

    from autograder.restarting_execute import DIED, DIED_TOO_OFTEN

    notes = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                if output.get("ename") == "CellTimeoutError":
                    notes.append(f"cell {index} ran past {timeout} s")
                elif output.get("ename") == DIED:
                    notes.append(f"cell {index} killed the kernel; the cells after it ran in a fresh one")
                elif output.get("ename") == DIED_TOO_OFTEN:
                    notes.append(f"cell {index} not run: the kernel died too often")
    return notes


def worker_main(index, conn, settings):
    """A worker process: grade the jobs that come down the pipe until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's business

    def stop(*_):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)
    log = open(Path(settings["out"]) / GRADING / "logs" / f"worker-{index}.log", "a")
    os.dup2(log.fileno(), 1)  # kernels and nbgrader print here, not over the progress lines
    os.dup2(log.fileno(), 2)
    warnings.filterwarnings("ignore")
    grader = None
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
            if os.environ.get(CRASH_HOOK) == f"{job['student']}/{job['assignment']}":
                os._exit(70)
            result = grader.grade(job)
            try:
                conn.send(result)
            except (BrokenPipeError, OSError):
                break
    finally:
        judge = sys.modules.get("autograder.judge")
        if judge is not None:
            judge.stop_fork_servers()  # a forked worker ends without running atexit hooks


# ------------------------------------------------------------------ main side: gradebook

class Master:
    """The master gradebook: written by the main process only."""

    def __init__(self, out, course_id):
        self.out = Path(out)
        self.db = self.out / "gradebook.db"
        self.url = f"sqlite:///{self.db}"
        self.course_id = course_id

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.url, self.course_id)

    def register(self, cfg, assignments, students, hashes):
        """Sources into OUT/solutions, assignments into the gradebook (nbgrader's GenerateAssignment,
        when new or their source hash changed), students into the gradebook."""
        from nbgrader.api import MissingEntry
        from nbgrader.converters import GenerateAssignment
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config

        tune_nbgrader()
        registry_path = self.out / GRADING / "assignments.json"
        registry_path.parent.mkdir(parents=True, exist_ok=True)
        registry = json.loads(registry_path.read_text()) if registry_path.exists() else {}
        for assignment in assignments:
            with self.gradebook() as gb:
                try:
                    gb.find_assignment(assignment)
                    known = registry.get(assignment) == hashes[assignment]
                except MissingEntry:
                    known = False
            if known:
                continue
            source = self.out / "solutions" / assignment
            if source.resolve() != (notebooks.SOLUTIONS / assignment).resolve():
                shutil.rmtree(source, ignore_errors=True)
                shutil.copytree(notebooks.SOLUTIONS / assignment, source,
                                ignore=shutil.ignore_patterns(".*", *IGNORED))
            c = Config(cfg)
            c.CourseDirectory.assignment_id = assignment
            c.BaseConverter.force = True
            c.GenerateAssignment.create_assignment = True
            with captured_log() as records:
                try:
                    GenerateAssignment(coursedir=CourseDirectory(config=c), config=c).start()
                except Exception as exc:
                    raise SystemExit(f"grade: nbgrader could not register {assignment}: "
                                     f"{error_summary(records, exc)}") from None
            registry[assignment] = hashes[assignment]
            registry_path.write_text(json.dumps(registry, indent=1, sort_keys=True) + "\n")
        with self.gradebook() as gb:
            for student in students:
                gb.update_or_create_student(student)

    def expected(self, assignment):
        with self.gradebook() as gb:
            return sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)

    def graded(self, gb, student, assignment):
        """Whether the master has this submission's automatic grades."""
        from nbgrader.api import MissingEntry

        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return False
        for nb in sub.notebooks:
            manual = {c.name for c in nb.notebook.solution_cells}
            if any(g.auto_score is None and g.name not in manual for g in nb.grades):
                return False
        return True

    def merge(self, student, assignment, grades):
        """Write one submission's automatic grades (None: zero everywhere) in one commit."""
        with self.gradebook() as gb:
            kwargs = {"timestamp": grades["timestamp"]} if grades and grades.get("timestamp") else {}
            sub = gb.update_or_create_submission(assignment, student, **kwargs)
            for nb in sub.notebooks:
                got = (grades or {}).get("notebooks", {}).get(nb.name)
                nb.late_submission_penalty = got["late_penalty"] if got else None
                for grade in nb.grades:
                    grade.auto_score = got["grades"].get(grade.name) if got else 0.0
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                for comment in nb.comments:
                    comment.auto_comment = got["comments"].get(comment.name) if got else None
            gb.db.commit()
            return sub.score, sub.max_score

    def scores(self):
        """{(student, assignment): (score, max_score, {cell: (score, max)}, late penalty)} and
        {assignment: max_score}."""
        out, maxima = {}, {}
        with self.gradebook() as gb:
            for assignment in gb.assignments:
                maxima[assignment.name] = assignment.max_score
                for sub in gb.assignment_submissions(assignment.name):
                    cells = {g.name: (g.score, g.max_score) for nb in sub.notebooks for g in nb.grades}
                    out[sub.student.id, assignment.name] = (sub.score, sub.max_score, cells,
                                                            sub.late_submission_penalty or 0)
        return out, maxima


class Ledger:
    """grading/ledger.jsonl: one JSON line per finished submission; the last line of a key wins."""

    def __init__(self, path):
        self.path = Path(path)
        self.entries = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                    self.entries[f"{entry['student']}/{entry['assignment']}"] = entry
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by an interruption
        self.handle = None

    def write(self, entry):
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size:
                with open(self.path, "rb") as fh:  # a cut-short last line must not swallow ours
                    fh.seek(-1, os.SEEK_END)
                    cut = fh.read(1) != b"\n"
            else:
                cut = False
            self.handle = open(self.path, "a")
            if cut:
                self.handle.write("\n")
        self.handle.write(json.dumps(entry, sort_keys=True) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.entries[f"{entry['student']}/{entry['assignment']}"] = entry

    def close(self):
        if self.handle:
            self.handle.close()


# ------------------------------------------------------------------ main side: workers

def _hard_limit(timeout):
    """Seconds after which a submission's worker is stopped whatever it is doing."""
    return 60 * timeout + 120


class WorkerHandle:
    """A worker process, its pipe, and the job it is grading (None when idle)."""

    def __init__(self, ctx, index, settings):
        self.index = index
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(index, child, settings),
                                name=f"grade-worker-{index}", daemon=True)
        self.proc.start()
        child.close()
        self.job, self.started, self.killed_for = None, 0.0, None

    def send(self, job):
        self.conn.send(job)
        self.job, self.started = job, time.monotonic()

    def collect(self, ready, limit):
        """The result of the job, once there is one (a dict with "error" if the worker died)."""
        if self.conn in ready or self.proc.sentinel in ready:
            try:
                if self.conn.poll():
                    return self.conn.recv()
            except (EOFError, OSError):
                pass
            if self.proc.is_alive():
                return None
            return {"error": self.killed_for or f"the worker process grading it died ({self.death()})"}
        if self.killed_for is None and time.monotonic() - self.started > limit:
            self.killed_for = f"grading took longer than {limit} s; the worker was stopped"
            self.proc.kill()
        return None

    def death(self):
        self.proc.join(timeout=5)
        code = self.proc.exitcode
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def stop(self, wait=5):
        if self.proc.is_alive():
            if self.job is None:
                with contextlib.suppress(OSError):
                    self.conn.send(None)
            else:
                self.proc.terminate()  # the worker shuts its kernel or sandbox down
            self.proc.join(wait)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(wait)
        self.conn.close()


class Pool:
    """Long-lived worker processes, started early (they warm up while the main process registers
    the assignments); each gets a fresh copy of the master gradebook before its first job."""

    def __init__(self, n, settings, copy_master):
        import multiprocessing

        self.ctx = multiprocessing.get_context("fork")  # workers inherit nbgrader and the judge, imported
        self.settings, self.copy_master = settings, copy_master
        self.limit = _hard_limit(settings["timeout"])
        self.workers = [self.start(index, copy=False) for index in range(1, n + 1)]

    def db(self, index):
        return Path(self.settings["out"]) / f"gradebook.worker-{index}.db"

    def start(self, index, copy=True):
        if copy:
            self.copy_master(self.db(index))
        return WorkerHandle(self.ctx, index, dict(self.settings, db=str(self.db(index))))

    def run(self, jobs, on_result):
        """Grade `jobs`; on_result(job, result) for each, in the main process, as they finish."""
        from multiprocessing.connection import wait

        pending = deque(jobs)

        def feed(w):
            while pending:
                job = pending.popleft()
                try:
                    w.send(job)
                    break
                except OSError:  # the worker died before taking it: a new one takes it
                    pending.appendleft(job)
                    w.stop(0)
                    w = self.start(w.index)
            return w

        workers = self.workers
        for w in workers:
            self.copy_master(self.db(w.index))
        workers[:] = [feed(w) for w in workers]
        while any(w.job for w in workers):
            busy = [w for w in workers if w.job]
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=2)
            for i, w in enumerate(workers):
                result = w.collect(ready, self.limit) if w.job else None
                if result is None:
                    continue
                job, w.job = w.job, None
                if "key" not in result and pending:  # the worker is gone: a new one, fresh gradebook copy
                    w.stop(0)
                    w = self.start(w.index)
                workers[i] = feed(w)  # the next job first: the worker grades while this one is merged
                on_result(job, result)

    def close(self):
        for w in self.workers:
            w.stop()
        for index in range(1, len(self.workers) + 1):
            self.db(index).unlink(missing_ok=True)


# ------------------------------------------------------------------ reports

def status_text(statuses):
    return "; ".join(statuses) if statuses else OK


def status_kinds(status):
    """The kinds of problem in a status string, for the summary counts."""
    if status == OK:
        return [OK]
    kinds = []
    for part in status.split("; "):
        if re.search(r"ran past|did not return within|did not answer in time", part):
            kind = "timeout"
        elif re.search(r"crashed|stopped the Python process|stopped the grader", part):
            kind = "crashed"
        elif part.startswith("grade cell ") and "restored" in part:
            kind = "restored cell"
        else:
            kind = part.split(":")[0]
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def fmt(x):
    if x is None or x == "":
        return ""
    return f"{x:g}" if isinstance(x, float) else str(x)


def write_reports(out, rows, maxima, unknown):
    """grades.csv, summary.csv, summary/<student>.md; returns the summary table's text."""
    with open(out / "grades.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "score", "max_score", "status"])
        for r in rows:
            writer.writerow([r["student"], r["assignment"], fmt(r["score"]), fmt(r["max_score"]), r["status"]])
        for student, folder in unknown:
            writer.writerow([student, folder, "", "", "unknown assignment: not one of this course's "
                                                     "exercises (skipped)"])
    students = sorted({r["student"] for r in rows})
    assignments = sorted({r["assignment"] for r in rows})
    by = {(r["student"], r["assignment"]): r for r in rows}
    mine = {s: [by[s, a] for a in assignments if (s, a) in by] for s in students}
    total = {s: float(sum(r["score"] or 0 for r in mine[s])) for s in students}
    top = float(sum(maxima.get(a, 0) for a in assignments))
    with open(out / "summary.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "total", "max_total", *assignments, "problems"])
        for s in students:
            problems = [f"{r['assignment']}: {r['status']}" for r in mine[s] if r["status"] != OK]
            writer.writerow([s, fmt(total[s]), fmt(top),
                             *[fmt(by[s, a]["score"]) if (s, a) in by else "" for a in assignments],
                             " | ".join(problems)])
    folder = out / "summary"
    folder.mkdir(exist_ok=True)
    for s in students:
        lines = [f"# {s}: {fmt(total[s])} / {fmt(top)} points", "",
                 "| assignment | score | status | feedback |", "|---|---|---|---|"]
        for r in mine[s]:
            links = ", ".join(f"[{p.name}](../{p.relative_to(out).as_posix()})" for p in r["feedback"])
            lines.append(f"| {r['assignment']} | {fmt(r['score'])} / {fmt(r['max_score'])} | "
                         f"{r['status'].replace('|', '/')} | {links} |")
        lost = [(r["assignment"], cell, got, top_) for r in mine[s]
                for cell, (got, top_) in sorted(r["cells"].items()) if (got or 0) < top_]
        if lost:
            lines += ["", "## Points lost", ""]
            lines += [f"- {a}, `{cell}`: {fmt(got)} / {fmt(top_)}" for a, cell, got, top_ in lost]
        (folder / f"{s}.md").write_text("\n".join(lines) + "\n")
    return summary_table(rows, maxima, unknown)


def summary_table(rows, maxima, unknown):
    assignments = sorted({r["assignment"] for r in rows})
    kinds = Counter()
    per = {a: Counter() for a in assignments}
    for r in rows:
        for kind in status_kinds(r["status"]):
            per[r["assignment"]][kind] += 1
            kinds[kind] += 1
    columns = [OK] + sorted(k for k in kinds if k != OK)
    head = f"{'assignment':<22} {'graded':>6} {'mean / max':>13}  " + "  ".join(f"{k:>{len(k)}}" for k in columns)
    lines = [head]
    for a in assignments:
        scored = [r["score"] for r in rows if r["assignment"] == a and r["score"] is not None
                  and r["status"] != "not submitted"]
        mean = f"{sum(scored) / len(scored):.1f} / {fmt(maxima.get(a))}" if scored else f"- / {fmt(maxima.get(a))}"
        lines.append(f"{a:<22} {len(scored):>6} {mean:>13}  "
                     + "  ".join(f"{per[a][k]:>{len(k)}}" for k in columns))
    for student, folder in unknown:
        lines.append(f"unknown assignment folder skipped: {student}/{folder}")
    return "\n".join(lines)


# ------------------------------------------------------------------ the command

@contextlib.contextmanager
def locked(path):
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "w")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit(f"grade: another grading run is using {path.parent.parent} "
                         f"(lock {path} is held)") from None
    try:
        yield
    finally:
        fh.close()


def prepare_environment():
    """Threads, PATH (nbgrader runs `alembic` when it creates a gradebook), before numpy is imported."""
    for var in THREAD_VARS:
        os.environ[var] = "1"
    os.environ["PATH"] = notebooks.nbgrader_env()["PATH"]
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    warnings.filterwarnings("ignore", module="sqlalchemy")
    warnings.filterwarnings("ignore", message=".*not in session.*")


def _interrupt(*_):
    raise KeyboardInterrupt


def run(args):
    prepare_environment()
    submitted, out = resolve(args.submissions, args.out)
    if args.jobs < 1 or args.timeout < 1:
        raise SystemExit("grade: --jobs and --timeout must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with locked(out / GRADING / "lock"):
            return Run(submitted, out, args.engine, args.jobs, args.timeout, args.force)()
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        return 130


class Run:
    """One run of the command over a class."""

    def __init__(self, submitted, out, engine, jobs, timeout, force):
        self.submitted, self.out, self.engine = submitted, out, engine
        self.jobs, self.timeout, self.force = jobs, timeout, force
        self.begin = time.perf_counter()
        self.statuses, self.grader_errors, self.done, self.total = {}, [], 0, 0
        self.ledger = Ledger(out / LEDGER)

    def say(self, text):
        print(text, file=sys.stderr, flush=True)

    def __call__(self):
        out = self.out
        subs, unknown = discover(self.submitted, set(notebooks.assignments()))
        for student, folder in unknown:
            self.say(f"grade: skipping {student}/{folder}: not one of this course's assignments")
        if not subs:
            self.say(f"grade: no submissions of this course's assignments under {self.submitted}")
        assignments = sorted({s.assignment for s in subs})
        source = {a: digest(notebooks.SOLUTIONS / a) for a in assignments}
        for sub in subs:
            sub.hash = digest(sub.folder, source[sub.assignment]) if sub.folder else ""
        likely = [s for s in subs if s.folder and (self.force or not self.ledger_says_done(s))]

        tune_nbgrader(share_engines=True)
        if self.engine == "judge":
            autograde_preprocessors("judge")  # import the judge (and numpy) once, before the fork
        nbgrader_classes()
        gc.freeze()  # what is imported stays shared with the forked workers; exit is quick
        for stale in out.glob("gradebook.worker-*.db"):
            stale.unlink()
        shutil.rmtree(out / STAGING, ignore_errors=True)
        (out / GRADING / "logs").mkdir(parents=True, exist_ok=True)
        cfg = course_config(out, out / "gradebook.db")
        self.master = master = Master(out, cfg.CourseDirectory.course_id)
        settings = {"out": str(out), "engine": self.engine, "timeout": self.timeout}
        pool = Pool(min(self.jobs, len(likely)), settings, self.copy_master) if likely else None
        interrupted = False
        try:
            master.register(cfg, assignments, sorted({s.student for s in subs}), source)
            if not (out / "nbgrader_config.py").exists():
                (out / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(course_id=master.course_id))
            expected = {a: master.expected(a) for a in assignments}
            todo, skipped = [], 0
            with master.gradebook() as gb:
                for sub in subs:
                    plan(sub, expected[sub.assignment])
                    if sub.folder is None:
                        self.statuses[sub.key] = sub.status
                    elif (not self.force and self.ledger_says_done(sub)
                          and master.graded(gb, sub.student, sub.assignment)):
                        self.statuses[sub.key] = self.ledger.entries[sub.key].get("status", [])
                        skipped += 1
                    else:
                        todo.append(sub)
            work = [s for s in todo if not s.problem]
            if work and pool is None:
                pool = Pool(min(self.jobs, len(work)), settings, self.copy_master)
            self.total = len(todo)
            self.say(f"grade: {sum(s.folder is not None for s in subs)} submissions "
                     f"({len({s.student for s in subs})} students x {len(assignments)} assignments) in "
                     f"{self.submitted}; {skipped} already graded (ledger), {len(todo)} to grade with the "
                     f"{self.engine} engine on {len(pool.workers) if pool and work else 0} workers")
            if self.engine == "judge":
                from autograder import confine

                self.say(f"grade: {confine.describe()}")
            for sub in todo:
                if sub.problem:
                    self.zero(sub)
            self.by_key = {sub.key: sub for sub in work}
            if work:
                pool.run([{"key": s.key, "student": s.student, "assignment": s.assignment,
                           "folder": str(s.folder), "files": {n: str(p) for n, p in s.files.items()}}
                          for s in work], self.on_result)
        except KeyboardInterrupt:
            interrupted = True
            self.say("grade: interrupted; the grades written so far are kept: run the command again to go on")
        finally:
            self.ledger.close()
            if pool is not None:
                pool.close()
            shutil.rmtree(out / STAGING, ignore_errors=True)

        scores, maxima = master.scores()
        rows = report_rows(out, subs, self.statuses, scores, maxima, self.grader_errors)
        print(write_reports(out, rows, maxima, unknown))
        print(f"\n{len(rows)} rows in {out / 'grades.csv'}; per student: {out / 'summary.csv'}, "
              f"{out / 'summary'}/; feedback: {out / 'feedback'}/ ({time.perf_counter() - self.begin:.1f} s)")
        if interrupted:
            return 130
        return 1 if self.grader_errors else 0

    def ledger_says_done(self, sub):
        entry = self.ledger.entries.get(sub.key)
        return bool(entry) and entry.get("hash") == sub.hash and entry.get("engine") == self.engine

    def copy_master(self, path):
        shutil.copyfile(self.master.db, path)

    def finish(self, sub, status, score=None, seconds=None):
        self.done += 1
        self.statuses[sub.key] = status
        score = f"{fmt(score[0])}/{fmt(score[1])}" if score else "-"
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        self.say(f"[{self.done:>{len(str(self.total))}}/{self.total}] "
                 f"{time.perf_counter() - self.begin:7.1f}s  {sub.key}  {score}  {status_text(status)}{took}")

    def record(self, sub, status):
        self.ledger.write({"student": sub.student, "assignment": sub.assignment, "hash": sub.hash,
                           "engine": self.engine, "status": status,
                           "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S")})

    def zero(self, sub):
        """A submission nbgrader cannot take (missing or unreadable notebook): zero, no feedback."""
        from nbgrader.utils import rmtree

        score = self.master.merge(sub.student, sub.assignment, None)
        for step in ("autograded", "feedback"):
            if (self.out / step / sub.student / sub.assignment).exists():
                rmtree(str(self.out / step / sub.student / sub.assignment))
        self.record(sub, sub.status)
        self.finish(sub, sub.status, score)

    def on_result(self, job, result):
        sub = self.by_key[job["key"]]
        status = sub.status + result.get("status", [])
        if result.get("error") or result.get("grades") is None:
            self.grader_errors.append(sub.key)
            self.finish(sub, status + [f"grader error: {result.get('error') or 'no grades'} "
                                       f"(log: {GRADING}/logs/{sub.student}/{sub.assignment}.log)"],
                        None, result.get("seconds"))
            return
        try:
            score = self.master.merge(sub.student, sub.assignment, result["grades"])
        except Exception as exc:  # the gradebook refused it: report, go on with the class
            self.grader_errors.append(sub.key)
            self.finish(sub, status + [f"grader error: writing the gradebook failed: "
                                       f"{type(exc).__name__}: {exc}"])
            return
        self.record(sub, status)
        self.finish(sub, status, score, result.get("seconds"))


def report_rows(out, subs, statuses, scores, maxima, grader_errors):
    """One row per submission: the score from the master gradebook (`Master.scores()`), the status
    from this run or the ledger (blank score: not graded, by a grader error or an interruption)."""
    rows = []
    for sub in subs:
        status = statuses.get(sub.key, ["not graded: the run was interrupted"])
        got = scores.get((sub.student, sub.assignment))
        if sub.folder is None:
            score, cells = 0.0, {}
        elif sub.key in statuses and sub.key not in grader_errors and got is not None:
            score, cells = got[0], got[2]
        else:
            score, cells = None, {}
        feedback = sorted((out / "feedback" / sub.student / sub.assignment).glob("*.html"))
        rows.append({"student": sub.student, "assignment": sub.assignment, "score": score,
                     "max_score": maxima.get(sub.assignment), "status": status_text(status),
                     "cells": cells, "feedback": feedback})
    return rows


NBGRADER_CONFIG = '''\
# Written by `python -m autograder grade` so that nbgrader (formgrader, export) works in this folder.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{course_id}"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# `nbgrader export` writes grades.csv by default; that name is the grade command's report.
c.CsvExportPlugin.to = "nbgrader_export.csv"
'''
