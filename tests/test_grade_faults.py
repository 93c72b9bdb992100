"""Faults met by `python -m autograder grade` (the fault table in docs/grading.md): the command
killed with SIGKILL (judge and kernel engine), interrupted with SIGINT or SIGTERM, the gradebook
held by another program, a worker killed as the out-of-memory killer would, a submission folder
that disappears, a full disk under the feedback or the ledger, a ledger cut mid-line, a clock
that jumps. Nothing lost, nothing graded twice, nothing left running."""

import contextlib
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


def assert_gone_within(processes, seconds, after):
    """Every process of {pid: start time} ends within `seconds` (after: what happened, for the message)."""
    deadline = time.monotonic() + seconds
    while still_running(processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not still_running(processes), f"left running after {after}: {still_running(processes)}"


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
    assert_gone_within(seen, 5, "the run was killed")
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
    assert rows["b", "03_loss"]["score"] == "13"
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
        (s, a): {"01_neuron": "12", "03_loss": "13"}[a] for s in "abcd" for a in ("01_neuron", "03_loss")}


def slow_solution(assignment="01_neuron", seconds=3):
    """The solution with a first cell of the learner's own that sleeps (well within the limit)."""
    nb = nbformat.read(solution(assignment), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})"))
    return nb


def when_a_sandbox_runs(course, proc, seconds=240):
    """Wait until the run has a sandbox running (a submission is being graded)."""
    registry = lifetime.Registry(course / "grading" / "processes")
    wait_for(lambda: registry.running("sandbox"), seconds, proc)
    return registry


def test_a_submission_folder_that_disappears_mid_run_is_named_and_the_rest_graded(tmp_path):
    course = tmp_path / "course"
    put(course, "a_slow", "01_neuron", slow_solution())
    put(course, "b_gone", "01_neuron")
    put(course, "c", "01_neuron")
    proc = start(course, "--jobs", 1)
    when_a_sandbox_runs(course, proc)  # a_slow is being graded; b_gone and c wait their turn
    gone = course / "submitted" / "b_gone"
    gone.rename(tmp_path / "b_gone")  # moved away, as an LMS sync or a slip of the hand would
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1, stderr[-3000:]
    rows = read_grades(course)
    assert rows["a_slow", "01_neuron"]["score"] == rows["c", "01_neuron"]["score"] == "12"
    status = rows["b_gone", "01_neuron"]["status"]
    assert status.startswith(f"changed while graded: the folder {gone / '01_neuron'} disappeared while the "
                             f"class was graded; not graded"), status
    assert rows["b_gone", "01_neuron"]["score"] in ("", "0"), rows["b_gone", "01_neuron"]
    assert "b_gone" not in {e["student"] for e in ledger_lines(course)}
    assert not (course / "feedback" / "b_gone").exists()

    # run again with the folder still gone: nothing to grade for b_gone, nothing graded twice
    graded = ledger_lines(course)
    rerun = run_grade(course, "--jobs", 1)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert ledger_lines(course) == graded
    assert ("b_gone", "01_neuron") not in read_grades(course)
    # the folder back: graded
    (tmp_path / "b_gone").rename(gone)
    assert run_grade(course, "--jobs", 1).returncode == 0
    assert read_grades(course)["b_gone", "01_neuron"]["score"] == "12"
    assert ledger_lines(course)[:len(graded)] == graded


