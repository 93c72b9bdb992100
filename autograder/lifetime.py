"""Processes a grading run starts, and making sure none outlives it.

Two layers. Each process the grade command starts (its workers, their sandbox fork servers,
the sandboxes, a kernel engine's kernels) asks the kernel to kill it when its parent ends
(`die_with_parent`, Linux's parent-death signal), so a run killed with SIGKILL takes its
whole tree with it; a kernel started by jupyter_client watches its parent itself (ipykernel's
parent poller). And each is written into the run's `Registry`, a folder in the course folder
(`grading/processes/`: one file per process, its pid and its start time as /proc gives it): the
next run of the same folder ends whatever an earlier one left running, and a pid that now
belongs to another process (a different start time) is never touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import time
from pathlib import Path

REGISTRY_VAR = "AUTOGRADER_RUN_PROCESSES"  # the run's registry folder, for the processes it starts
PR_SET_PDEATHSIG = 1

try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved now: a sandbox may not use ctypes later
except (OSError, AttributeError):  # not Linux
    _prctl = None


def die_with_parent(parent_pid):
    """Have this process killed (SIGKILL) when its parent ends; end it now if the parent ended
    already (before this call: between the fork and here)."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def start_time(pid):
    """The process's start time (clock ticks after boot, /proc/PID/stat's 22nd field); None if
    there is no such process or it has ended (a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces and brackets
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


class Registry:
    """The processes of a run of one course folder: a folder with a file per process."""

    def __init__(self, folder):
        self.folder = Path(folder)

    @classmethod
    def of_this_run(cls):
        """The registry the grade command that started this process set up (None without one:
        a sandbox or worker used on its own, as in the unit tests)."""
        folder = os.environ.get(REGISTRY_VAR)
        return cls(folder) if folder else None

    def add(self, pid, what):
        started = start_time(pid)
        if started is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{pid}.tmp"
        tmp.write_text(json.dumps({"start": started, "what": what}))
        os.replace(tmp, self.folder / str(pid))

    def remove(self, pid):
        (self.folder / str(pid)).unlink(missing_ok=True)

    def entries(self):
        """[(pid, start time, what)] of every file, readable or not yet complete."""
        found = []
        for path in self.folder.glob("[0-9]*"):
            try:
                data = json.loads(path.read_text())
                found.append((int(path.name), int(data["start"]), str(data["what"])))
            except (OSError, ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)
        return found

    def running(self, what=None):
        """The entries whose process still runs (same pid, same start time)."""
        return [e for e in self.entries() if start_time(e[0]) == e[1] and what in (None, e[2])]

    def end_all(self, keep=(), wait=5.0):
        """SIGKILL every registered process still running but those in keep (pids), wait up to
        `wait` seconds for them to be gone, forget them. Returns [what] of the ones ended."""
        ended = []
        for pid, started, what in self.entries():
            if pid in keep:
                continue
            if start_time(pid) == started:
                with contextlib.suppress(OSError):
                    if os.getpgid(pid) == pid:  # its own group (a sandbox): whatever it started too
                        os.killpg(pid, signal.SIGKILL)
                    os.kill(pid, signal.SIGKILL)
                ended.append((pid, started, what))
            self.remove(pid)
        deadline = time.monotonic() + wait
        while any(start_time(pid) == started for pid, started, _ in ended) and time.monotonic() < deadline:
            time.sleep(0.05)
        return [what for _, _, what in ended]


def register(pid, what):
    """Put a process this one started into the run's registry (if there is one)."""
    registry = Registry.of_this_run()
    if registry is not None:
        with contextlib.suppress(OSError):
            registry.add(pid, what)


def unregister(pid):
    registry = Registry.of_this_run()
    if registry is not None:
        with contextlib.suppress(OSError):
            registry.remove(pid)
