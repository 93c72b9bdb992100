"""`python -m autograder grade --cluster local:2`: the same class graded on a local Dask cluster
gives what the local worker pool gives, even when a worker dies in the middle of a submission.

One synthetic class (correct, buggy, blank and broken submissions) is graded with --jobs 2 and
with --cluster local:2; on the cluster, the worker that takes one submission is killed the first
time (os._exit, as a machine lost mid-submission), so Dask gives it to another worker.

The scheduler going away: a real `dask scheduler` and `dask worker` run as separate processes on
loopback, the scheduler is killed once the command has graded its first submission, and the
command must stop (exit code 2) keeping what it wrote; the next run, without --cluster, grades
only the rest.
"""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.grading.cluster import CRASH_ONCE_HOOK
from support.grading import read_grades, run_grade
from support.synthetic import make_class
from test_grade_command import gradebook_scores, ledger

pytestmark = [pytest.mark.skipif(sys.platform != "linux", reason="the judge's sandbox is Linux-only"),
              pytest.mark.slow]  # grade-command runs on a dask cluster

ASSIGNMENTS = ["01_neuron", "03_loss"]


def files_under(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def progress(stderr):
    return [line.split()[2] for line in stderr.splitlines() if line.startswith("[")]


@pytest.fixture(scope="module")
def synthetic_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster_class")
    planted = make_class(root, students=3, assignments=ASSIGNMENTS, seed=3)
    return root, planted


def test_local_cluster_grades_as_the_local_pool(synthetic_class, tmp_path):
    root, planted = synthetic_class
    assert {p.kind for p in planted} >= {"correct", "buggy", "broken"}
    pool_out, cluster_out = tmp_path / "pool", tmp_path / "cluster"
    local = run_grade(root / "submitted", "--jobs", 2, "--out", pool_out)
    assert local.returncode == 0, local.stderr[-3000:]

    victim = next(p for p in planted if p.kind == "correct")
    key, marker = f"{victim.student}/{victim.assignment}", tmp_path / "worker-killed"
    result = run_grade(root / "submitted", "--cluster", "local:2", "--out", cluster_out,
                       env={CRASH_ONCE_HOOK: f"{key}:{marker}"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert marker.exists(), "no worker was killed: the fault was not exercised"
    assert "on 2 workers" in result.stderr

    # each submission graded (and written) once, the killed worker's one included
    keys = [f"{p.student}/{p.assignment}" for p in planted]
    assert sorted(progress(result.stderr)) == sorted(keys)
    lines = [json.loads(line) for line in (cluster_out / "grading" / "ledger.jsonl").read_text().splitlines()]
    assert sorted(f"{e['student']}/{e['assignment']}" for e in lines) == sorted(keys)

    # the same grades, statuses, gradebook and files as the local pool
    rows = read_grades(cluster_out)
    assert rows == read_grades(pool_out)
    assert rows[victim.student, victim.assignment]["status"] == "ok"
    assert float(rows[victim.student, victim.assignment]["score"]) == float(
        rows[victim.student, victim.assignment]["max_score"])
    assert gradebook_scores(cluster_out) == gradebook_scores(pool_out)
    for step in ("feedback", "autograded"):
        assert files_under(cluster_out / step) == files_under(pool_out / step), step
    logs = files_under(cluster_out / "grading" / "logs")
    assert {str(k) for k in logs} >= {f"{k}.log" for k in keys if (pool_out / "grading" / "logs" / f"{k}.log").exists()}
    with open(cluster_out / "summary.csv", newline="") as a, open(pool_out / "summary.csv", newline="") as b:
        assert list(csv.reader(a)) == list(csv.reader(b))


def test_cluster_address_is_checked(tmp_path):
    (tmp_path / "submitted").mkdir()
    for bad in ("local:0", "localhost:8786"):
        result = run_grade(tmp_path / "submitted", "--cluster", bad)
        assert result.returncode != 0
        assert "--cluster" in result.stderr and "Traceback" not in result.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def processes():
    """Start processes in sessions of their own; kill each one's whole group at teardown."""
    started = []

    def start(*cmd, **kwargs):
        proc = subprocess.Popen([str(c) for c in cmd], cwd=notebooks.ROOT, env=notebooks.nbgrader_env(),
                                start_new_session=True, **kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)


def wait_for_worker(address, timeout=60):
    from distributed import Client

    with Client(address, timeout=timeout) as client:
        client.wait_for_workers(1, timeout=timeout)


def test_scheduler_going_away_stops_the_run_then_resume(tmp_path, processes):
    root = tmp_path / "class"
    planted = make_class(root, students=3, assignments=ASSIGNMENTS, seed=7, mix={"correct": 0.6, "buggy": 0.4})
    keys = sorted(f"{p.student}/{p.assignment}" for p in planted)
    dask = Path(sys.executable).parent / "dask"
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = processes(dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                          "--no-dashboard", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    processes(dask, "worker", address, "--nthreads", 1, "--nworkers", 1, "--no-dashboard", "--host", "127.0.0.1",
              "--local-directory", tmp_path / "worker", "--preload", "autograder.grading.cluster",
              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_worker(address)

    out = tmp_path / "out"
    grade = processes(sys.executable, "-m", "autograder", "grade", root / "submitted", "--out", out,
                      "--cluster", address, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in grade.stderr:  # the progress lines: kill the scheduler once one submission is written
        lines.append(line)
        if line.startswith("["):
            os.killpg(scheduler.pid, signal.SIGKILL)
            break
    lines += grade.stderr.readlines()
    stderr = "".join(lines)
    assert grade.wait(timeout=60) == 2, stderr[-3000:]
    assert "the Dask scheduler at " + address + " went away" in stderr, stderr[-3000:]
    assert "the grades written so far are kept" in stderr
    # no traceback through the command's own code (distributed's client logs its cancelled
    # reconnection attempt with one when the command closes it)
    assert f'File "{notebooks.ROOT / "autograder"}' not in stderr, stderr[-3000:]

    # what was written before the scheduler went away is kept, in the ledger and the gradebook
    written = sorted(f"{e['student']}/{e['assignment']}" for e in ledger(out))
    assert written == sorted(progress(stderr))
    assert 1 <= len(written) < len(keys), "the scheduler went away too late to leave work undone"
    assert set(gradebook_scores(out)) >= {tuple(k.split("/")) for k in written}

    plain = run_grade(root / "submitted", "--jobs", 2, "--out", tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr[-3000:]
    rerun = run_grade(root / "submitted", "--jobs", 2, "--out", out)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    rest = len(keys) - len(written)
    assert f"{len(written)} already graded (ledger), {rest} to grade" in rerun.stderr
    assert sorted(progress(rerun.stderr)) == sorted(set(keys) - set(written))
    assert sorted(f"{e['student']}/{e['assignment']}" for e in ledger(out)) == keys  # each written once
    assert read_grades(out) == read_grades(tmp_path / "plain")
    assert gradebook_scores(out) == gradebook_scores(tmp_path / "plain")
