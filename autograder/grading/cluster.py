"""Grading on a Dask distributed cluster (`grade --cluster tcp://HOST:PORT` or `--cluster local:N`).

`ClusterPool` is the cluster's stand-in for `pool.Pool` (same `grow`, `workers`, `run`, `close`):
each submission becomes one Dask task; the result comes back to the main process, which stays
the only writer of OUT (gradebook, ledger, reports, autograded/ and feedback/ files).

Nothing is shared with the workers but the Dask connection, so they need no access to OUT: a
`GraderPlugin` (a Dask worker plugin, sent to every worker, including one that joins later)
carries the course bundle (the sources in OUT/solutions, OUT/nbgrader_config.py, a SQLite copy
of the master gradebook's assignments and students, the engine and the timeout). A worker
unpacks it into a scratch course folder in its local directory and grades there with the same
`worker.Grader` (engines, sandbox, judge protections) as a local worker, keeping its converters
and its warm sandbox fork server from one submission to the next. A task carries the
submission's files and returns the `worker.Result` with the autograded and feedback files and
the log as bytes, which the main process writes into OUT.

Faults: a worker that dies mid-submission loses nothing: the scheduler gives the task to
another worker (Dask's `distributed.scheduler.allowed-failures`; a submission that kills that
many workers is reported as a grader error), and the main process writes each submission once,
when its one result arrives. If the scheduler goes away, `ClusterLost` stops the run with the
grades written so far kept (the ledger resumes the rest on the next run).

Workers must run one task at a time (`dask worker ADDRESS --nthreads 1`; `local:N` does so) and
have this course's package importable with the same versions as the main process;
`--preload autograder.grading.cluster` makes a worker import nbgrader and the judge when it
starts rather than on its first submission.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import threading
import time
import uuid
from pathlib import Path

from distributed import WorkerPlugin

from autograder.grading.gradebook import GRADING
from autograder.grading.pool import RunStopped
from autograder.grading.submissions import tree_files
from autograder.grading.worker import Job, Result, Settings

LOCAL = "local:"
PLUGIN = "autograder-grader"
# tests: "student/assignment:FILE" makes the worker that takes that submission die, once (FILE is
# created then), as a worker lost mid-submission would
CRASH_ONCE_HOOK = "AUTOGRADER_GRADE_TEST_CRASH_ONCE"
CONNECT_TIMEOUT = 30  # seconds to reach the scheduler


class ClusterLost(RunStopped):
    """The scheduler went away (or could not be reached) during a run."""


def check_address(address):
    """SystemExit for a --cluster value that is neither local:N nor a scheduler address."""
    if address.startswith(LOCAL):
        n = address[len(LOCAL):]
        if not n.isdigit() or int(n) < 1:
            raise SystemExit(f"grade: --cluster {address}: local:N needs a number of workers N >= 1")
    elif "://" not in address:
        raise SystemExit(f"grade: --cluster {address}: give the scheduler as tcp://HOST:PORT, or local:N")


# ------------------------------------------------------------------ the worker side

def _pack(files):
    """{relative path: bytes} -> one tar (gzip) archive as bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for rel, data in sorted(files.items()):
            info = tarfile.TarInfo(str(rel))
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _unpack(blob, root):
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        tar.extractall(root, filter="data")


