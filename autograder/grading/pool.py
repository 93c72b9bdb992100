"""The worker processes, seen from the main process.

Workers are plain `multiprocessing` processes with a pipe each (not a ProcessPoolExecutor), so
the main process always knows which submission a worker was grading when it died: that one gets
a grader error, the worker is replaced (with a fresh copy of the master) and the batch goes on.
A submission that runs longer than `hard_limit(timeout)` is treated the same way. (With a
ProcessPoolExecutor, one dead worker breaks every submission in flight.)

Workers are forked from the main process once nbgrader and the judge are imported, and started
early (`Pool.grow`, before the main process registers the assignments) so that they warm up
meanwhile; each gets a fresh copy of the master gradebook before its first job.

`make_pool` is where a run gets its pool: this one, or with --cluster a Dask cluster
(`cluster.ClusterPool`, same methods).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import deque
from dataclasses import replace
from multiprocessing.connection import wait
from pathlib import Path

from autograder.grading.worker import Result, Settings, worker_main


class RunStopped(Exception):
    """The run cannot go on (the cluster's scheduler or the gradebook's database went away): the
    grades written so far are kept and the next run resumes from the ledger."""


def hard_limit(timeout):
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

    def collect(self, ready, limit) -> Result | None:
        """The Result of the job, once there is one (worker_lost if the worker died)."""
        if self.conn in ready or self.proc.sentinel in ready:
            try:
                if self.conn.poll():
                    return self.conn.recv()
            except (EOFError, OSError):
                pass
            if self.proc.is_alive():
                return None
            return Result(error=self.killed_for or f"the worker process grading it died ({self.death()})",
                          worker_lost=True)
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
    """Long-lived worker processes (none until `grow`), each with its own gradebook copy."""

    def __init__(self, settings: Settings, copy_master):
        self.ctx = multiprocessing.get_context("fork")  # workers inherit nbgrader and the judge, imported
        self.settings, self.copy_master = settings, copy_master
        self.limit = hard_limit(settings.timeout)
        self.workers = []

    def grow(self, n):
        """Start workers until there are n (without copying the master: `run` does that)."""
        while len(self.workers) < n:
            self.workers.append(self.start(len(self.workers) + 1, copy=False))
        return self

    def db(self, index):
        return Path(self.settings.out) / f"gradebook.worker-{index}.db"

    def start(self, index, copy=True):
        if copy:
            self.copy_master(self.db(index))
        return WorkerHandle(self.ctx, index, replace(self.settings, db=self.db(index)))

    def run(self, jobs, on_result):
        """Grade `jobs`; on_result(job, result) for each, in the main process, as they finish."""
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
                if result.worker_lost and pending:  # a new worker, with a fresh gradebook copy
                    w.stop(0)
                    w = self.start(w.index)
                workers[i] = feed(w)  # the next job first: the worker grades while this one is merged
                on_result(job, result)

    def close(self):
        for w in self.workers:
            w.stop()
        for index in range(1, len(self.workers) + 1):
            self.db(index).unlink(missing_ok=True)


def make_pool(settings: Settings, copy_master, cluster=None, say=print):
    """The run's workers: local processes, or the Dask cluster at `cluster` (tcp://HOST:PORT or local:N)."""
    if cluster:
        from autograder.grading.cluster import ClusterPool  # imports distributed: only when asked for

        return ClusterPool(cluster, settings, copy_master, say)
    return Pool(settings, copy_master)
