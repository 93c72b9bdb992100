"""The sandbox: a separate Python process that runs one learner's notebook code.

Started for the judge (`autograder.judge`) by `autograder.sandbox_process`: forked,
already warm, by a fork server (`python -m autograder.sandbox --fork-server FD`,
`serve_forks`), or as `python -m autograder.sandbox R W MB` with a pipe pair on file
descriptors R and W and an address-space limit of MB megabytes. It executes the
notebook's cells on request, in a real IPython shell as a kernel would (`grading_shell`:
magics, `display`, rich output; shell escapes print a note instead of starting a process),
and sends back their outputs; it calls the learner's functions with the inputs the judge sends,
sending back what they return (`autograder.wire`). It judges nothing: every
comparison with the reference happens in the judge, which this process cannot
reach.

Before the first cell the judge cannot vouch for (a learner's cell), the judge
"arms" the sandbox:

- the reference implementations of the functions graded in this assignment are
  replaced, wherever the instructor's set-up code put them, by stand-ins that
  call the learner's function of the same name (or raise, if there is none);
  the originals are then freed. A given helper that calls a graded function
  (exercise 10's `accuracy` calls `mlp_forward`) so keeps working while
  grading, with the learner's function in place of the reference;
- an audit hook (PEP 578: Python code cannot remove one) refuses to open files
  under the protected folders (the reference, the specs, the solutions, the
  gradebook and the class's submissions, the repository's git objects), to import
  `autograder`, to write outside the sandbox's own temporary folder, to start
  processes, send signals, open sockets, use ctypes, or walk the garbage
  collector's object lists.

Resource limits (address space, file size) are set at start-up; time is the judge's
business (it stops a sandbox that does not answer in time).
"""

from __future__ import annotations

import importlib
import io
import os
import sys
import traceback
import types
import warnings

from autograder import confine, wire

OUTPUT_LIMIT = 20_000  # characters of printed output kept per cell


class BoundedText(io.TextIOBase):
    """Collects printed text up to a limit; the rest is counted, not kept."""

    def __init__(self, limit=OUTPUT_LIMIT):
        self.parts, self.size, self.dropped, self.limit = [], 0, 0, limit

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(len(text), room)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self):
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[... {self.dropped} more characters of output not shown]\n"
        return out


DISPLAY_LIMIT = 2_000_000  # characters of rich output (figures, HTML, reprs) kept per cell
DISPLAY_MIMETYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png",
                     "image/jpeg", "image/svg+xml")


class CellOutputs(BoundedText):
    """One cell's outputs in the order a kernel would send them: printed text (stdout and
    stderr, up to OUTPUT_LIMIT characters in all) and rich output (`display(...)`, a trailing
    expression's value, a figure: up to DISPLAY_LIMIT characters, kept mimetypes only)."""

    encoding = "utf-8"  # as a kernel's streams say (IPython's timings then print "µs")

    def __init__(self):
        super().__init__()
        self.items = []  # {"type": "stream", "text": ...} or {"type": kind, "data": {...}}
        self.data_size = self.data_dropped = 0

    def write(self, text):
        before = len(self.parts)
        written = super().write(text)
        kept = "".join(self.parts[before:])
        if kept:
            if self.items and self.items[-1]["type"] == "stream":
                self.items[-1]["text"] += kept
            else:
                self.items.append({"type": "stream", "text": kept})
        return written

    def display(self, kind, data):
        """Record a display_data or execute_result bundle (images as base64 text)."""
        import base64

        bundle = {}
        for mime, value in (data or {}).items():
            if mime in DISPLAY_MIMETYPES:
                if isinstance(value, bytes):
                    value = base64.b64encode(value).decode("ascii")
                if isinstance(value, str):
                    bundle[mime] = value
        size = 100 + sum(len(v) for v in bundle.values())
        if not bundle:
            return
        if self.data_size + size > DISPLAY_LIMIT:
            self.data_dropped += 1
            return
        self.data_size += size
        self.items.append({"type": kind, "data": bundle})

    def clear(self):
        """`clear_output()`: what the cell showed so far goes (its share of the limits stays used)."""
        self.items = []

    def outputs(self):
        notes = []
        if self.dropped:
            notes.append(f"[... {self.dropped} more characters of output not shown]")
        if self.data_dropped:
            notes.append(f"[... {self.data_dropped} more displayed outputs not shown: "
                         "over the size limit]")
        return self.items + ([{"type": "stream", "text": "\n" + "\n".join(notes) + "\n"}] if notes else [])


