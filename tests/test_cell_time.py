"""A cell's time limit in its own time (`autograder.cell_time`): the wait for a processor on a
busy machine does not count, an endless loop or a long sleep is still stopped.

The clock's arithmetic is checked with a fake clock and a fake run queue; the judge and the
kernel engine with their sandbox or kernel sharing one processor with busy processes, asserting
on what the cell gets (its output, or a stop), never on how long anything took."""

import os
import sys

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder import wire
from autograder.cell_time import CellClock, run_delay
from autograder.grading.engines import RestartingExecute
from autograder.grading.outcomes import TIMEOUT
from autograder.judge import JudgeSession, protected_paths
from support.load import busy_processor


class Fake:
    """A wall clock and a run-queue wait set by the test (None: the kernel does not say)."""

    def __init__(self, delay=0.0):
        self.now, self.delay = 100.0, delay

    def clock(self, limit, wall_factor=10):
        return CellClock(1234, limit, wall_factor, _now=lambda: self.now, _delay=lambda pid: self.delay)


def test_own_time_is_wall_time_less_the_wait_for_a_processor():
    fake = Fake(delay=7.0)
    clock = fake.clock(10)
    fake.now += 25  # 25 s on the wall, 18 of them waiting for a processor
    fake.delay += 18
    assert clock.own() == pytest.approx(7)
    assert clock.left() == pytest.approx(3)
    fake.now += 3  # 3 s more, all of them running
    assert clock.left() == pytest.approx(0)


def test_without_the_kernels_figures_own_time_is_wall_time():
    fake = Fake(delay=None)
    clock = fake.clock(10)
    fake.now += 4
    assert clock.own() == pytest.approx(4) and clock.left() == pytest.approx(6)


def test_an_ended_process_keeps_the_wait_last_seen():
    fake = Fake(delay=1.0)
    clock = fake.clock(10)
    fake.now, fake.delay = fake.now + 8, 6.0
    assert clock.own() == pytest.approx(3)
    fake.delay = None  # the process has gone: /proc no longer says
    assert clock.own() == pytest.approx(3)


def test_no_load_holds_a_cell_past_the_wall_limit():
    fake = Fake()
    clock = fake.clock(10, wall_factor=4)
    fake.now += 39.5
    fake.delay += 39  # all but half a second waiting
    assert clock.left() == pytest.approx(0.5)  # the wall limit, not the 9.5 s of own time left
    fake.now += 0.5
    fake.delay += 0.5
    assert clock.left() <= 0


def test_a_pipe_read_waits_as_long_as_the_clock_says():
    class Deadline:
        asked = 0

        def left(self):
            self.asked += 1
            return 0.01 if self.asked < 4 else 0  # three short waits, then the limit is reached

    read_fd, write_fd = os.pipe()
    try:
        deadline = Deadline()
        with pytest.raises(TimeoutError):
            wire.read_exact(read_fd, 8, deadline=deadline)
        assert deadline.asked == 4
        os.write(write_fd, b"12345678")
        assert wire.read_exact(read_fd, 8, deadline=Deadline()) == b"12345678"
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_the_kernel_reports_a_processs_wait_on_linux():
    if not sys.platform.startswith("linux"):
        pytest.skip("/proc/PID/schedstat is Linux's")
    assert run_delay(os.getpid()) >= 0
    assert run_delay(2 ** 22 + 1) is None  # above Linux's largest pid: no such process


SPIN = "import time\nstart = time.process_time()\nwhile time.process_time() - start < {cpu}:\n    pass\nprint('done')\n"


@pytest.fixture
def one_busy_processor():
    with busy_processor():
        yield


@pytest.mark.slow
def test_a_cell_starved_of_the_processor_finishes_and_an_endless_loop_is_still_stopped(one_busy_processor):
    # a cell needing 1.5 s of processor time, limit 3 s: sharing one processor with six busy
    # processes it takes several times that on the wall, and still finishes
    session = JudgeSession("01_neuron", timeout=3, protected=protected_paths())
    try:
        session.run_cell(0, "x = 1", False)  # the sandbox is up
        os.sched_setaffinity(session.sandbox.pid, {0})
        outputs = session.run_cell(1, SPIN.format(cpu=1.5), False)
        assert outputs == [{"output_type": "stream", "name": "stdout", "text": "done\n"}], outputs
        assert session.outcomes == []
        outputs = session.run_cell(2, "while True:\n    pass\n", False)
        assert [o["ename"] for o in outputs] == ["CellStopped"]
        assert "did not finish within 3 s" in outputs[0]["evalue"]
        assert [(o.kind, o.detail, o.cell) for o in session.outcomes] == [(TIMEOUT, "ran past 3 s", 2)]
        outputs = session.run_cell(3, "import time\ntime.sleep(30)\n", False)  # a sleep counts in full
        assert [o["ename"] for o in outputs] == ["CellStopped"]
        assert session.outcomes[-1].cell == 3
    finally:
        session.close()


@pytest.mark.slow
def test_the_kernel_engine_counts_the_kernels_own_time_as_well(one_busy_processor, tmp_path):
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell(SPIN.format(cpu=1.5)),
                             new_code_cell("while True:\n    pass\n"), new_code_cell("print(x)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {0})  # the kernel it starts shares processor 0 with the busy ones
    try:
        nb, resources = RestartingExecute(timeout=3).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    finally:
        os.sched_setaffinity(0, before)
    assert nb.cells[1].outputs == [{"output_type": "stream", "name": "stdout", "text": "done\n"}]
    # the endless loop is stopped as stock nbgrader stops one: interrupted, CellTimeoutError
    assert [o["ename"] for o in nb.cells[2].outputs] == ["KeyboardInterrupt", "CellTimeoutError"]
    assert nb.cells[3].outputs == [{"output_type": "stream", "name": "stdout", "text": "1\n"}]
    assert [(o.kind, o.cell) for o in resources["autograder"]["outcomes"]] == [(TIMEOUT, 2)]
