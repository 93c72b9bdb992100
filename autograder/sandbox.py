"""The sandbox: a separate Python process that runs one learner's notebook code.

Started for the judge (`autograder.judge`) by `autograder.sandbox_process`: forked, already
warm, by a fork server (`python -m autograder.sandbox --fork-server FD`, `serve_forks`), or,
without one, as `python -m autograder.sandbox R W MB` with a pipe pair
on file descriptors R and W and an address-space limit of MB megabytes. It executes the
notebook's cells on request in a real IPython shell, as a kernel would
(`autograder.sandbox_shell`: magics, `display`, rich output; shell escapes print a note
instead of starting a process), keeps their outputs within limits
(`autograder.sandbox_outputs`) and sends them back; it calls the learner's functions with
the inputs the judge sends, sending back what they return (`autograder.wire`). It judges
nothing: every comparison with the reference happens in the judge, which this process
cannot reach.

Before the first cell the judge cannot vouch for (a learner's cell), the judge "arms" the
sandbox (`Sandbox.arm`):

- the course's given copies of functions this assignment grades (`course.given`: exercise
  1's activations, handed out from exercise 2 on) are replaced by stand-ins that call the
  learner's function of the same name (or raise, if there is none), so a given helper that
  calls one keeps working with the learner's function in its place (`give_stand_ins`). No
  other module the learner's code can load holds a reference function;
- Landlock, where the kernel offers it, limits the files the process can open
  (`autograder.confine`), and an audit hook (PEP 578: Python code cannot remove one;
  `autograder.sandbox_guard`) refuses to open files under the protected folders (the
  reference, the specs, the solutions, the gradebook and the class's submissions, the
  repository's git objects), to import `autograder`, to write outside the sandbox's own
  temporary folder, to start processes, send signals, open sockets, use ctypes, or walk the
  garbage collector's object lists.

Resource limits (address space, file size) are set at start-up; time is the judge's
business (it stops a sandbox that does not answer in time).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
import types
import warnings

from autograder import confine, lifetime, wire
from autograder.sandbox_guard import install_guard, limit_resources
from autograder.sandbox_outputs import BoundedText, CellOutputs
from autograder.sandbox_shell import grading_shell


class _VisibleChecksStub:
    """Stand-in for course.checks.VisibleChecks: visible checks do not run while grading."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return None

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _stub_visible_checks():
    stub = types.ModuleType("course.checks")
    stub.VisibleChecks = _VisibleChecksStub
    stub.CheckFailed = AssertionError
    sys.modules["course.checks"] = stub


def _stand_in(name, learner_name, learner_functions):
    """What takes a graded reference function's place: the learner's function of that name.

    `learner_functions()` is the learner's namespace, read at call time (the learner
    defines the function after arming). Without one (or when the learner's name is bound
    to this stand-in itself, imported from the course), it raises: the reference is gone.
    """
    def stand_in(*args, **kwargs):
        namespace = learner_functions() if learner_functions is not None else {}
        learner_fn = namespace.get(learner_name)
        if learner_fn is None or learner_fn is stand_in or not callable(learner_fn):
            raise RuntimeError(f"the reference implementation of {name} is not available while "
                               f"grading; define {learner_name} yourself")
        return learner_fn(*args, **kwargs)
    stand_in.__name__ = stand_in.__qualname__ = name
    return stand_in


def give_stand_ins(targets, learner_functions=None):
    """In the assignment that grades them, the course's given copies call the learner's own.

    targets: [module, name, learner's name] for each function a `course` module hands learners
    (course.given: exercise 1's activations, given from exercise 2 on) that this assignment
    grades. The module is loaded now, before any learner cell, and its attribute replaced, so
    every later import of it (the learner's, or a course module's) finds the stand-in; its files
    are refused from here on (the judge's protected paths). Nothing else needs replacing: no
    module the learner's kernel can load holds a reference function (tests/test_judge.py)."""
    for module_name, name, *learner_name in targets:
        if module_name.split(".")[0] != "course":
            raise ValueError(f"stand-ins replace course functions only, not {module_name}.{name}")
        module = importlib.import_module(module_name)
        setattr(module, name, _stand_in(name, (learner_name or [name])[0], learner_functions))