def _shell_command_note(cmd):
    print(f"[not run while grading: the shell command {str(cmd)[:200]!r}]")


_SHELL = []


def grading_shell(folder=None):
    """The sandbox's IPython shell (one per process, made on first use: in the fork server).

    A real `InteractiveShell`, so learner cells run with IPython's semantics, as in the
    kernel stock nbgrader uses: input transforms, line and cell magics (`%%time`, `%%capture`,
    `%matplotlib inline`), `display(...)`, a trailing expression's value, inline figures.
    Like ipykernel's ZMQInteractiveShell, only the ends are replaced: rich output goes to the
    cell's `CellOutputs` instead of a socket; shell escapes (`!ls`, `%pip`, `%%bash`) print a
    note instead of starting a process (the audit hook would refuse it and fail the cell);
    tracebacks are not printed (the cell's exception is reported by `Sandbox.run`); no history
    file, and IPython's folder is a temporary one (in `folder`, default the system's temporary
    folder; removed when this process exits normally), not the grader's home.
    """
    if _SHELL:
        return _SHELL[0]
    import tempfile

    from IPython.core.compilerop import CachingCompiler
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.profiledir import ProfileDir
    from IPython.utils.text import SList
    from traitlets import Type
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, *args, **kwargs):
            self.shell.cell_outputs.display("display_data", data)

        def clear_output(self, wait=False):
            self.shell.cell_outputs.clear()

    class ResultHook(DisplayHook):
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.cell_outputs.display("execute_result", format_dict)

        def finish_displayhook(self):
            pass

    class CellNames(CachingCompiler):
        """Names compiled cells `<cell N>` (N: the cell's index in the notebook), as before."""

        cell_name = "<cell>"

        def get_code_name(self, raw_code, transformed_code, number):
            return self.cell_name

    class GradingShell(InteractiveShell):
        displayhook_class = Type(ResultHook)
        display_pub_class = Type(Publisher)
        compiler_class = Type(CellNames)
        cell_outputs = CellOutputs()

        def system(self, cmd, *args, **kwargs):
            _shell_command_note(cmd)

        def getoutput(self, cmd, *args, **kwargs):
            _shell_command_note(cmd)
            return SList()

        def enable_gui(self, gui=None):
            pass  # no event loop here, as in ipykernel: `%matplotlib inline` needs none

        def showtraceback(self, *args, **kwargs):
            pass

        def showsyntaxerror(self, *args, **kwargs):
            pass

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    home = tempfile.TemporaryDirectory(prefix="ipython-", dir=folder)
    shell = GradingShell.instance(config=config, ipython_dir=home.name, profile_dir=ProfileDir(
        location=os.path.join(home.name, "profile_default")))
    script_magics = [name for name, fn in shell.magics_manager.magics["cell"].items()
                     if getattr(fn, "__qualname__", "").startswith("ScriptMagics.")]
    for name in script_magics:  # %%bash, %%script, %%python3, ...: each would start a process
        shell.register_magic_function(lambda line, cell, name=name: _shell_command_note(
            f"%%{name} {line}".strip()), "cell", name)
    shell.enable_matplotlib("inline")  # what ipykernel's default backend gives a notebook
    _SHELL[:] = [shell, home]
    return shell


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


def _path_of(arg):
    if isinstance(arg, int):
        return None
    try:
        return os.path.realpath(os.fsdecode(arg))
    except (TypeError, ValueError):
        return None


