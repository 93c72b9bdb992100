"""Grading throughput: the local pool against a local Dask cluster (a script, not a test).

    .venv/bin/python benchmarks/cluster.py [--students N]

Grades one synthetic class (tests/support/synthetic.py, assignments 01_neuron and 03_loss) with
`grade --jobs 1`, `--jobs 2`, `--cluster local:1` and `--cluster local:2`, each into a fresh
folder, and prints the wall time of each run, submissions per second, the ratios to --jobs 2,
the cluster's per-submission overhead (local:1 against --jobs 1, per submission) and, on paper,
the number of cluster workers that grade 100,000 notebooks in one hour at the measured rate.

Then the gradebook writer alone (`Master` in autograder/grading/gradebook.py, the command's main
process): the calls the command makes per graded submission (`Master.merge` of one submission's
grades, then its ledger line) timed over --writes submissions, into SQLite (OUT/gradebook.db, as
by default) and into a scratch PostgreSQL server started as tests/test_postgres.py starts one,
with fsync on (as a real server) and off (as the tests run it); skipped without PostgreSQL.
`--writer` measures only the writer.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from autograder import notebooks  # noqa: E402 (after the sys.path set-up above)
from support.synthetic import make_class  # noqa: E402 (after the sys.path set-up above)

NOTEBOOKS_AN_HOUR = 100_000
RUNS = {"pool, --jobs 1": ["--jobs", "1"], "pool, --jobs 2": ["--jobs", "2"],
        "cluster local:1": ["--cluster", "local:1"], "cluster local:2": ["--cluster", "local:2"]}


def grade(submitted, out, extra):
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out), *extra],
                            cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(result.stderr[-3000:])
    return time.perf_counter() - start


def writer_rate(url, out, writes, assignment="01_neuron"):
    """Submissions written per second by the grade command's writer: Master.merge of one
    submission's full grades plus its ledger line, as `GradeRun.on_result` does, after the
    assignment and students are registered (not timed)."""
    from types import SimpleNamespace

    from autograder.grading.command import prepare_environment
    from autograder.grading.database import check_url
    from autograder.grading.gradebook import Master, NotebookGrades, SubmissionGrades
    from autograder.grading.ledger import Ledger
    from autograder.grading.nbgrader_patches import patch_nbgrader
    from autograder.grading.pipelines import course_config
    from autograder.grading.submissions import digest

    prepare_environment()
    patch_nbgrader()
    url = url and check_url(url)  # the driver the command uses
    out.mkdir(parents=True)
    cfg = course_config(out, out / "gradebook.db")
    if url:
        cfg.CourseDirectory.db_url = url
    master = Master(out, cfg.CourseDirectory.course_id, url)
    students = [f"student{i:04d}" for i in range(writes)]
    master.register(cfg, [assignment], students, {assignment: digest(notebooks.SOLUTIONS / assignment)})
    with master.gradebook() as gb:
        grades = SubmissionGrades(None, {nb.name: NotebookGrades(
            None, {c.name: c.max_score for c in nb.grade_cells}, {c.name: "" for c in nb.solution_cells})
            for nb in gb.find_assignment(assignment).notebooks})
    ledger = Ledger(out / "grading" / "ledger.jsonl")
    start = time.perf_counter()
    for student in students:
        score = master.merge(student, assignment, grades)
        ledger.record(SimpleNamespace(student=student, assignment=assignment, hash="x"), "judge", [])
    seconds = time.perf_counter() - start
    ledger.close()
    assert score[0] == score[1] > 0, score  # full marks written
    return writes / seconds


def measure_writer(writes, tmp):
    """{name: submissions written per second} for SQLite and (when installed) PostgreSQL."""
    rates = {"SQLite (OUT/gradebook.db)": writer_rate(None, Path(tmp) / "sqlite", writes)}
    from test_postgres import BIN, PASSWORD, Server

    if not (BIN / "initdb").exists():
        print("PostgreSQL server binaries not installed: PostgreSQL not measured")
        return rates

    class DurableServer(Server):
        fsync = "on"

        def start(self):
            opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync={self.fsync}"
            self.run(BIN / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.root / "log", "-w", "start")

    os.environ["PGPASSWORD"] = PASSWORD
    for fsync in ("on", "off"):
        DurableServer.fsync = fsync
        server = DurableServer()
        try:
            rates[f"PostgreSQL 127.0.0.1, fsync={fsync}"] = writer_rate(server.url, Path(tmp) / f"pg-{fsync}", writes)
        finally:
            server.close()
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--writes", type=int, default=100, help="submissions the gradebook writer writes")
    parser.add_argument("--writer", action="store_true", help="measure only the gradebook writer")
    args = parser.parse_args()
    if not args.writer:
        grading(args.students)
    with tempfile.TemporaryDirectory(prefix="bench-writer-") as tmp:
        rates = measure_writer(args.writes, tmp)
    need = NOTEBOOKS_AN_HOUR / 3600
    print(f"gradebook writer (one process), {args.writes} submissions of 01_neuron "
          f"(Master.merge + the ledger line each):")
    for name, rate in rates.items():
        print(f"  {name:34} {rate:6.1f} submissions/s  x{rate / need:5.1f} of the {need:.1f}/s that "
              f"{NOTEBOOKS_AN_HOUR:,} notebooks an hour need")


def grading(students):
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        planted = make_class(Path(tmp) / "class", students=students, assignments=["01_neuron", "03_loss"])
        n = len(planted)
        seconds = {name: grade(Path(tmp) / "class" / "submitted", Path(tmp) / f"out{i}", extra)
                   for i, (name, extra) in enumerate(RUNS.items())}
    base = seconds["pool, --jobs 2"]
    print(f"{n} submissions (synthetic class, {students} students x 2 assignments), whole command, wall time")
    for name, s in seconds.items():
        print(f"  {name:18} {s:6.1f} s  {n / s:5.2f} submissions/s  x{base / s:4.2f} of --jobs 2")
    overhead = (seconds["cluster local:1"] - seconds["pool, --jobs 1"]) / n
    print(f"cluster overhead per submission (local:1 - --jobs 1, start-up included): {overhead:+.2f} s")
    per_worker = n / seconds["cluster local:1"]
    print(f"on paper: {NOTEBOOKS_AN_HOUR:,} notebooks in one hour need {NOTEBOOKS_AN_HOUR / 3600:.1f} "
          f"submissions/s, i.e. {math.ceil(NOTEBOOKS_AN_HOUR / 3600 / per_worker)} single-threaded workers "
          f"at this machine's local:1 rate "
          f"({per_worker:.2f}/s per worker, start-up included)")


if __name__ == "__main__":
    main()
