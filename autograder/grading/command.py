"""`python -m autograder grade`: the command line, the process's set-up, the lock on OUT."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sys
import time
import warnings
from pathlib import Path

from autograder import lifetime, notebooks
from autograder.grading.database import DB_WAIT
from autograder.grading.outcomes import plural
from autograder.grading.submissions import resolve

ENGINES = ("judge", "kernel")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
LOCK = "grading/lock"
PROCESSES = "processes"  # beside the lock: the run's processes (`lifetime.Registry`)
MAIN = "grade command"


def add_arguments(parser):
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                        help="nbgrader's submitted/ folder, or a course folder that contains submitted/")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="output course folder (default: the folder that holds submitted/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes (default: the number of cores, %(default)s here)")
    parser.add_argument("--timeout", type=int, default=30, metavar="S",
                        help="seconds one cell may run before it is stopped, not counting the time it "
                             "waits for a processor on a busy machine; a submission with a cell stopped is "
                             "graded again alone before it loses points (default: %(default)s)")
    parser.add_argument("--engine", choices=ENGINES, default="judge",
                        help="judge: learner code in a sandbox, graded functions judged outside it "
                             "(default); kernel: nbgrader's stock Execute in a Jupyter kernel "
                             "(restarted if it dies)")
    parser.add_argument("--force", action="store_true",
                        help="regrade every submission, even those the ledger says are graded")
    parser.add_argument("--keep-manual", action="store_true",
                        help="a resubmission (files changed) keeps the manual scores and comments given to "
                             "its earlier version (default: they are cleared; the status says which)")
    parser.add_argument("--cluster", default=None, metavar="ADDRESS",
                        help="grade on a Dask distributed cluster: its scheduler (tcp://HOST:PORT; "
                             "workers started with --nthreads 1), or local:N to start N local worker "
                             "processes; --jobs is then ignored")
    parser.add_argument("--db", default=None, metavar="URL",
                        help="keep the gradebook in a database server, e.g. postgresql://USER@HOST:PORT/DBNAME "
                             "(nbgrader's CourseDirectory.db_url; default: OUT/gradebook.db); the password "
                             "comes from PGPASSWORD or ~/.pgpass, never from the URL")
    parser.add_argument("--db-wait", type=int, default=DB_WAIT, metavar="S",
                        help="seconds to wait for a gradebook another program holds locked (the formgrader "
                             "saving, an nbgrader db command) before the run stops (default: %(default)s)")
    parser.add_argument("--dry-run", action="store_true",
                        help="list what grading would do (to grade or already graded, renamed and missing "
                             "notebooks, unknown folders, late work) and stop: nothing is graded or written")


def _take(fh):
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


@contextlib.contextmanager
def locked(path):
    """The course folder to this run alone, and every process an earlier run of it left running
    ended (`lifetime.Registry`; its processes end with the run, the registry catches any that did
    not). While the run lasts, the processes it starts register themselves there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    registry = lifetime.Registry(path.parent / PROCESSES)
    fh = open(path, "w")
    # held, but the run that took it is gone: its leftover processes hold the lock (workers inherit it)
    if not _take(fh) and not registry.running(MAIN):
        _say_ended(registry.end_all())
        deadline = time.monotonic() + 5
        while not _take(fh) and time.monotonic() < deadline:
            time.sleep(0.1)
    if not _take(fh):
        raise SystemExit(f"grade: another grading run is using {path.parent.parent} "
                         f"(lock {path} is held)") from None
    _say_ended(registry.end_all())
    registry.add(os.getpid(), MAIN)
    os.environ[lifetime.REGISTRY_VAR] = str(registry.folder)
    try:
        yield
    finally:
        os.environ.pop(lifetime.REGISTRY_VAR, None)
        registry.end_all(keep={os.getpid()})  # none should be left: their files, or a straggler
        registry.remove(os.getpid())
        fh.close()


def _say_ended(ended):
    if ended:
        kinds = ", ".join(plural(ended.count(what), what) for what in sorted(set(ended)))
        print(f"grade: ended {kinds} left running by an earlier run of this course folder",
              file=sys.stderr, flush=True)


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
    # Imported only now, after the thread limits are set: the run imports numpy (through the
    # judge), nbgrader and the engines, once, before it forks its workers.
    from autograder.grading.batch import GradeRun

    submitted, out = resolve(args.submissions, args.out)
    if args.dry_run:
        from autograder.lms.dryrun import dry_run

        return dry_run(submitted, out, args.engine, args.force, args.db)
    if args.engine == "kernel":
        from autograder import confined_kernel

        if not confined_kernel.available():
            raise SystemExit("grade: the kernel engine runs learner code in a Jupyter kernel that only "
                             "Landlock (Linux 5.13 or later) keeps away from submitted/, the gradebook and "
                             "the reports, and this machine's kernel has none: grade with the judge engine")
    if args.jobs < 1 or args.timeout < 1:
        raise SystemExit("grade: --jobs and --timeout must be at least 1")
    if args.db_wait < 0:
        raise SystemExit("grade: --db-wait must be 0 or more")
    if args.cluster:
        from autograder.grading.cluster import check_address

        check_address(args.cluster)
    if args.db:
        from autograder.grading.database import check_url, reachable

        args.db = check_url(args.db)
        reachable(args.db)
    out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with locked(out / LOCK):
            return GradeRun(submitted, out, args.engine, args.jobs, args.timeout, args.force,
                            args.cluster, args.db, keep_manual=args.keep_manual, db_wait=args.db_wait)()
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        return 130