class Sandbox:
    """The request loop: run cells, look up names, call functions."""

    def __init__(self, rfd, wfd):
        self.rfd, self.wfd = rfd, wfd
        self.shell = grading_shell()
        self.namespace = self.shell.user_ns  # the learner's globals, as in a kernel
        self.home = os.getcwd()
        if self.home not in sys.path:  # as in a kernel: a module handed in beside the notebook imports
            sys.path.insert(0, self.home)

    # -- pipe
    def send(self, op, **fields):
        wire.write_frame(self.wfd, wire.message(op, **fields))

    def receive(self):
        return wire.decode(wire.read_frame(self.rfd), make_callback=self._callback)

    def _callback(self, key, name="function"):
        """The sandbox's stand-in for a function the judge passed in (an activation, a loss):
        calling it runs the judge's function on the arguments, and what it returns crosses back
        exactly (`autograder.wire`), so it behaves here like the function itself (its name too)."""
        sandbox = self

        def judge_side(*args, **kwargs):
            sandbox.send("callback", id=key, args=args, kwargs=kwargs)
            reply = sandbox.receive()
            if reply.get("op") == "cb_result":
                return reply.get("value")
            raise RuntimeError(str(reply.get("message", "the grader refused this call")))
        judge_side.__name__ = judge_side.__qualname__ = name
        return judge_side

    # -- requests
    def run(self, source, cell):
        """Run one cell as a kernel would (`InteractiveShell.run_cell`); send back its outputs
        (`CellOutputs.outputs()`) and its error, if it raised."""
        out = self.shell.cell_outputs = CellOutputs()
        self.shell.compile.cell_name = f"<cell {cell}>"
        old = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = out
        error = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = self.shell.run_cell(source, store_history=True)
            failure = result.error_before_exec or result.error_in_exec
            if failure is not None:
                error = self._error(failure)
        except BaseException as exc:  # the learner's code may have broken the shell
            error = self._error(exc)
        finally:
            sys.stdout, sys.stderr = old
        self.send("ran", ok=error is None, error=error, outputs=out.outputs())

    @staticmethod
    def _error(exc):
        tb = traceback.extract_tb(exc.__traceback__)
        frames = [f for f in tb if f.filename.startswith("<") and not f.filename.startswith("<frozen")]
        lines = traceback.format_list(frames) if frames else []
        text = f"{type(exc).__name__}: {exc}"[:2000]
        return {"ename": type(exc).__name__[:100], "evalue": str(exc)[:2000],
                "traceback": [line[:2000] for line in lines[-10:]] + [text]}

    def lookup(self, name):
        value = self.namespace.get(name, None)
        self.send("found", defined=name in self.namespace, callable=callable(value),
                  type=type(value).__name__[:60])

    def call(self, name, args, swaps=None):
        """Call the learner's function `name` with args. swaps: {global name: the judge's
        function (a callback)} put in the notebook's namespace for the call and taken out after
        it, so the function runs with another graded function in place of the learner's."""
        fn = self.namespace.get(name)
        swaps = swaps if type(swaps) is dict else {}
        kept = {key: self.namespace[key] for key in swaps if key in self.namespace}
        old = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = BoundedText(0)
        try:
            import numpy as np
            self.namespace.update(swaps)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = fn(*args)
        except BaseException as exc:  # whatever the learner's function raises is its answer
            sys.stdout, sys.stderr = old
            self._put_back(swaps, kept)
            self.send("raised", ename=type(exc).__name__[:100], evalue=str(exc)[:2000],
                      line=self._learner_line(exc))
            return
        sys.stdout, sys.stderr = old
        self._put_back(swaps, kept)
        self.send("returned", value=result, args=args)

    def _learner_line(self, exc):
        """The last line of the learner's own code the exception passed through (a notebook cell,
        or a module handed in beside the notebook), for a message that quotes "your line"."""
        found = ""
        try:
            for frame in traceback.extract_tb(exc.__traceback__):
                name = frame.filename or ""
                if ((name.startswith("<") and not name.startswith("<frozen"))
                        or name.startswith(self.home + os.sep)) and frame.line:
                    found = frame.line.strip()
        except Exception:  # a traceback the learner's code tampered with: no line
            return ""
        return found[:300]

    def _put_back(self, swaps, kept):
        for key in swaps:
            if key in kept:
                self.namespace[key] = kept[key]
            else:
                self.namespace.pop(key, None)

    def arm(self, protected, writable, references, readable=None, list_only=()):
        """Confine this process before the first learner cell: the course's given answers replaced, then
        the allow-list kept by Landlock where the kernel has it (applied first: the audit hook
        refuses ctypes), then the audit hook, which keeps the same list in every case."""
        give_stand_ins(references, lambda: self.namespace)
        layer = "audit hook only, protected folders refused"
        if readable is not None:
            try:
                layer = f"Landlock ABI {confine.restrict(readable, list_only, [*writable, '/dev/null'])}"
            except OSError:
                layer = "audit hook only"
        install_guard(protected, writable, readable, list_only)
        self.send("armed", confinement=layer)

    def serve(self):
        self.send("ready", pid=os.getpid())
        while True:
            request = self.receive()
            op = request.get("op")
            if op == "run":
                self.run(request["source"], request["cell"])
            elif op == "lookup":
                self.lookup(request["name"])
            elif op == "call":
                self.call(request["name"], request["args"], request.get("swaps"))
            elif op == "arm":
                self.arm(request["protected"], request["writable"], request["references"],
                         request.get("readable"), request.get("list_only", ()))
            elif op == "exit":
                return


