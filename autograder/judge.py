"""Judging a submission outside the learner's process.

Stock nbgrader runs the learner's code and the hidden tests in one kernel, so
learner code can replace numpy's comparison functions, the checker module, or
the kernel's traceback display, and pass. Here the learner's code runs in a
sandbox process (`autograder.sandbox`), and the hidden tests run in this
process, which never executes a line of learner code:

- `JudgeCells`, an nbgrader preprocessor, takes the place of nbgrader's
  `Execute` in `nbgrader autograde`. It walks the notebook: ordinary cells are
  run in the sandbox (their printed output and errors become the cell's
  outputs); each grade cell is judged here, and its outputs become the verdict
  (a PASS line, or an error whose message names the mistake), which nbgrader's
  `SaveAutoGrades` then scores as usual. The grade cell's source is never run,
  so editing it, deleting its hidden part or hiding tracebacks changes nothing.
- The hidden checks are the same specs and engine the visible checks use
  (`autograder.specs`, `course.checking`), run with `LearnerFunction`
  proxies: calling one sends the inputs to the sandbox, where the learner's
  function runs, and brings back plain data (`autograder.wire`) that this
  process compares with the reference using its own numpy.
- Functions the spec passes in (an activation, a loss to differentiate) stay
  here: the sandbox receives a stand-in that calls back, so a loss that watches
  for un-restored knobs watches from this side.
- A cell that runs too long or kills its process is stopped, reported in the
  submission's status, and left out when the sandbox is restarted to judge
  the rest.

Statuses for the grading report are left in resources["autograder"]["status"].
"""

from __future__ import annotations

import atexit
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbformat.v4 import new_output
from traitlets import Integer

from autograder import confine, wire
from course.checking import (Callee, CheckFailed, hidden_cases, names_called_in_source,
                                 run_checks)
from autograder.specs import all_specs, graded_function

ROOT = Path(__file__).resolve().parent.parent
GIVEN_MODULE = "course.given"  # earlier exercises' functions, given to learners in later ones
GIVEN_FILE = ROOT / "course" / "given.py"


def given_names():
    """The names course/given.py hands learners (its `__all__`), read without importing it."""
    import ast

    tree = ast.parse(GIVEN_FILE.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def given_files():
    """course/given.py and its compiled copies (an import reads those), as paths to refuse."""
    import importlib.util

    paths = {str(GIVEN_FILE), importlib.util.cache_from_source(str(GIVEN_FILE))}
    paths |= {str(p) for p in (GIVEN_FILE.parent / "__pycache__").glob("given.*")}
    return sorted(os.path.realpath(p) for p in paths)
HIDDEN_CALL = re.compile(
    r"""HiddenTests\(\s*["'](?P<assignment>[\w.-]+)["']\s*\)\s*\.check\(\s*["'](?P<name>\w+)["']\s*,"""
    r"""\s*(?P<expr>[A-Za-z_]\w*)\s*\)""")
MAX_RESTARTS = 4


class SandboxStopped(BaseException):
    """The sandbox ran out of time, died, or broke the protocol.

    A BaseException so the engine's `except Exception` (learner code that
    raised) does not swallow it: the judge turns it into the cell's verdict.
    """


# ------------------------------------------------------------------ process

def _sandbox_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_"))}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg", PYTHONHASHSEED="0",
               HOME=env.get("HOME", home))
    return env


