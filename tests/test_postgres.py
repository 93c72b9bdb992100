"""`python -m autograder grade --db postgresql://...`: the gradebook in a PostgreSQL server.

The test starts its own server (initdb into a scratch folder, loopback only, its unix socket in
that folder, a password for the grader's role; as the `nobody` user when run as root, since
initdb refuses root) and stops it at teardown. A class graded into it gives the same grades as
one graded into SQLite, `nbgrader export` in the output folder reads them back from the server,
and the server going away in the middle of a run stops the command with a clear message, the
grades written until then kept, and the next run grades the rest.
"""

import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder import notebooks
from support.grading import read_grades, run_grade
from support.synthetic import make_class

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BIN = PG_BIN if (PG_BIN / "initdb").exists() else Path(shutil.which("initdb") or "/nonexistent").parent
PASSWORD = "s3cret-for-the-test"
ASSIGNMENTS = ["01_neuron", "03_loss"]

if os.environ.get("BACKPROP_REQUIRE_POSTGRES") and not (BIN / "initdb").exists():  # CI: run, never skip
    raise RuntimeError("BACKPROP_REQUIRE_POSTGRES is set but initdb is not installed")
pytestmark = [pytest.mark.skipif(not (BIN / "initdb").exists(), reason="PostgreSQL server binaries not installed"),
              pytest.mark.skipif(sys.platform != "linux", reason="the judge's sandbox is Linux-only"),
              pytest.mark.slow]  # grade-command runs against a PostgreSQL server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A throwaway PostgreSQL server on 127.0.0.1:port, role `grader` with PASSWORD."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="bp-postgres-"))
        self.data, self.port = self.root / "data", free_port()
        self.as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        (self.root / "pw").write_text(PASSWORD + "\n")
        if self.as_user:
            shutil.chown(self.root, "nobody")
            shutil.chown(self.root / "pw", "nobody")
        self.run(BIN / "initdb", "-D", self.data, "-U", "grader", "--pwfile", self.root / "pw",
                 "--auth=scram-sha-256", "-E", "UTF8", "--no-sync")
        self.start()
        subprocess.run([BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "grader", "gradebook"],
                       env=dict(os.environ, PGPASSWORD=PASSWORD), check=True, capture_output=True)
        self.url = f"postgresql://grader@127.0.0.1:{self.port}/gradebook"

    def run(self, *cmd):
        return subprocess.run([*self.as_user, *map(str, cmd)], check=True, capture_output=True, text=True,
                              cwd=self.root)

    def start(self):
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(BIN / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.root / "log", "-w", "start")

    def stop(self):
        subprocess.run([*self.as_user, str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, cwd=self.root)

    def close(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def synthetic_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("pg_class")
    make_class(root, students=2, assignments=ASSIGNMENTS, seed=5)
    return root / "submitted"


def export(out):
    """`nbgrader export` run in the output folder, as an instructor runs it: its rows."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=out, env=dict(
        notebooks.nbgrader_env(), PGPASSWORD=PASSWORD), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out / "nbgrader_export.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    return sorted((r["assignment"], r["student_id"], r["score"], r["max_score"]) for r in rows)


def test_gradebook_in_postgresql_matches_sqlite(server, synthetic_class, tmp_path):
    sqlite_out, pg_out = tmp_path / "sqlite", tmp_path / "pg"
    result = run_grade(synthetic_class, "--out", sqlite_out)
    assert result.returncode == 0, result.stderr[-3000:]
    result = run_grade(synthetic_class, "--out", pg_out, "--db", server.url, env={"PGPASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (pg_out / "gradebook.db").exists()
    assert read_grades(pg_out) == read_grades(sqlite_out)
    assert export(pg_out) == export(sqlite_out)
    for path in pg_out.rglob("*"):  # the password is nowhere in the output folder
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_password_in_the_url_is_refused(server, synthetic_class, tmp_path):
    url = server.url.replace("grader@", f"grader:{PASSWORD}@")
    result = run_grade(synthetic_class, "--out", tmp_path, "--db", url)
    assert result.returncode != 0 and "PGPASSWORD" in result.stderr and PASSWORD not in result.stderr
    result = run_grade(synthetic_class, "--out", tmp_path, "--db", server.url, env={"PGPASSWORD": "wrong"})
    assert result.returncode != 0 and "cannot reach the gradebook database" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_going_away_mid_run_then_resume(server, synthetic_class, tmp_path):
    out = tmp_path / "out"
    url = server.url.replace("/gradebook", "/postgres")  # a database of its own
    env = dict(notebooks.nbgrader_env(), PGPASSWORD=PASSWORD)
    cmd = [sys.executable, "-m", "autograder", "grade", str(synthetic_class), "--out", str(out), "--jobs", "1",
           "--db", url]
    proc = subprocess.Popen(cmd, cwd=notebooks.ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)
    ledger = out / "grading" / "ledger.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not (ledger.exists() and ledger.read_text()):
        time.sleep(0.05)
    server.stop()
    try:
        _, stderr = proc.communicate(timeout=120)
    finally:
        server.start()
    assert proc.returncode == 2, stderr[-6000:]
    assert "the gradebook database went away" in stderr and "Traceback" not in stderr
    written = len(ledger.read_text().splitlines())
    assert 1 <= written < 4

    result = run_grade(synthetic_class, "--out", out, "--jobs", 1, "--db", url, env={"PGPASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{written} already graded (ledger), {4 - written} to grade" in result.stderr
    rows = read_grades(out)
    assert len(rows) == 4 and all(r["score"] != "" for r in rows.values())
    lines = ledger.read_text().splitlines()
    assert len(lines) == 4  # each submission written once
