"""`python -m autograder grade --cluster local:2`: the same class graded on a local Dask cluster
gives what the local worker pool gives, even when a worker dies in the middle of a submission.

One synthetic class (correct, buggy, blank and broken submissions) is graded with --jobs 2 and
with --cluster local:2; on the cluster, the worker that takes one submission is killed the first
time (os._exit, as a machine lost mid-submission), so Dask gives it to another worker.
"""

import csv
import json
import sys

import pytest

from autograder.grading.cluster import CRASH_ONCE_HOOK
from support.synthetic import make_class
from test_grade_command import gradebook_scores, read_grades, run_grade

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the judge's sandbox is Linux-only")

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