class ForkServer:
    """A warm Python process (numpy, matplotlib, ... imported) that forks sandboxes.

    Starting a sandbox from scratch costs about half a second of imports; forking
    one from here costs milliseconds. The server itself never runs learner code.
    """

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="forkserver-")
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox", "--fork-server", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, cwd=self.tmp.name, env=_sandbox_env(self.tmp.name),
            start_new_session=True)
        theirs.close()

    def _ask(self, data, fds=()):
        socket.send_fds(self.sock, [data], list(fds))
        reply = b""
        while len(reply) < 8:
            chunk = self.sock.recv(8 - len(reply))
            if not chunk:
                raise OSError("the fork server stopped")
            reply += chunk
        return struct.unpack(">q", reply)[0]

    def fork(self, read_fd, write_fd, memory_mb, workdir):
        pid = self._ask(b"fork" + struct.pack(">q", memory_mb) + os.fsencode(workdir),
                        (read_fd, write_fd))
        if pid <= 0:
            raise OSError("the fork server could not start a sandbox")
        return pid

    def reap(self, pid):
        """The wait status of a finished sandbox (-1 if unknown)."""
        return self._ask(b"reap" + struct.pack(">q", pid))

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
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
                     str(from_child_w), str(memory_mb)],
                    pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.tmp.name,
                    env=_sandbox_env(self.tmp.name), start_new_session=True)
                self.pid = self.proc.pid
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
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
            raise SandboxStopped(self._died()) from None

    def _read_exact(self, n, deadline):
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.from_child], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.from_child, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def receive(self, deadline):
        """The next message (a dict); raises TimeoutError, EOFError or wire.WireError."""
        (n,) = struct.unpack(">Q", self._read_exact(8, deadline))
        if n > wire.MAX_FRAME:
            raise wire.WireError(f"a {n}-byte answer is over the {wire.MAX_FRAME}-byte limit")
        message = wire.decode(self._read_exact(n, deadline))
        if type(message) is not dict or type(message.get("op")) is not str:
            raise wire.WireError("a message without an op")
        return message

    def stop_and_describe(self):
        """Kill it if it still runs (it may only have closed its pipes), then say how it ended."""
        self._signal(signal.SIGKILL)
        return self.exit_description()

    def _died(self):
        return f"the Python process running your code stopped ({self.stop_and_describe()})"

    def wait_ready(self, timeout=60):
        if not self.ready:
            self.expect("ready", time.monotonic() + timeout)
            self.ready = True

    def expect(self, op, deadline):
        try:
            message = self.receive(deadline)
        except TimeoutError:
            self.kill()
            raise SandboxStopped("the Python process running your code did not answer in time") from None
        except EOFError:
            raise SandboxStopped(self._died()) from None
        except wire.WireError as exc:
            self.kill()
            raise SandboxStopped(f"the Python process running your code sent a bad answer ({exc})") from None
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


# ------------------------------------------------------------------ calls

def _learner_exception(ename, evalue):
    """An exception whose type is named like the one the learner's code raised."""
    if ename == "NotImplementedError":
        return NotImplementedError(evalue)
    return wire._named(Exception, ename)(evalue)


def _sync(target, after):
    """Make the judge's copy of an argument what the learner's function left it as.

    Returns False when that cannot be done in place (the engine then cannot
    see the change, so the caller reports it itself).
    """
    import numpy as np

    if isinstance(target, np.ndarray):
        if type(after) is np.ndarray and after.shape == target.shape and after.dtype == target.dtype:
            if not np.array_equal(after, target, equal_nan=True):
                target[...] = after
            return True
        return False
    if isinstance(target, dict):
        if type(after) is not dict:
            return False
        ok = True
        for key in list(target):
            if key not in after:
                del target[key]
            elif not _sync(target[key], after[key]):
                target[key] = after[key]
        for key in after:
            if key not in target:
                target[key] = after[key]
        return ok
    if isinstance(target, list):
        if type(after) is not list:
            return False
        if len(after) != len(target):
            target[:] = after
            return True
        for i, (t, a) in enumerate(zip(target, after)):
            if not _sync(t, a):
                target[i] = a
        return True
    if isinstance(target, tuple):
        return type(after) is tuple and len(after) == len(target) and all(
            _sync(t, a) for t, a in zip(target, after))
    return True


class LearnerFunction:
    """Stands for a function defined in the sandbox; calling it runs it there."""

    def __init__(self, session, name, expr):
        self.session, self.name, self.expr = session, name, expr
        self.__name__ = expr

    def __call__(self, *args):
        return self.session.call(self.name, self.expr, args)

    def __repr__(self):
        return f"<learner's function {self.expr}>"


# ------------------------------------------------------------------ session

