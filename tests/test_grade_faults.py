"""Faults met by `python -m autograder grade` (the fault table in docs/grading.md): the command
killed with SIGKILL, interrupted with SIGINT or SIGTERM, the gradebook held by another program.
Nothing lost, nothing graded twice, nothing left running."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder import lifetime, notebooks
from support.grading import read_grades, run_grade

pytestmark = pytest.mark.slow  # runs the grade command end to end

TABLE_HEAD = "assignment             graded"


def solution(assignment):
    return notebooks.SOLUTIONS / assignment / f"{assignment}_exercise.ipynb"


def put(course, student, assignment, nb=None):
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{assignment}_exercise.ipynb"
    if nb is None:
        target.write_bytes(solution(assignment).read_bytes())
    else:
        nbformat.write(nb, target)


def looping_solution():
    """The solution to exercise 1 with a cell of the learner's own that never ends."""
    nb = nbformat.read(solution("01_neuron"), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("while True:\n    pass"))
    return nb


def ledger_lines(out):
    path = out / "grading" / "ledger.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def descendants(root):
    """{pid: start time} of root and every process below it (parent links read from /proc; a
    process that left its session, as the sandboxes do, keeps its parent)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        started = lifetime.start_time(pid)
        if started is not None:
            found[pid] = started
        todo += children.get(pid, [])
    return found


def start(course, *args):
    cmd = [sys.executable, "-m", "autograder", "grade", str(course), *map(str, args)]
    return subprocess.Popen(cmd, cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, seconds, proc):
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"the run ended early:\n{proc.stderr.read()[-3000:]}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def still_running(processes):
    return {pid: started for pid, started in processes.items() if lifetime.start_time(pid) == started}


@pytest.fixture
def class_with_a_loop(tmp_path):
    """Three submissions; a_loop's never-ending cell keeps its sandbox busy for --timeout."""
    course = tmp_path / "course"
    put(course, "a_loop", "01_neuron", looping_solution())
    for student in ("b", "c"):
        put(course, student, "01_neuron")
    put(course, "b", "03_loss")
    return course


def test_sigkill_leaves_nothing_running_and_a_rerun_ends_leftovers(class_with_a_loop):
    course = class_with_a_loop
    proc = start(course, "--jobs", 2, "--timeout", 120)
    seen = {}

    def sandbox_busy_and_one_graded():
        seen.update(descendants(proc.pid))
        kinds = [e[2] for e in lifetime.Registry(course / "grading" / "processes").running()]
        return ledger_lines(course) and "sandbox" in kinds and "sandbox fork server" in kinds

    wait_for(sandbox_busy_and_one_graded, 240, proc)
    seen.update(descendants(proc.pid))
    registered = {pid: started for pid, started, _ in lifetime.Registry(course / "grading" / "processes").entries()}
    assert len(seen) >= 6, seen  # the command, 2 workers, their fork servers, a_loop's sandbox
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while still_running(seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not still_running(seen), f"left running after the run was killed: {still_running(seen)}"
    assert not still_running(registered)
    graded = ledger_lines(course)

    # a process an earlier run left (as one that missed its parent's death would be), and another
    # process that now holds a pid the registry names, with another start time: only the first ends
    registry = lifetime.Registry(course / "grading" / "processes")
    left, recycled = (subprocess.Popen(["sleep", "300"], start_new_session=True) for _ in range(2))
    try:
        registry.add(left.pid, "sandbox")
        (registry.folder / str(recycled.pid)).write_text(
            json.dumps({"start": lifetime.start_time(recycled.pid) - 1, "what": "sandbox"}))
        rerun = run_grade(course, "--jobs", 2, "--timeout", 3)
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        assert "grade: ended 1 sandbox left running by an earlier run of this course folder" in rerun.stderr
        assert left.wait(5) == -signal.SIGKILL
        assert recycled.poll() is None, "a process whose pid was recycled was killed"
    finally:
        for p in (left, recycled):
            p.kill()
            p.wait()
    assert registry.entries() == []  # the rerun's own processes all ended with it
    # nothing graded twice: the rerun graded only what the killed run had not written
    # (solutions/ changed meanwhile would regrade everything: then more lines, none lost)
    assert ledger_lines(course)[:len(graded)] == graded
    assert {(e["student"], e["assignment"]) for e in ledger_lines(course)[len(graded):]} >= {
        (e["student"], e["assignment"]) for e in ledger_lines(course)} - {
        (e["student"], e["assignment"]) for e in graded}
    assert len({(e["student"], e["assignment"]) for e in ledger_lines(course)}) == 4
    rows = read_grades(course)
    assert rows["b", "03_loss"]["score"] == "11"
    assert "ran past 3 s" in rows["a_loop", "01_neuron"]["status"], rows["a_loop", "01_neuron"]


HOLD = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")  # as the formgrader or `nbgrader db` hold it while they write
print("locked", flush=True)
sys.stdin.readline()
con.execute("COMMIT")
"""


class HeldGradebook:
    """Another program holding the gradebook's write lock until `release`."""

    def __init__(self, db):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline() == "locked\n"

    def release(self):
        self.proc.communicate("\n", timeout=10)
        assert self.proc.returncode == 0


def run_logged(course, log, *args):
    """The grade command started with its stderr in the file log."""
    cmd = [sys.executable, "-m", "autograder", "grade", str(course), *map(str, args)]
    return subprocess.Popen(cmd, cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), stdout=subprocess.PIPE,
                            stderr=open(log, "w"), text=True)