def install_guard(protected, writable, readable=None, list_only=()):
    """Add the audit hook. Nothing here keeps a reference to it that Python code can reach.

    With `readable` (autograder.confine's allow-list), a file may be opened only under
    `readable` or `writable`, and a folder listed only there or in `list_only`; `protected`
    is refused even inside them. Without it (older callers), only `protected` is refused."""
    protected = tuple(os.path.realpath(p) for p in protected) + ("/proc",)
    writable = tuple(os.path.realpath(p) for p in writable) + ("/dev/null",)
    allowed = None if readable is None else tuple(os.path.realpath(p) for p in readable) + writable
    listable = None if allowed is None else allowed + tuple(os.path.realpath(p) for p in list_only)
    blocked = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
               "os.fork", "os.forkpty", "os.kill", "os.killpg", "signal.pthread_kill",
               "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
               "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.addaudithook",
               "sys._current_frames", "resource.setrlimit",
               "resource.prlimit", "sys.remote_exec")
    changes = ("os.remove", "os.rmdir", "os.rename", "os.truncate", "os.chmod", "os.chown",
               "os.link", "os.symlink", "os.utime", "shutil.rmtree", "os.mkdir", "os.chdir")
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def under(path, prefixes):
        return path is not None and any(path == p or path.startswith(p + os.sep) for p in prefixes)

    def refuse(what):
        raise PermissionError(f"not allowed while grading: {what}")

    def hook(event, args):
        if event == "open":
            path = _path_of(args[0])
            if under(path, protected) or (allowed is not None and path is not None
                                          and not under(path, allowed)):
                refuse(f"reading {args[0]}")
            mode, flags = args[1] if len(args) > 1 else None, args[2] if len(args) > 2 else 0
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags)
            if writes and path is not None and not under(path, writable):
                refuse(f"writing {args[0]}")
        elif event in ("os.listdir", "os.scandir") and listable is not None:
            path = _path_of(args[0] if args and args[0] is not None else ".")
            if path is not None and not under(path, listable):
                refuse(f"listing {args[0]}")
        elif event == "import":
            if str(args[0]).split(".")[0] == "autograder":
                refuse(f"importing {args[0]}")
        elif event.startswith("ctypes.") or event.startswith(blocked):
            refuse(event)
        elif event.startswith(changes):
            paths = [_path_of(a) for a in args if isinstance(a, (str, bytes, os.PathLike))]
            if any(not under(p, writable) for p in paths if p is not None):
                refuse(f"{event} {args[0]!r}")

    sys.addaudithook(hook)


def _limit_resources(memory_mb):
    try:
        import resource
    except ImportError:  # not on POSIX: the judge's timeouts still apply
        return
    limits = [(resource.RLIMIT_FSIZE, 64 * 1024 * 1024)]
    if memory_mb:
        limits.append((resource.RLIMIT_AS, memory_mb * 1024 * 1024))
    for which, value in limits:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


class Sandbox:
    """The request loop: run cells, look up names, call functions."""

    def __init__(self, rfd, wfd):
        self.rfd, self.wfd = rfd, wfd
        self.shell = grading_shell()
        self.namespace = self.shell.user_ns  # the learner's globals, as in a kernel
        self.home = os.getcwd()

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

    def call(self, name, args):
        fn = self.namespace.get(name)
        old = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = BoundedText(0)
        try:
            import numpy as np
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = fn(*args)
        except BaseException as exc:  # whatever the learner's function raises is its answer
            sys.stdout, sys.stderr = old
            self.send("raised", ename=type(exc).__name__[:100], evalue=str(exc)[:2000])
            return
        sys.stdout, sys.stderr = old
        self.send("returned", value=result, args=args)

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
                self.call(request["name"], request["args"])
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
    _limit_resources(memory_mb + _virtual_mb() if memory_mb else 0)
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
            pid = os.fork()
            if pid == 0:
                try:
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

        warm_imports()
        serve_forks(socket.socket(fileno=int(argv[1])))
        return
    rfd, wfd, memory_mb = int(argv[0]), int(argv[1]), int(argv[2])
    warm_imports(os.getcwd())  # the sandbox's own folder: the only one it may clean up
    _become_sandbox(rfd, wfd, memory_mb)


if __name__ == "__main__":
    main()