class JudgeSession:
    """Runs one notebook's cells in a sandbox and judges its grade cells."""

    def __init__(self, assignment, timeout=30, memory_mb=2048, protected=()):
        self.assignment = assignment
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.protected = list(protected)
        self.status = []
        self.sandbox = None
        self.executed = []  # (cell index, source, trusted) of cells that finished
        self.armed_before = None  # position in self.executed where the sandbox was armed
        self.restarts = 0

    # -- sandbox life
    def _references(self):
        """[module, name, the learner's name] of each function `course.given` hands learners that
        this assignment grades (exercise 1's activations: given from exercise 2 on, the answer in
        exercise 1), which the sandbox replaces with stand-ins calling the learner's own."""
        specs = all_specs().get(self.assignment, {})
        return [[GIVEN_MODULE, name, name] for name in specs if name in given_names()]

    def _protected(self):
        """The protected paths, and course/given.py (source and compiled) where it holds answers."""
        if not any(name in given_names() for name in all_specs().get(self.assignment, {})):
            return self.protected
        return self.protected + given_files()

    def _start(self):
        if self.restarts > MAX_RESTARTS:
            raise SandboxStopped(f"not run: your notebook's code stopped the grader "
                                 f"{self.restarts} times")
        self.sandbox = take_sandbox(self.memory_mb)
        self.sandbox.wait_ready()
        for position, (index, source, _trusted) in enumerate(self.executed):
            if position == self.armed_before:
                self._arm()
            self._request_run(index, source)
        if self.armed_before == len(self.executed):
            self._arm()

    def _ensure(self):
        if self.sandbox is None or not self.sandbox.alive():
            if self.sandbox is not None:
                self.sandbox.close()
                self.restarts += 1
            self._start()

    def _arm(self):
        readable, list_only = confine.readable_paths(self.sandbox.workdir)
        self.sandbox.send(wire.message("arm", protected=self._protected(),
                                       writable=[self.sandbox.workdir], readable=readable,
                                       list_only=list_only, references=self._references()))
        reply = self.sandbox.expect("armed", time.monotonic() + self.timeout)
        layer = str(reply.get("confinement", ""))
        note = ("grader note: Landlock could not be applied to the sandbox; "
                "the audit hook alone kept the allow-list")
        if confine.landlock_abi() and not layer.startswith("Landlock") and note not in self.status:
            self.status.append(note)

    def _request_run(self, index, source):
        self.sandbox.send(wire.message("run", source=source, cell=index))
        return self.sandbox.expect("ran", time.monotonic() + self.timeout)

    def close(self):
        if self.sandbox is not None:
            self.sandbox.kill()
            self.sandbox = None

    # -- cells
    def run_cell(self, index, source, trusted):
        """Run one non-grade cell; return its nbformat outputs."""
        try:
            self._ensure()
            if not trusted and self.armed_before is None:
                self._arm()
                self.armed_before = len(self.executed)
            reply = self._request_run(index, source)
        except SandboxStopped as stop:
            timed_out = "did not answer in time" in str(stop)
            why = (f"This cell did not finish within {self.timeout} s and was stopped."
                   if timed_out else f"Running this cell stopped the grader: {stop}.")
            self.status.append(f"cell {index} ran past {self.timeout} s" if timed_out
                               else f"cell {index} crashed the sandbox ({str(stop).split('(')[-1].rstrip(')')})")
            if self.sandbox is not None:
                self.sandbox.kill()
            return [error_output("CellStopped", why + " The grader left it out and went on with "
                                 "the rest of your notebook.")]
        self.executed.append((index, source, trusted))
        outputs = learner_outputs(reply.get("outputs"))
        error = reply.get("error")
        if isinstance(error, dict):
            outputs.append(new_output("error", ename=str(error.get("ename", "Error")),
                                      evalue=str(error.get("evalue", "")),
                                      traceback=[str(t) for t in error.get("traceback", [])]))
        return outputs

    def call(self, name, expr, args):
        """Call the learner's `expr` in the sandbox with args (on behalf of the engine)."""
        self._ensure()
        callbacks = {}
        payload = wire.encode({"op": "call", "name": expr, "args": tuple(args)}, callbacks)
        self.sandbox.send(payload)
        deadline = time.monotonic() + self.timeout
        verdict = None
        while True:
            try:
                message = self.sandbox.receive(deadline)
            except TimeoutError:
                self.sandbox.kill()
                raise SandboxStopped(f"{name} did not return within {self.timeout} s (an endless "
                                     "loop?); it was stopped") from None
            except EOFError:
                raise SandboxStopped(f"{name} stopped the Python process running it "
                                     f"({self.sandbox.stop_and_describe()})") from None
            except wire.WireError as exc:
                self.sandbox.kill()
                raise SandboxStopped(f"{name}'s answer could not be read: {exc}") from None
            op = message["op"]
            if op == "callback":
                fn = callbacks.get(message.get("id"))
                cb_args, cb_kwargs = message.get("args"), message.get("kwargs", {})
                if fn is None or type(cb_args) is not tuple or type(cb_kwargs) is not dict or not all(
                        type(k) is str for k in cb_kwargs):
                    reply = wire.message("cb_error", message="no such function")
                else:
                    try:
                        reply = wire.message("cb_result", value=fn(*cb_args, **cb_kwargs))
                    except CheckFailed as failed:
                        verdict = verdict or failed
                        reply = wire.message("cb_error", message="the grader stopped this call")
                    except Exception as exc:  # learner's data made the function fail
                        reply = wire.message("cb_error", message=f"{type(exc).__name__}: {exc}")
                self.sandbox.send(reply)
                continue
            if verdict is not None:
                raise verdict
            if op == "raised":
                raise _learner_exception(str(message.get("ename")), str(message.get("evalue")))
            if op == "returned":
                after = message.get("args")
                if type(after) is not tuple or len(after) != len(args) or not all(
                        _sync(a, b) for a, b in zip(args, after)):
                    raise CheckFailed(f"{name} changed the shape or type of one of its inputs in "
                                      "place. Compute new arrays instead of writing into the inputs.")
                return message.get("value")
            self.sandbox.kill()
            raise SandboxStopped(f"unexpected answer {op!r} while running {name}")

    def lookup(self, expr):
        self._ensure()
        self.sandbox.send(wire.message("lookup", name=expr))
        return self.sandbox.expect("found", time.monotonic() + self.timeout)

    def callees(self, assignment, expr, seen=()):
        """The other graded functions of the assignment that the learner's `expr` calls, read
        from the source of the cell that last defined it, as proxies (see checking.Callee)."""
        specs = all_specs().get(assignment, {})
        seen = tuple(seen) + (expr,)
        defines = re.compile(rf"^\s*def\s+{re.escape(expr)}\s*\(", re.MULTILINE)
        for _index, source, trusted in reversed(self.executed):
            if not trusted and defines.search(source):
                names = names_called_in_source(source, expr)
                break
        else:
            return []
        found = []
        for other in names:
            if other in seen or other not in specs:
                continue
            described = self.lookup(other)
            if described.get("defined") and described.get("callable"):
                found.append(Callee(specs[other], LearnerFunction(self, other, other), True,
                                    lambda o=other: self.callees(assignment, o, seen)))
        return found

    def judge(self, source):
        """Judge one grade cell: the hidden checks its (instructor's) source names."""
        calls = [m.groupdict() for m in HIDDEN_CALL.finditer(source)]
        if not calls:
            self.status.append("grader error: a grade cell without hidden checks")
            return [error_output("GraderError", "This grade cell names no hidden check.")]
        texts = []
        for call in calls:
            name, expr = call["name"], call["expr"]
            try:
                graded = graded_function(call["assignment"], name)
                found = self.lookup(expr)
                if not found.get("defined"):
                    raise CheckFailed(f"{expr} is not defined when this test runs: run the cell "
                                      "that defines it (above this one) and make sure it has no error.")
                if not found.get("callable"):
                    raise CheckFailed(f"{name} should be a function, but it is a {found.get('type')}.")
                n = run_checks(graded, LearnerFunction(self, name, expr), hidden_cases(graded),
                               lambda: self.callees(call["assignment"], expr))
                texts.append(f"{name}: passed all {n} hidden test cases"
                             + (" and the extra checks" if graded.extra_checks else "") + ".\n")
            except CheckFailed as failed:
                return [new_output("stream", name="stdout", text="".join(texts))] * bool(texts) + [
                    error_output("CheckFailed", str(failed))]
            except SandboxStopped as stop:
                self.status.append(f"{name}: {stop}")
                return [error_output("CheckStopped", f"{stop}.")]
        return [new_output("stream", name="stdout", text="".join(texts))]