def test_a_gradebook_held_locked_is_waited_for_up_to_the_limit(tmp_path):
    course = tmp_path / "course"
    put(course, "a", "01_neuron")
    assert run_grade(course, "--jobs", 1).returncode == 0
    db = course / "gradebook.db"
    put(course, "b", "01_neuron")
    log = tmp_path / "stderr.txt"

    # held for less than the limit: the run says what it waits for, then grades as usual
    held = HeldGradebook(db)
    proc = run_logged(course, log, "--jobs", 1, "--db-wait", 120)
    wait_for(lambda: "waiting for the gradebook" in log.read_text(), 120, proc)
    time.sleep(1)
    held.release()
    assert proc.wait(120) == 0, log.read_text()[-3000:]
    text = log.read_text()
    assert f"grade: waiting for the gradebook {db}: another program holds it locked" in text
    assert "waiting up to 120 s" in text
    assert "the gradebook is free again after" in text
    assert read_grades(course)["b", "01_neuron"]["score"] == "12"
    before = ledger_lines(course)
    assert "b" in {e["student"] for e in before}

    # held for longer than the limit: the run stops after it, with its clear message, and
    # writes nothing; run again once the gradebook is free, it grades what is left
    put(course, "c", "01_neuron")
    held = HeldGradebook(db)
    try:
        begin = time.monotonic()
        proc = run_logged(course, log, "--jobs", 1, "--db-wait", 3)
        code = proc.wait(120)
        took = time.monotonic() - begin
    finally:
        held.release()
    text = log.read_text()
    assert code == 2, text[-3000:]
    assert "waiting up to 3 s" in text
    assert "another program held it for more than 3 s" in text
    assert "run the command again to go on" in text
    assert took < 60, took  # the start-up and one wait of 3 s, not a wait per use of the gradebook
    assert ledger_lines(course) == before  # nothing written
    assert ("c", "01_neuron") not in read_grades(course)
    rerun = run_grade(course, "--jobs", 1)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert read_grades(course)["c", "01_neuron"]["score"] == "12"
    assert ledger_lines(course)[:len(before)] == before


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_run_keeps_its_grades_prints_one_table_and_ends_its_processes(tmp_path, sig):
    course = tmp_path / "course"
    for student in ("a", "b", "c", "d"):
        put(course, student, "01_neuron")
        put(course, student, "03_loss")
    cmd = [sys.executable, "-m", "autograder", "grade", str(course), "--jobs", "2"]
    # as a terminal's Ctrl-C reaches it: a SIGINT to the whole process group (the test's own
    # process may ignore SIGINT, which a child would inherit)
    proc = subprocess.Popen(cmd, cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = {}

    def one_graded():
        seen.update(descendants(proc.pid))
        return ledger_lines(course)

    wait_for(one_graded, 240, proc)
    seen.update(descendants(proc.pid))
    os.killpg(proc.pid, sig)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr[-3000:]
    assert "grade: interrupted; the grades written so far are kept: run the command again to go on" in stderr
    assert stdout.count(TABLE_HEAD) == 1, stdout
    assert stdout.count("rows in ") == 1, stdout
    time.sleep(1)
    assert not still_running(seen), f"left running after the run ended: {still_running(seen)}"
    graded = ledger_lines(course)
    rows = read_grades(course)
    for entry in graded:  # what the ledger holds is in grades.csv
        assert rows[entry["student"], entry["assignment"]]["score"] == str(round(entry["score"]))
    rerun = run_grade(course, "--jobs", 2)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert ledger_lines(course)[:len(graded)] == graded
    assert {k: r["score"] for k, r in read_grades(course).items()} == {
        (s, a): {"01_neuron": "12", "03_loss": "11"}[a] for s in "abcd" for a in ("01_neuron", "03_loss")}
