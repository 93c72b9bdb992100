"""The judge's side of a sandbox process: starting it, talking to it, stopping it.

A sandbox (`autograder.sandbox`) is forked, already warm, by a fork server (a Python process
with numpy, matplotlib and IPython imported that never runs learner code), or started afresh
when there is no fork server. The judge talks to both in the one frame format of
`autograder.wire`: control messages with an "op".
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from autograder import lifetime, wire
from autograder.grading.outcomes import CRASHED, TIMEOUT


class SandboxStopped(BaseException):
    """The sandbox ran out of time, died, or broke the protocol.

    A BaseException so the engine's `except Exception` (learner code that
    raised) does not swallow it: the judge turns it into the cell's verdict.
    kind: TIMEOUT or CRASHED (`autograder.grading.outcomes`); why: the short reason (how
    the process ended, what was wrong with its answer), for a status.
    """

    def __init__(self, message, kind=CRASHED, why=None):
        super().__init__(message)
        self.kind = kind
        self.why = why or message


def _sandbox_env(home):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JPY_", "JUPYTER_")) and k != lifetime.REGISTRY_VAR}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg", PYTHONHASHSEED="0",
               HOME=env.get("HOME", home))
    return env


class ForkServer:
    """A warm Python process (numpy, matplotlib, ... imported) that forks sandboxes.

    Starting a sandbox from scratch costs about half a second of imports; forking
    one from here costs milliseconds. The server itself never runs learner code.
    Requests (`sandbox.serve_forks`): "fork" with the new sandbox's two pipe ends attached
    -> "forked" with its pid; "reap" -> "reaped" with its wait status (-1 if unknown).
    """

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="forkserver-")
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox", "--fork-server", str(theirs.fileno()),
             str(os.getpid())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, cwd=self.tmp.name, env=_sandbox_env(self.tmp.name),
            start_new_session=True)
        theirs.close()
        lifetime.register(self.proc.pid, "sandbox fork server")

    def _ask(self, op, fds=(), **fields):
        socket.send_fds(self.sock, [wire.frame(wire.message(op, **fields))], list(fds))
        try:
            return wire.read_message(self.sock.fileno())
        except (EOFError, wire.WireError):
            raise OSError("the fork server stopped") from None

    def fork(self, read_fd, write_fd, memory_mb, workdir):
        pid = self._ask("fork", (read_fd, write_fd), memory_mb=memory_mb, workdir=str(workdir)).get("pid")
        if type(pid) is not int or pid <= 0:
            raise OSError("the fork server could not start a sandbox")
        return pid

    def reap(self, pid):
        """The wait status of a finished sandbox (-1 if unknown)."""
        status = self._ask("reap", pid=pid).get("status")
        return status if type(status) is int else -1

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        lifetime.unregister(self.proc.pid)
        self.tmp.cleanup()


class SandboxProcess:
    """One sandbox: a Python process (forked by a ForkServer, or started afresh) and its pipes."""

    def __init__(self, memory_mb=2048, server=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="sandbox-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        self.server, self.proc, self.status = server, None, None
        try:
            if server is not None:
                self.pid = server.fork(to_child_r, from_child_w, memory_mb, self.tmp.name)
            else:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "autograder.sandbox", str(to_child_r),
                     str(from_child_w), str(memory_mb), str(os.getpid())],
                    pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.tmp.name,
                    env=_sandbox_env(self.tmp.name), start_new_session=True)
                self.pid = self.proc.pid
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        lifetime.register(self.pid, "sandbox")
        self.ready = False
        self.dead = False

    @property
    def workdir(self):
        return self.tmp.name

    def alive(self):
        if self.dead:
            return False
        return self.proc is None or self.proc.poll() is None

    def _wait_status(self):
        """The finished sandbox's exit status, as subprocess reports it (None if unknown)."""
        if self.status is None:
            if self.proc is not None:
                try:
                    self.status = self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    return None
            else:
                try:
                    raw = self.server.reap(self.pid)
                except OSError:
                    return None
                self.status = os.waitstatus_to_exitcode(raw) if raw >= 0 else None
        return self.status

    def exit_description(self):
        self.dead = True
        code = self._wait_status()
        if code is None:
            return "it was stopped"
        if code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def send(self, payload):
        try:
            wire.write_frame(self.to_child, payload)
        except (BrokenPipeError, OSError):
            raise self._died() from None

    def receive(self, deadline):
        """The next message (a dict); raises TimeoutError, EOFError or wire.WireError. deadline: a
        time.monotonic() value or a `cell_time.CellClock` (see `wire.read_exact`)."""
        return wire.read_message(self.from_child, deadline)

    def stop_and_describe(self):
        """Kill it if it still runs (it may only have closed its pipes), then say how it ended."""
        self._signal(signal.SIGKILL)
        return self.exit_description()

    def _died(self):
        why = self.stop_and_describe()
        return SandboxStopped(f"the Python process running your code stopped ({why})", CRASHED, why)

    def wait_ready(self, timeout=60):
        if not self.ready:
            self.expect("ready", time.monotonic() + timeout)
            self.ready = True

    def expect(self, op, deadline):
        try:
            message = self.receive(deadline)
        except TimeoutError:
            self.kill()
            raise SandboxStopped("the Python process running your code did not answer in time",
                                 TIMEOUT) from None
        except EOFError:
            raise self._died() from None
        except wire.WireError as exc:
            self.kill()
            raise SandboxStopped(f"the Python process running your code sent a bad answer ({exc})",
                                 CRASHED, str(exc)) from None
        if message["op"] != op:
            self.kill()
            raise SandboxStopped(f"the Python process running your code answered {message['op']!r} "
                                 f"where {op!r} was expected")
        return message

    def _signal(self, sig):
        if self.status is not None:
            return
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(self.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def kill(self):
        self._signal(signal.SIGKILL)
        self.exit_description()
        self.close()

    def close(self):
        self.dead = True
        lifetime.unregister(self.pid)
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self.to_child = self.from_child = -1
        self.tmp.cleanup()


_servers = {}


def take_sandbox(memory_mb):
    """A started sandbox, forked from this process's fork server (started on first use)."""
    server = _servers.get("server")
    if server is None or not server.alive():
        try:
            server = _servers["server"] = ForkServer()
        except OSError:
            server = None
    if server is not None:
        try:
            return SandboxProcess(memory_mb, server)
        except OSError:
            _servers.pop("server", None)
    return SandboxProcess(memory_mb)


@atexit.register
def stop_fork_servers():
    """Stop this process's fork server. Runs at exit; a process that ends without running
    atexit hooks (a forked multiprocessing worker) must call it itself."""
    for server in _servers.values():
        server.close()
    _servers.clear()