def learner_outputs(items):
    """nbformat outputs from what a sandbox says a cell showed (`sandbox.CellOutputs`): printed
    text, and display_data / execute_result bundles of the kept mimetypes. Only well-formed
    pieces are taken, within the sandbox's own limits (learner code may write to the pipe)."""
    from autograder.sandbox import DISPLAY_LIMIT, DISPLAY_MIMETYPES, OUTPUT_LIMIT

    outputs, text_room, data_room = [], OUTPUT_LIMIT + 200, DISPLAY_LIMIT
    for item in items if type(items) is list else []:
        kind = item.get("type") if type(item) is dict else None
        if kind == "stream" and type(item.get("text")) is str and text_room > 0:
            outputs.append(new_output("stream", name="stdout", text=item["text"][:text_room]))
            text_room -= len(item["text"])
        elif kind in ("display_data", "execute_result") and type(item.get("data")) is dict:
            data = {mime: value for mime, value in item["data"].items()
                    if mime in DISPLAY_MIMETYPES and type(value) is str}
            size = sum(len(v) for v in data.values())
            if data and size <= data_room:
                data_room -= size
                extra = {"execution_count": None} if kind == "execute_result" else {}
                outputs.append(new_output(kind, data=data, metadata={}, **extra))
    return outputs


def error_output(ename, message):
    return new_output("error", ename=ename, evalue=message,
                      traceback=[f"{ename}: {message}"])


