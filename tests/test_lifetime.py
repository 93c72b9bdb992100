"""autograder.lifetime: a process that ends with its parent, and the registry a rerun uses to end
what an earlier run left running (never a pid that now belongs to another process)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from autograder import lifetime
from autograder.grading.outcomes import plural


def sleeper():
    return subprocess.Popen(["sleep", "300"], start_new_session=True)


def gone_within(pid, started, seconds):
    deadline = time.monotonic() + seconds
    while lifetime.start_time(pid) == started:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_start_time_of_a_running_and_of_an_ended_process():
    proc = sleeper()
    try:
        assert lifetime.start_time(proc.pid) is not None
    finally:
        proc.kill()
    proc.wait()
    assert lifetime.start_time(proc.pid) is None


def test_a_child_that_asked_to_die_with_its_parent_dies_when_the_parent_is_killed(tmp_path):
    # the parent starts a child that calls die_with_parent, prints its pid, and sleeps
    child = textwrap.dedent("""
        import os, sys, time
        from autograder import lifetime
        lifetime.die_with_parent(int(sys.argv[1]))
        print(os.getpid(), flush=True)
        time.sleep(300)
    """)
    parent = textwrap.dedent(f"""
        import os, subprocess, sys, time
        proc = subprocess.Popen([sys.executable, "-c", {child!r}, str(os.getpid())], stdout=sys.stdout,
                                start_new_session=True)
        time.sleep(300)
    """)
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child_pid = int(proc.stdout.readline())
    started = lifetime.start_time(child_pid)
    assert started is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert gone_within(child_pid, started, 5), "the child outlived its parent"


def test_end_all_ends_registered_processes_and_spares_a_recycled_pid(tmp_path):
    registry = lifetime.Registry(tmp_path / "processes")
    left, other = sleeper(), sleeper()
    try:
        registry.add(left.pid, "sandbox")
        # `other` stands for a process that got a pid an earlier run recorded: another start time
        (registry.folder / str(other.pid)).write_text(
            '{"start": %d, "what": "sandbox"}' % (lifetime.start_time(other.pid) - 1))
        (registry.folder / "12345678").write_text("{not json")  # a file cut short
        assert [e[0] for e in registry.running()] == [left.pid]
        assert registry.end_all() == ["sandbox"]
        assert left.wait(5) == -signal.SIGKILL
        assert other.poll() is None, "a process whose pid was recycled was killed"
        assert registry.entries() == []
    finally:
        for proc in (left, other):
            proc.kill()
            proc.wait()


def test_end_all_keeps_the_pids_it_is_told_to(tmp_path):
    registry = lifetime.Registry(tmp_path / "processes")
    proc = sleeper()
    try:
        registry.add(proc.pid, "grade command")
        assert registry.end_all(keep={proc.pid}) == []
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()


def test_register_without_a_run_does_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv(lifetime.REGISTRY_VAR, raising=False)
    lifetime.register(os.getpid(), "worker")  # no registry: no error, no file
    monkeypatch.setenv(lifetime.REGISTRY_VAR, str(tmp_path / "p"))
    lifetime.register(os.getpid(), "worker")
    assert lifetime.Registry(tmp_path / "p").running() == [(os.getpid(), lifetime.start_time(os.getpid()),
                                                            "worker")]
    lifetime.unregister(os.getpid())
    assert lifetime.Registry(tmp_path / "p").entries() == []


def test_the_words_of_the_ended_processes():
    assert plural(2, "sandbox") == "2 sandboxes"
    assert plural(1, "sandbox fork server") == "1 sandbox fork server"
    assert plural(3, "point") == "3 points"


def test_a_signal_during_a_recorded_result_takes_effect_just_after_it():
    """The grade command writes a result's gradebook row, ledger line and outcome together: a
    Ctrl-C in the middle is held until the three are written, then raises as usual."""
    from autograder.grading.batch import _signals_deferred
    written = []
    with pytest.raises(KeyboardInterrupt):
        with _signals_deferred():
            written.append("gradebook")
            os.kill(os.getpid(), signal.SIGINT)
            written.append("ledger")
            written.append("outcome")
    assert written == ["gradebook", "ledger", "outcome"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