def _folder_files(folder, prefix):
    """{prefix/relative path: bytes} for every file under folder."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {f"{prefix}/{p.relative_to(folder)}": p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


class GraderPlugin(WorkerPlugin):
    """A Dask worker plugin: the course bundle, and the worker's `Grader` built from it on the
    first submission (then reused, with its warm sandbox fork server)."""

    name = PLUGIN

    def __init__(self, bundle, engine, timeout):
        self.bundle, self.engine, self.timeout = bundle, engine, timeout
        self.id = hashlib.sha256(bundle).hexdigest()[:16]

    def setup(self, worker):
        self.root = Path(worker.local_directory) / f"autograder-{self.id}"
        self.lock = threading.Lock()  # a Grader grades one submission at a time
        self.grader = None

    def teardown(self, worker):
        from autograder import sandbox_process

        sandbox_process.stop_fork_servers()
        shutil.rmtree(self.root, ignore_errors=True)

    def _grader(self):
        if self.grader is None:
            from autograder.grading.command import prepare_environment
            from autograder.grading.worker import Grader

            prepare_environment()
            shutil.rmtree(self.root, ignore_errors=True)
            self.root.mkdir(parents=True)
            _unpack(self.bundle, self.root)
            (self.root / GRADING / "logs").mkdir(parents=True, exist_ok=True)
            db = self.root / "gradebook.db"
            self.grader = Grader(Settings(self.root, self.engine, self.timeout, db), 1)
        return self.grader

    def grade(self, student, assignment, files, names):
        """Grade one submission: files {relative path: bytes}, names {expected notebook: relative
        path}. Returns (Result, {path relative to OUT: bytes})."""
        with self.lock:
            grader = self._grader()
            crash = os.environ.get(CRASH_ONCE_HOOK, "").split(":", 1)
            if crash[0] == f"{student}/{assignment}" and len(crash) == 2 and not os.path.exists(crash[1]):
                Path(crash[1]).touch()
                os._exit(70)
            folder = self.root / "incoming" / student / assignment
            shutil.rmtree(self.root / "incoming", ignore_errors=True)
            _unpack(files, folder)
            job = Job(student, assignment, folder, {name: folder / rel for name, rel in names.items()})
            try:
                result = grader.grade(job)
                out = {}
                for step in ("autograded", "feedback"):
                    where = self.root / step / student / assignment
                    out.update(_folder_files(where, f"{step}/{student}/{assignment}"))
                    shutil.rmtree(where, ignore_errors=True)
                log = self.root / GRADING / "logs" / student / f"{assignment}.log"
                out.update({f"{GRADING}/logs/{student}/{assignment}.log": log.read_bytes()} if log.exists() else {})
                return result, out
            finally:
                shutil.rmtree(self.root / "incoming", ignore_errors=True)


def grade_task(student, assignment, files, names):
    """The Dask task: grade one submission on this worker with its GraderPlugin."""
    from distributed import get_worker

    return get_worker().plugins[PLUGIN].grade(student, assignment, files, names)


def dask_setup(worker):
    """`dask worker --preload autograder.grading.cluster`: import what grading needs at start."""
    import autograder.grading.worker  # noqa: F401 (imported for its start-up cost only)


# ------------------------------------------------------------------ the main process's side

class ClusterPool:
    """The Dask cluster as the grade command's worker pool."""

    def __init__(self, address, settings: Settings, copy_master, say=print):
        self.address, self.settings, self.copy_master, self.say = address, settings, copy_master, say
        self.client = self.cluster = None

    @property
    def workers(self):
        if self.client is None:
            return []
        try:
            return list(self.client.scheduler_info(n_workers=-1)["workers"])
        except Exception as exc:
            raise ClusterLost(f"the Dask scheduler at {self.where()} cannot be reached ({exc})") from None

    def where(self):
        return self.cluster.scheduler_address if self.cluster is not None else self.address

    def grow(self, n):
        """Connect to the cluster (starting it for local:N); n is ignored: the cluster's size is its own."""
        if self.client is not None:
            return self
        import dask
        from distributed import Client, LocalCluster

        # local:N forks its workers from this process, as the local pool does: they start with
        # nbgrader and the judge imported (spawned, each would import them again, ~4 s)
        dask.config.set({"distributed.comm.timeouts.connect": f"{CONNECT_TIMEOUT}s",
                         "distributed.worker.multiprocessing-method": "fork"})
        try:
            if self.address.startswith(LOCAL):
                self.cluster = LocalCluster(n_workers=int(self.address[len(LOCAL):]), threads_per_worker=1,
                                            processes=True, host="127.0.0.1", dashboard_address=None,
                                            silence_logs=50)
                self.client = Client(self.cluster)
            else:
                self.client = Client(self.address, timeout=CONNECT_TIMEOUT)
        except OSError as exc:
            raise SystemExit(f"grade: cannot reach the Dask scheduler at {self.address}: {exc}") from None
        return self

    def bundle(self):
        """The course bundle: OUT/solutions, OUT/nbgrader_config.py and a copy of the master."""
        out = Path(self.settings.out)
        scratch = out / GRADING / "cluster-gradebook.db"
        scratch.unlink(missing_ok=True)
        self.copy_master(scratch)
        try:
            files = {"gradebook.db": scratch.read_bytes()}
        finally:
            scratch.unlink(missing_ok=True)
        files.update(_folder_files(out / "solutions", "solutions"))
        if (out / "nbgrader_config.py").exists():
            files["nbgrader_config.py"] = (out / "nbgrader_config.py").read_bytes()
        return _pack(files)

    def submit(self, job):
        folder = Path(job.folder)
        files = _pack({str(rel): path.read_bytes() for rel, path in tree_files(folder)})
        names = {name: str(Path(path).relative_to(folder)) for name, path in job.files.items()}
        return self.client.submit(grade_task, job.student, job.assignment, files, names, pure=False,
                                  key=f"grade-{job.student}/{job.assignment}-{uuid.uuid4().hex[:8]}")

    def run(self, jobs, on_result):
        """Grade `jobs` on the cluster; on_result(job, result) in this process as each finishes."""
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        self.grow(1)
        plugin = GraderPlugin(self.bundle(), self.settings.engine, self.settings.timeout)
        try:
            self.client.register_plugin(plugin, name=PLUGIN)
            futures = {self.submit(job): job for job in jobs}
        except OSError as exc:
            raise ClusterLost(f"the Dask scheduler at {self.where()} went away ({exc})") from None
        out = Path(self.settings.out)
        for future in as_completed(futures):
            job = futures.pop(future)
            start = time.perf_counter()
            try:
                result, files = future.result()
            except (FutureCancelledError, OSError) as exc:
                for rest in futures:
                    rest.release()
                raise ClusterLost(f"the Dask scheduler at {self.where()} went away "
                                  f"({type(exc).__name__}: {exc})") from None
            except Exception as exc:  # KilledWorker (it killed too many workers), or the task failed
                result, files = Result(error=f"{type(exc).__name__}: {exc}",
                                       seconds=time.perf_counter() - start), {}
            for step in ("autograded", "feedback"):
                shutil.rmtree(out / step / job.student / job.assignment, ignore_errors=True)
            for rel, data in files.items():
                path = out / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            on_result(job, result)

    def close(self):
        for thing in (self.client, self.cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # a scheduler already gone: nothing left to close
                    pass