def protected_paths(course_root=None):
    """What learner code may not read while graded: the instructor's side of things."""
    paths = [ROOT / name for name in ("autograder", "solutions", ".git", "tests", "benchmarks",
                                      "exercises", "source", "release", "submitted",
                                      "autograded", "feedback")]
    paths += list(ROOT.glob("gradebook*.db"))
    if course_root is not None:
        paths.append(Path(course_root))
    return [str(p) for p in paths]


# --------------------------------------------------------------- nbgrader

def _nbgrader_preprocessor_base():
    from nbgrader.preprocessors import NbGraderPreprocessor

    return NbGraderPreprocessor


class JudgeCells(_nbgrader_preprocessor_base()):
    """nbgrader preprocessor: run learner cells in a sandbox, judge grade cells out of it.

    Use in place of `Execute` in `Autograde.autograde_preprocessors`.
    """

    timeout = Integer(30, help="Seconds a cell, or one graded function's checks, may run.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the sandbox, in MB.").tag(config=True)

    def preprocess(self, nb, resources):
        from nbgrader import utils

        info = resources.get("nbgrader", {})
        assignment = info.get("assignment")
        db_url = str(info.get("db_url", ""))
        course_root = Path(db_url[len("sqlite:///"):]).parent if db_url.startswith("sqlite:///") else None
        status = []
        if assignment not in all_specs():
            status.append(f"grader error: no specs for assignment {assignment!r}")
        trusted_sources = self._instructor_sources(info)
        session = JudgeSession(assignment, self.timeout, self.memory_mb,
                               protected_paths(course_root))
        try:
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if utils.is_grade(cell):
                    cell.outputs = session.judge(cell.source)
                else:
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                    trusted = (not utils.is_solution(cell) and grade_id is not None
                               and trusted_sources.get(grade_id) == cell.source)
                    cell.outputs = session.run_cell(index, cell.source, trusted)
                cell.execution_count = None
        finally:
            session.close()
        resources.setdefault("autograder", {})["status"] = status + session.status
        return nb, resources

    def _instructor_sources(self, info):
        """{grade_id: source} of the instructor's locked, non-graded cells, from the gradebook."""
        from nbgrader.api import Gradebook, MissingEntry

        try:
            with Gradebook(info["db_url"]) as gb:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
                return {c.name: c.source for c in notebook.source_cells if c.locked}
        except (KeyError, MissingEntry):
            return {}


class ForgetUnknownCells(_nbgrader_preprocessor_base()):
    """nbgrader preprocessor (a sanitising step, before OverwriteCells): a cell is what the
    instructor's notebook says it is, whatever its own nbgrader metadata claims.

    A cell whose metadata names no cell of the instructor's notebook is a learner's cell: its
    nbgrader metadata is dropped. A cell that names one but claims another kind (an answer cell
    dressed up as a grade cell with points, a grade cell passed off as an answer cell) gets the
    instructor's kind back. Either way the notebook is graded, and the status names the forgery.
    (Forged metadata otherwise stops nbgrader: MissingEntry in SaveAutoGrades, inconsistent
    checksums in OverwriteCells, or a learner's cell passed off as the instructor's.)
    """

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        info = resources.get("nbgrader", {})
        try:
            with Gradebook(info["db_url"]) as gb:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
                truth = {c.name: {"grade": False, "solution": False, "locked": c.locked}
                         for c in notebook.source_cells}
                for c in notebook.grade_cells:
                    truth[c.name].update(grade=True, points=c.max_score)
                for c in notebook.solution_cells:
                    truth[c.name]["solution"] = True
        except (KeyError, MissingEntry):
            return nb, resources
        forged = []
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id not in truth:
                del cell.metadata["nbgrader"]
                if isinstance(meta, dict) and (meta.get("grade") or meta.get("locked")):
                    forged.append(f"cell {str(grade_id)[:40]!r} is not in the assignment")
                continue
            real = truth[grade_id]
            claimed = {key: meta.get(key, False) for key in ("grade", "solution", "locked")}
            if real["grade"]:
                claimed["points"] = meta.get("points")
            wanted = {key: real[key] for key in claimed}
            if claimed != wanted:
                meta.update(wanted)
                if not real["grade"]:
                    meta.pop("points", None)
                changed = ", ".join(f"{k} {claimed[k]!r}" for k in claimed if claimed[k] != wanted[k])
                forged.append(f"cell {grade_id!r} claimed {changed}")
        if forged:
            resources.setdefault("autograder", {}).setdefault("status", []).append(
                "forged cell metadata, graded as the assignment defines the cells: " + "; ".join(forged))
        return nb, resources
