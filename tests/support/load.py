"""A machine saturated on purpose, for the tests that grade under load."""

import contextlib
import os
import subprocess
import sys

import pytest

HOG = "import os\nos.sched_setaffinity(0, {0})\nwhile True:\n    pass\n"


@contextlib.contextmanager
def busy_processor(hogs=6):
    """Processor 0 shared with `hogs` processes that never stop computing, each in its own
    session (so the scheduler's grouping by session shelters no one); a process the test pins to
    processor 0 (`os.sched_setaffinity`) gets a small share of it. Skips where there is no
    processor affinity (not Linux)."""
    if not hasattr(os, "sched_setaffinity") or not sys.platform.startswith("linux"):
        pytest.skip("needs Linux's processor affinity")
    procs = [subprocess.Popen([sys.executable, "-c", HOG], start_new_session=True) for _ in range(hogs)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