@pytest.fixture
def small_disk(tmp_path):
    """mount(folder, kilobytes): a size-limited tmpfs mounted on folder (root only), unmounted after."""
    mounted = []

    def mount(folder, kilobytes):
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a small file system here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder):
    """Fill the file system holding folder to the last byte."""
    with open(folder / "filler", "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 4096)


def test_a_full_disk_while_writing_feedback_costs_no_grade(tmp_path, small_disk):
    course = tmp_path / "course"
    for student in ("a", "b"):
        put(course, student, "01_neuron")
    small_disk(course / "feedback", 32)  # far less than a feedback page
    run = run_grade(course, "--jobs", 2)
    assert run.returncode == 1, run.stderr[-3000:]
    rows = read_grades(course)
    for student in ("a", "b"):
        status = rows[student, "01_neuron"]["status"]
        assert status.startswith("grader error:") and "No space left on device" in status, status
    assert ledger_lines(course) == []  # nothing recorded as graded: the next run grades both
    subprocess.run(["umount", "-l", str(course / "feedback")], check=True)
    rerun = run_grade(course, "--jobs", 2)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert {k: r["score"] for k, r in read_grades(course).items()} == {("a", "01_neuron"): "12",
                                                                        ("b", "01_neuron"): "12"}
    assert (course / "feedback" / "a" / "01_neuron" / "01_neuron_exercise.html").is_file()
    assert len(ledger_lines(course)) == 2


def test_a_full_disk_under_the_ledger_stops_the_run_cleanly_and_loses_nothing(tmp_path, small_disk):
    course = tmp_path / "course"
    for student in ("a", "b"):
        put(course, student, "01_neuron")
    disk = small_disk(tmp_path / "disk", 4)
    (disk / "ledger.jsonl").touch()
    fill(disk)
    (course / "grading").mkdir(parents=True)
    (course / "grading" / "ledger.jsonl").symlink_to(disk / "ledger.jsonl")  # the ledger on a full disk
    run = run_grade(course, "--jobs", 1)
    assert run.returncode == 2, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert (f"grade: could not write {course / 'grading' / 'ledger.jsonl'} (No space left on device); the "
            f"grades written so far are kept: run the command again to go on") in run.stderr
    assert rows_or_none(course) is not None  # the reports of what the gradebook holds
    (disk / "filler").unlink()
    rerun = run_grade(course, "--jobs", 1)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert {k: r["score"] for k, r in read_grades(course).items()} == {("a", "01_neuron"): "12",
                                                                        ("b", "01_neuron"): "12"}
    assert [e["student"] for e in ledger_lines(course)] == ["a", "b"]  # whole lines, one each


def rows_or_none(course):
    return read_grades(course) if (course / "grades.csv").exists() else None


def test_a_worker_killed_with_sigkill_costs_only_its_submission_and_leaves_nothing_running(tmp_path):
    # as the kernel's out-of-memory killer ends a process: SIGKILL, no warning
    course = tmp_path / "course"
    put(course, "a_slow", "01_neuron", slow_solution())
    for student in ("b", "c"):
        put(course, student, "01_neuron")
    proc = start(course, "--jobs", 1)
    registry = when_a_sandbox_runs(course, proc)  # a_slow is being graded
    [(worker, _, _)] = registry.running("grading worker")
    below = descendants(worker)  # the worker, its sandbox fork server, a_slow's sandbox
    assert len(below) >= 3, below
    os.kill(worker, signal.SIGKILL)
    assert_gone_within(below, 5, "its worker was killed")
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1, stderr[-3000:]
    rows = read_grades(course)
    assert rows["a_slow", "01_neuron"]["status"].startswith(
        "grader error: the worker process grading it died (killed by SIGKILL)"), rows["a_slow", "01_neuron"]
    assert rows["b", "01_neuron"]["score"] == rows["c", "01_neuron"]["score"] == "12"  # a new worker took them
    assert stdout.count(TABLE_HEAD) == 1
    graded = ledger_lines(course)
    assert {e["student"] for e in graded} == {"b", "c"}
    rerun = run_grade(course, "--jobs", 1)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert read_grades(course)["a_slow", "01_neuron"]["score"] == "12"
    assert ledger_lines(course)[:len(graded)] == graded and len(ledger_lines(course)) == 3


def test_sigkill_of_a_kernel_engine_run_leaves_no_kernel_running(tmp_path):
    course = tmp_path / "course"
    put(course, "a_loop", "01_neuron", looping_solution())
    proc = start(course, "--engine", "kernel", "--jobs", 1, "--timeout", 120)
    registry = lifetime.Registry(course / "grading" / "processes")
    seen = {}

    def kernel_running():
        seen.update(descendants(proc.pid))
        return registry.running("kernel")

    wait_for(kernel_running, 240, proc)
    [(kernel, started, _)] = registry.running("kernel")
    seen[kernel] = started  # in a session of its own, as jupyter_client starts kernels
    # the kernel reaches a_loop's endless last cell within seconds; killed there or before, the
    # same must hold
    time.sleep(3)
    seen.update(descendants(proc.pid))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert_gone_within(seen, 5, "the run was killed")


def test_a_ledger_cut_mid_line_costs_one_regrade_and_the_next_line_starts_whole(tmp_path):
    course = tmp_path / "course"
    for student in ("a", "b", "c"):
        put(course, student, "01_neuron")
    assert run_grade(course, "--jobs", 1).returncode == 0
    path = course / "grading" / "ledger.jsonl"
    text = path.read_text()
    whole, last = text.splitlines(keepends=True)[:-1], text.splitlines(keepends=True)[-1]
    path.write_text("".join(whole) + last[:len(last) // 2])  # a crash while the last line was appended
    cut_student = json.loads(last)["student"]
    rerun = run_grade(course, "--jobs", 1)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "2 already graded (ledger), 1 to grade" in rerun.stderr
    lines = path.read_text().splitlines()
    assert lines[:len(whole)] == [line.rstrip("\n") for line in whole]
    assert lines[len(whole)] == last[:len(last) // 2].rstrip("\n")  # the cut line, left as it was
    assert json.loads(lines[-1])["student"] == cut_student  # graded again, on a line of its own
    assert len(lines) == len(whole) + 2
    assert {k: r["score"] for k, r in read_grades(course).items()} == {(s, "01_neuron"): "12" for s in "abc"}
    again = run_grade(course, "--jobs", 1)
    assert "3 already graded (ledger), 0 to grade" in again.stderr


JUMPING_CLOCK = """
import datetime, os, sys, time

# the wall clock as Python reads it in this process and the workers it forks, moved by the
# offset (seconds) written in the file $JUMP; the monotonic clock is the machine's
real_time, real_time_ns, real_localtime, real_gmtime, real_strftime = (
    time.time, time.time_ns, time.localtime, time.gmtime, time.strftime)
seen = {"mtime": None, "offset": 0.0}


def offset():
    try:
        mtime = os.stat(os.environ["JUMP"]).st_mtime_ns
        if mtime != seen["mtime"]:
            seen["mtime"], seen["offset"] = mtime, float(open(os.environ["JUMP"]).read() or 0)
    except (OSError, ValueError):
        pass
    return seen["offset"]


time.time = lambda: real_time() + offset()
time.time_ns = lambda: real_time_ns() + int(offset() * 1e9)
time.localtime = lambda secs=None: real_localtime(time.time() if secs is None else secs)
time.gmtime = lambda secs=None: real_gmtime(time.time() if secs is None else secs)
time.strftime = lambda fmt, t=None: real_strftime(fmt, time.localtime() if t is None else t)


class JumpingDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(time.time(), tz)

    @classmethod
    def utcnow(cls):
        return cls.utcfromtimestamp(time.time())

    @classmethod
    def today(cls):
        return cls.fromtimestamp(time.time())


datetime.datetime = JumpingDatetime
from autograder.__main__ import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
"""


def test_a_clock_that_jumps_mid_run_changes_no_grade(tmp_path):
    # the wall clock jumps three days ahead while a cell runs, then two hours behind the real
    # time (NTP correcting a wrong clock, a virtual machine resumed): no cell is stopped, every
    # grade is what a steady clock gives, and the ledger keeps its order
    course = tmp_path / "course"
    put(course, "a_slow", "01_neuron", slow_solution())
    for student in ("b", "c"):
        put(course, student, "01_neuron")
    jump = tmp_path / "jump"
    jump.write_text("0")
    cmd = [sys.executable, "-c", JUMPING_CLOCK, "grade", str(course), "--jobs", "1", "--timeout", "5"]
    proc = subprocess.Popen(cmd, cwd=notebooks.ROOT, env=dict(notebooks.nbgrader_env(), JUMP=str(jump)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    when_a_sandbox_runs(course, proc)  # a_slow's first cell sleeps 3 s
    jump.write_text(str(3 * 86400))
    wait_for(lambda: ledger_lines(course), 240, proc)
    jump.write_text(str(-2 * 3600))
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    assert "again alone" not in stderr
    rows = read_grades(course)
    assert {k: (r["score"], r["status"]) for k, r in rows.items()} == {
        (s, "01_neuron"): ("12", "ok") for s in ("a_slow", "b", "c")}
    lines = ledger_lines(course)
    assert [e["student"] for e in lines] == ["a_slow", "b", "c"]
    # the jumps were seen: the labels say so, and order nothing
    stamps = [time.mktime(time.strptime(e["graded_at"], "%Y-%m-%dT%H:%M:%S")) for e in lines]
    assert stamps[0] - time.time() > 2 * 86400, lines[0]
    assert stamps[-1] < stamps[0] and stamps[-1] - time.time() < -3000, lines
    rerun = run_grade(course, "--jobs", 1)
    assert "3 already graded (ledger), 0 to grade" in rerun.stderr


def test_a_full_disk_under_the_reports_stops_with_a_message_and_the_rerun_writes_them(tmp_path, small_disk):
    course = tmp_path / "course"
    for student in ("a", "b"):
        put(course, student, "01_neuron")
    fill(small_disk(course / "summary", 64))
    run = run_grade(course, "--jobs", 2)
    assert run.returncode == 2, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert "(No space left on device); the reports were not all written: run the command again to go on" in \
        run.stderr
    assert [e["student"] for e in sorted(ledger_lines(course), key=lambda e: e["student"])] == ["a", "b"]
    (course / "summary" / "filler").unlink()
    rerun = run_grade(course, "--jobs", 2)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "2 already graded (ledger), 0 to grade" in rerun.stderr
    assert (course / "summary" / "a.md").is_file()
    assert {k: r["score"] for k, r in read_grades(course).items()} == {("a", "01_neuron"): "12",
                                                                        ("b", "01_neuron"): "12"}