def warm_imports(shell_folder=None):
    """Third-party modules the exercises' set-up cells import, and the IPython shell that
    runs the cells (`grading_shell`, its folder in shell_folder), made once per fork server.

    Only third-party code: nothing of `course` or `autograder` (whose reference
    modules a sandbox must load only as far as the assignment's set-up cell asks).
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib
    import numpy  # noqa: F401 (imported once here, before the sandboxes fork)

    matplotlib.use("Agg")
    import ipywidgets  # noqa: F401 (imported once here, before the sandboxes fork)
    import matplotlib.pyplot
    import sklearn.datasets  # noqa: F401 (imported once here, before the sandboxes fork)

    grading_shell(shell_folder)


def _virtual_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _become_sandbox(rfd, wfd, memory_mb):
    limit_resources(memory_mb + _virtual_mb() if memory_mb else 0)
    _stub_visible_checks()
    Sandbox(rfd, wfd).serve()


def serve_forks(sock):
    """The fork server: start a sandbox per request, already warm, in a few milliseconds.

    Requests on the Unix socket `sock` (from the judge that started this process), as
    `autograder.wire` control messages: "fork" (memory_mb, workdir) with two file descriptors
    attached (the new sandbox's read and write ends) -> "forked" with its pid; "reap" (pid) ->
    "reaped" with its wait status (-1 if unknown). This process never runs learner code; each
    child closes the socket before it runs anything.
    """
    import socket

    statuses = {}
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(sock, 1 << 16, 2)
            request = wire.read_message(sock.fileno(), start=data) if data else None
        except (OSError, EOFError, wire.WireError):
            return
        if request is None:
            return
        while True:  # collect finished sandboxes so they do not linger as zombies
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            statuses[pid] = status
        op = request["op"]
        if op == "fork" and len(fds) == 2:
            server = os.getpid()
            pid = os.fork()
            if pid == 0:
                try:
                    lifetime.die_with_parent(server)  # this server ends with its judge: so does the sandbox
                    sock.close()
                    os.setsid()
                    os.chdir(str(request.get("workdir")))
                    _become_sandbox(fds[0], fds[1], int(request.get("memory_mb") or 0))
                finally:
                    os._exit(0)
            for fd in fds:
                os.close(fd)
            reply = wire.message("forked", pid=pid)
        elif op == "reap":
            pid = request.get("pid")
            if pid not in statuses and type(pid) is int:
                try:
                    done, status = os.waitpid(pid, 0)
                    statuses[done] = status
                except ChildProcessError:
                    pass
            reply = wire.message("reaped", status=statuses.pop(pid, -1))
        else:
            for fd in fds:
                os.close(fd)
            reply = wire.message("refused")
        sock.sendall(wire.frame(reply))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[0] == "--fork-server":
        import socket

        lifetime.die_with_parent(int(argv[2]))
        warm_imports()
        serve_forks(socket.socket(fileno=int(argv[1])))
        return
    rfd, wfd, memory_mb = int(argv[0]), int(argv[1]), int(argv[2])
    lifetime.die_with_parent(int(argv[3]))
    warm_imports(os.getcwd())  # the sandbox's own folder: the only one it may clean up
    _become_sandbox(rfd, wfd, memory_mb)


if __name__ == "__main__":
    main()
