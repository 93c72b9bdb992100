"""Judging a submission outside the learner's process.

Stock nbgrader runs the learner's code and the hidden tests in one kernel, so
learner code can replace numpy's comparison functions, the checker module, or
the kernel's traceback display, and pass. Here the learner's code runs in a
sandbox process (`autograder.sandbox`), and the hidden tests run in this
process, which never executes a line of learner code:

- `JudgeSession` runs one notebook for `JudgeCells` (`autograder.grading.engines`),
  the nbgrader preprocessor that takes the place of nbgrader's `Execute` in
  `nbgrader autograde`: ordinary cells are run in the sandbox (their printed
  output and errors become the cell's outputs); each grade cell is judged here,
  and its outputs become the verdict (a PASS line, or an error whose message
  names the mistake), which nbgrader's `SaveAutoGrades` then scores as usual.
  Which function a grade cell checks comes from its nbgrader metadata (grade_id
  `test_<name>`); the grade cell's source is never run or read, so editing it,
  deleting its hidden part or hiding tracebacks changes nothing.
- The hidden checks are the same specs and engine the visible checks use
  (`autograder.specs`, `course.checking`), run with `LearnerFunction`
  proxies: calling one sends the inputs to the sandbox, where the learner's
  function runs, and brings back plain data (`autograder.wire`) that this
  process compares with the reference using its own numpy.
- Functions the spec passes in (an activation, a loss to differentiate) stay
  here: the sandbox receives a stand-in that calls back, so a loss that watches
  for un-restored knobs watches from this side.
- A cell that runs too long (in its own time, `autograder.cell_time`: the time
  its process waits for a processor on a busy machine does not count) or kills
  its process is stopped, reported as an `Outcome` (`JudgeSession.outcomes`, for
  the grading report), and left out when the sandbox is restarted to judge the
  rest. Starting, talking to and
  stopping the sandbox process is `autograder.sandbox_process`.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
from pathlib import Path

import numpy as np
from nbformat.v4 import new_output

from autograder import confine, wire
from autograder.cell_time import CellClock
from autograder.grading.outcomes import CRASHED, GRADER_ERROR, GRADER_NOTE, MISTAKE, TIMEOUT, Outcome
from autograder.sandbox_outputs import DISPLAY_LIMIT, DISPLAY_MIMETYPES, OUTPUT_LIMIT
from autograder.sandbox_process import SandboxStopped, take_sandbox
from autograder.specs import all_specs, graded_function
from course.checking import Callee, CalleeNotSwappable, CheckFailed, hidden_cases, names_called_in_source, run_checks

ROOT = Path(__file__).resolve().parent.parent
GIVEN_MODULE = "course.given"  # earlier exercises' functions, given to learners in later ones
GIVEN_FILE = ROOT / "course" / "given.py"


def given_names():
    """The names course/given.py hands learners (its `__all__`), read without importing it."""
    tree = ast.parse(GIVEN_FILE.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def given_files():
    """course/given.py and its compiled copies (an import reads those), as paths to refuse."""
    paths = {str(GIVEN_FILE), importlib.util.cache_from_source(str(GIVEN_FILE))}
    paths |= {str(p) for p in (GIVEN_FILE.parent / "__pycache__").glob("given.*")}
    return sorted(os.path.realpath(p) for p in paths)


GRADE_ID_PREFIX = "test_"  # a grade cell's grade_id is test_<the graded function's name>
MAX_RESTARTS = 4


# ------------------------------------------------------------------ calls

def _learner_exception(ename, evalue, line=""):
    """An exception whose type is named like the one the learner's code raised; `learner_line`
    is the line of the learner's code it came from (the message quotes it, not this module's)."""
    exc = NotImplementedError(evalue) if ename == "NotImplementedError" else wire._named(Exception, ename)(evalue)
    exc.learner_line = line
    return exc


def _sync(target, after):
    """Make the judge's copy of an argument what the learner's function left it as.

    Returns False when that cannot be done in place (the engine then cannot
    see the change, so the caller reports it itself).
    """
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


def _holds_opaque(value):
    """Whether value (decoded from the sandbox) holds a stand-in for something that could not
    cross the pipe, such as one of the learner's functions."""
    if isinstance(value, wire.Opaque):
        return True
    if isinstance(value, (tuple, list)):
        return any(_holds_opaque(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_opaque(v) for v in value.values())
    return False


class LearnerFunction:
    """Stands for a function defined in the sandbox; calling it runs it there."""

    def __init__(self, session, name, expr, swaps=None):
        self.session, self.name, self.expr = session, name, expr
        self.swaps = dict(swaps or {})  # {global name: judge-side function called in its place}
        self.__name__ = expr

    def __call__(self, *args):
        return self.session.call(self.name, self.expr, args, self.swaps)

    def __repr__(self):
        return f"<learner's function {self.expr}>"

    def sibling(self, name):
        """The same notebook's function `name` (a check that measures one learner function with
        another of theirs: exercise 10's train, scored with their own mlp_forward)."""
        return LearnerFunction(self.session, name, name)


# ------------------------------------------------------------------ session

class JudgeSession:
    """Runs one notebook's cells in a sandbox and judges its grade cells."""

    def __init__(self, assignment, timeout=30, memory_mb=2048, protected=(), files_from=None):
        self.assignment = assignment
        self.files_from = files_from  # the submission's folder: its files are copied beside the cells
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.protected = list(protected)
        self.outcomes = []  # Outcomes for the grading report
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
        self._copy_submission()
        for position, (index, source, _trusted) in enumerate(self.executed):
            if position == self.armed_before:
                self._arm()
            self._request_run(index, source)
        if self.armed_before == len(self.executed):
            self._arm()

    def _copy_submission(self):
        """The files handed in with the notebook (a helper module, a data file), copied into the
        sandbox's working folder, as a kernel would find them beside the notebook (stock nbgrader
        runs the notebook in the submission's folder). Copied again into each new sandbox, so a
        file a cell changed comes back as it was handed in, as the cells are replayed."""
        if self.files_from and os.path.isdir(self.files_from):
            shutil.copytree(self.files_from, self.sandbox.workdir, dirs_exist_ok=True, symlinks=True)

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
        reply = self.sandbox.expect("armed", self._clock())
        layer = str(reply.get("confinement", ""))
        note = Outcome(GRADER_NOTE, "Landlock could not be applied to the sandbox; "
                                    "the audit hook alone kept the allow-list")
        if confine.landlock_abi() and not layer.startswith("Landlock") and note not in self.outcomes:
            self.outcomes.append(note)

    def _request_run(self, index, source):
        self.sandbox.send(wire.message("run", source=source, cell=index))
        return self.sandbox.expect("ran", self._clock())

    def _clock(self):
        """The limit of what is asked of the sandbox now, in its own time (`cell_time`): the time
        it waits for a processor on a busy machine does not count."""
        return CellClock(self.sandbox.pid, self.timeout)

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
            timed_out = stop.kind == TIMEOUT
            why = (f"This cell did not finish within {self.timeout} s and was stopped."
                   if timed_out else f"Running this cell stopped the grader: {stop}.")
            self.outcomes.append(Outcome(TIMEOUT, f"ran past {self.timeout} s", cell=index) if timed_out
                                 else Outcome(CRASHED, f"crashed the sandbox ({stop.why})", cell=index))
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

    def call(self, name, expr, args, swaps=None):
        """Call the learner's `expr` in the sandbox with args (on behalf of the engine); swaps:
        {global name: function} called, from the sandbox, in place of those globals."""
        self._ensure()
        callbacks = {}
        request = {"op": "call", "name": expr, "args": tuple(args)}
        if swaps:
            request["swaps"] = dict(swaps)
        payload = wire.encode(request, callbacks)
        swapped = {id(fn) for fn in (swaps or {}).values()}
        unswappable = False  # a swapped-in reference was handed what cannot cross (a function)
        self.sandbox.send(payload)
        deadline = self._clock()
        verdict = None
        while True:
            try:
                message = self.sandbox.receive(deadline)
            except TimeoutError:
                self.sandbox.kill()
                raise SandboxStopped(f"{name} did not return within {self.timeout} s (an endless "
                                     "loop?); it was stopped", TIMEOUT) from None
            except EOFError:
                why = self.sandbox.stop_and_describe()
                raise SandboxStopped(f"{name} stopped the Python process running it ({why})",
                                     CRASHED, why) from None
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
                elif id(fn) in swapped and _holds_opaque((cb_args, cb_kwargs)):
                    unswappable = True
                    reply = wire.message("cb_error", message="the grader could not run this call")
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
            if unswappable and op in ("raised", "returned"):
                raise CalleeNotSwappable(f"{name}: a swapped callee was handed a function")
            if verdict is not None:
                raise verdict
            if op == "raised":
                line = message.get("line")
                raise _learner_exception(str(message.get("ename")), str(message.get("evalue")),
                                         line if type(line) is str else "")
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
        return self.sandbox.expect("found", self._clock())

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
                                    lambda o=other: self.callees(assignment, o, seen),
                                    lambda replacement, o=other: LearnerFunction(
                                        self, expr, expr, {o: replacement})))
        return found

    def graded_name(self, grade_id):
        """The graded function a grade cell checks, from its nbgrader grade_id (`test_<name>`);
        None when the id names no graded function of this assignment."""
        name = str(grade_id).removeprefix(GRADE_ID_PREFIX)
        specs = all_specs().get(self.assignment, {})
        return name if str(grade_id).startswith(GRADE_ID_PREFIX) and name in specs else None

    def judge(self, grade_id):
        """Judge one grade cell, chosen by its grade_id: the hidden checks of its function."""
        name = self.graded_name(grade_id)
        if name is None:
            self.outcomes.append(Outcome(GRADER_ERROR, f"grade cell {grade_id!r} names no graded "
                                                       f"function of {self.assignment}", cell=grade_id))
            return [error_output("GraderError", "This grade cell names no hidden check.")]
        try:
            graded = graded_function(self.assignment, name)
            found = self.lookup(name)
            if not found.get("defined"):
                raise CheckFailed(f"{name} is not defined when this test runs: run the cell "
                                  "that defines it (above this one) and make sure it has no error.")
            if not found.get("callable"):
                raise CheckFailed(f"{name} should be a function, but it is a {found.get('type')}.")
            n = run_checks(graded, LearnerFunction(self, name, name), hidden_cases(graded),
                           lambda: self.callees(self.assignment, name))
        except CheckFailed as failed:
            if failed.mistakes:
                self.outcomes.append(Outcome(MISTAKE, cell=grade_id, function=name,
                                             mistake=failed.mistakes))
            return [error_output("CheckFailed", str(failed))]
        except SandboxStopped as stop:
            self.outcomes.append(Outcome(stop.kind, str(stop), cell=grade_id, function=name))
            return [error_output("CheckStopped", f"{stop}.")]
        return [new_output("stream", name="stdout", text=f"{name}: passed all {n} hidden test cases"
                           + (" and the extra checks" if graded.extra_checks else "") + ".\n")]


def learner_outputs(items):
    """nbformat outputs from what a sandbox says a cell showed (`sandbox_outputs.CellOutputs`): printed
    text, and display_data / execute_result bundles of the kept mimetypes. Only well-formed
    pieces are taken, within the sandbox's own limits (learner code may write to the pipe)."""
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
