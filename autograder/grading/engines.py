"""The two engines: the step that runs a notebook's code in nbgrader's Autograde pipeline.

- judge (the default): `JudgeCells` runs learner cells in a sandbox process and judges each
  grade cell outside it (`autograder.judge`); the grade cell's source is never run.
- kernel: `RestartingExecute`, nbgrader's stock `Execute` in a Jupyter kernel, except that a
  cell which kills the kernel costs only that cell, and that the kernel runs in a private
  temporary copy of the submission, confined by Landlock to it (`autograder.confined_kernel`).

Each leaves what an instructor should know (a cell that ran too long, a crash, a failed check
that matched a catalogued mistake) as Outcomes in
resources["autograder"]["outcomes"], which the grade command's converter collects.
"""

from __future__ import annotations

import ast
import asyncio
import shutil
import tempfile
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

from autograder import lifetime
from autograder.cell_time import CellClock
from autograder.confined_kernel import ConfinedKernelManager
from autograder.grading.outcomes import CRASHED, GRADER_ERROR, MISTAKE, RAISED, TIMEOUT, Outcome
from autograder.judge import GRADE_ID_PREFIX, JudgeSession, protected_paths
from autograder.specs import all_specs

DIED = "KernelDied"
DIED_TOO_OFTEN = "KernelDiedTooOften"
TIMED_OUT = "CellTimeoutError"  # the ename nbgrader's Execute gives a cell that ran too long
FAILED = "CheckFailed"  # a failed check (course.checking.CheckFailed)
# Evaluated in the kernel after a failed check: the names of the mistakes it matched.
MISTAKE_NAMES = ("list(getattr(getattr(__import__('sys'), 'last_value', None), 'mistakes', ()))")


def record(resources, outcome):
    """Leave an Outcome where the grade command's converter collects it."""
    resources.setdefault("autograder", {}).setdefault("outcomes", []).append(outcome)


STOPPED = ("CellStopped", DIED, DIED_TOO_OFTEN, TIMED_OUT)  # errors with an Outcome of their own


def record_raised(nb, resources):
    """A RAISED Outcome when answer cells ended in an error: which cells, and the first error,
    so a status never reads "ok" over answers that raised (a module not handed in, a typo). A
    cell stopped for time or a crash is left out: it has its own Outcome."""
    raised = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not utils.is_solution(cell) or utils.is_grade(cell):
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors and errors[0].get("ename") not in STOPPED:
            raised.append((index, errors[0]))
    if raised:
        cells = [str(index) for index, _ in raised]
        where = f"cell {cells[0]}" if len(cells) == 1 else f"cells {', '.join(cells[:-1])} and {cells[-1]}"
        first = raised[0][1]
        message = f"{first.get('ename', 'Error')}: {first.get('evalue', '')}".strip().rstrip(":")
        record(resources, Outcome(RAISED, f"{where}; the first: {message[:200]}"))


# ------------------------------------------------------------------ the judge

class JudgeCells(NbGraderPreprocessor):
    """nbgrader preprocessor: run learner cells in a sandbox, judge grade cells out of it.

    Use in place of `Execute` in `Autograde.autograde_preprocessors`. A grade cell's checks are
    chosen by its nbgrader metadata: grade_id `test_<name>` judges the graded function <name>.
    """

    timeout = Integer(30, help="Seconds a cell, or one graded function's checks, may run.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the sandbox, in MB.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment = info.get("assignment")
        db_url = str(info.get("db_url", ""))
        course_root = Path(db_url[len("sqlite:///"):]).parent if db_url.startswith("sqlite:///") else None
        if assignment not in all_specs():
            record(resources, Outcome(GRADER_ERROR, f"no specs for assignment {assignment!r}"))
        trusted_sources = self._instructor_sources(info)
        session = JudgeSession(assignment, self.timeout, self.memory_mb,
                               protected_paths(course_root),
                               files_from=resources.get("metadata", {}).get("path"))
        try:
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if utils.is_grade(cell):
                    cell.outputs = session.judge(grade_id)
                else:
                    trusted = (not utils.is_solution(cell) and grade_id is not None
                               and trusted_sources.get(grade_id) == cell.source)
                    cell.outputs = session.run_cell(index, cell.source, trusted)
                cell.execution_count = None
        finally:
            session.close()
        for outcome in session.outcomes:
            record(resources, outcome)
        record_raised(nb, resources)
        return nb, resources

    def _instructor_sources(self, info):
        """{grade_id: source} of the instructor's locked, non-graded cells, from the gradebook."""
        try:
            with Gradebook(info["db_url"]) as gb:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
                return {c.name: c.source for c in notebook.source_cells if c.locked}
        except (KeyError, MissingEntry):
            return {}


# ------------------------------------------------------------------ the kernel

class _NotYet(Exception):
    """nbclient's wait ran out before the cell's own time did (`RestartingExecute`)."""


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class RestartingExecute(Execute):
    """nbgrader's Execute, except that a cell which kills the kernel costs only that cell.

    Stock `Execute` gives up on the whole notebook when the kernel dies (`os._exit`, a
    segfault, the kernel killed for memory): nbclient raises DeadKernelError and the submission
    gets no grade at all, its honest cells included. This class instead

    - records an error output on the cell that killed the kernel (named `KernelDied`, so the
      cell, if graded, scores 0) and a CRASHED outcome,
    - starts a fresh kernel and replays, silently, every code cell that ran before it (so the
      state the rest of the notebook relies on is back; outputs of the replay are discarded),
    - goes on with the next cell.

    A cell's limit counts the kernel's own time, not the time it waited for a processor on a
    busy machine (`autograder.cell_time`); a cell that spins or sleeps is stopped after it, as
    under stock nbgrader on an idle machine.

    After `max_restarts` deaths the remaining code cells are not run; each gets an error output
    (`KernelDiedTooOften`), so a graded cell never scores by being skipped. The judge does the
    same for its sandbox processes; this gives the kernel engine the same fairness without
    changing what it otherwise is: stock nbgrader.

    Unlike stock nbgrader, the kernel does not run in the course folder: its working folder is
    a temporary copy of the submission's folder, made for this notebook, and the kernel may write
    nowhere else (`autograder.confined_kernel`); the originals, the classmates' files, the
    gradebook and the reports are out of its reach.
    """

    max_restarts = Integer(4, help="Kernel deaths tolerated per notebook; "
                                   "later code cells are not run and score 0.").tag(config=True)
    kernel_manager_class = ConfinedKernelManager

    def preprocess(self, nb, resources=None, km=None):
        self._ran = []        # sources of the code cells run so far, replayed after a death
        self._deaths = 0
        metadata = (resources or {}).setdefault("metadata", {})
        staged = metadata.get("path")
        self._private = tempfile.mkdtemp(prefix="kernel-")
        if staged:
            shutil.copytree(staged, self._private, dirs_exist_ok=True, symlinks=True)
        metadata["path"] = self._private
        try:
            nb, resources = super().preprocess(nb, resources, km)
            record_raised(nb, resources)
            return nb, resources
        finally:
            metadata["path"] = staged
            shutil.rmtree(self._private, ignore_errors=True)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.workdir = self._private
        return km

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        if self._deaths > self.max_restarts:
            cell.outputs = [_error(DIED_TOO_OFTEN, f"not run: the kernel died {self._deaths} times "
                                                   "in this notebook")]
            record(self.resources, Outcome(CRASHED, "not run: the kernel died too often", cell=index))
            return cell, self.resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(_error(DIED, "the kernel died while running this cell (os._exit, "
                                             "a crash, or too much memory); the cells after it "
                                             "ran in a fresh kernel"))
            record(self.resources, Outcome(CRASHED, "killed the kernel; the cells after it ran in "
                                                    "a fresh one", cell=index))
            self._deaths += 1
            self._revive()
            return cell, self.resources
        if any(o.get("output_type") == "error" and o.get("ename") == TIMED_OUT for o in cell.outputs):
            record(self.resources, Outcome(TIMEOUT, f"ran past {self.timeout} s", cell=index))
        elif utils.is_grade(cell) and any(o.get("output_type") == "error" and o.get("ename") == FAILED
                                          for o in cell.outputs):
            self._record_mistake(cell)
        self._ran.append(cell.source)
        return cell, resources

    def _record_mistake(self, cell):
        """A MISTAKE outcome when the grade cell's failed check named catalogued mistakes: their
        names are asked of the kernel (the exception it just showed, `CheckFailed.mistakes`)."""
        reply = self.wait_for_reply(self.kc.execute("", silent=True, store_history=False,
                                                    user_expressions={"names": MISTAKE_NAMES}))
        found = ((reply or {}).get("content", {}).get("user_expressions", {}).get("names", {})
                 .get("data", {}).get("text/plain", "[]"))
        try:
            names = ast.literal_eval(found)
        except (ValueError, SyntaxError):
            return
        if type(names) is list and names and all(type(n) is str for n in names):
            grade_id = cell.metadata["nbgrader"].get("grade_id")
            record(self.resources, Outcome(MISTAKE, cell=grade_id, mistake=tuple(names),
                                           function=str(grade_id).removeprefix(GRADE_ID_PREFIX)))

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        """nbclient's wait for a cell's reply, with the cell's limit counted in the kernel's own
        time (`autograder.cell_time`): when nbclient's wait runs out while the kernel has spent
        part of it waiting for a processor, it waits again for what is left. An endless loop is
        stopped, and shown, as stock nbgrader's are (`CellTimeoutError`)."""
        pid = getattr(self, "_kernel_pid", None)
        if timeout is None or not pid:
            return await super()._async_poll_for_reply(msg_id, cell, timeout, task_poll_output_msg,
                                                       task_poll_kernel_alive)
        self._cell_clock = clock = CellClock(pid, timeout)
        try:
            while True:
                try:
                    return await super()._async_poll_for_reply(msg_id, cell, max(clock.left(), 0.01),
                                                               task_poll_output_msg, task_poll_kernel_alive)
                except _NotYet:  # nbclient stopped watching for the kernel's death: watch again
                    task_poll_kernel_alive = asyncio.ensure_future(self._async_poll_kernel_alive())
        finally:
            self._cell_clock = None

    async def _async_handle_timeout(self, timeout, cell=None):
        clock = getattr(self, "_cell_clock", None)
        if clock is not None:
            if clock.left() > 0:
                raise _NotYet
            timeout = clock.limit
        return await super()._async_handle_timeout(timeout, cell)

    async def async_start_new_kernel(self, **kwargs):
        """nbclient's, the kernel then put into the run's registry (`autograder.lifetime`): a
        kernel ends with its parent by itself (ipykernel's parent poller), and if not, the next
        run ends it."""
        await super().async_start_new_kernel(**kwargs)
        self._kernel_pid = getattr(self.km.provisioner, "pid", None)
        if self._kernel_pid:
            lifetime.register(self._kernel_pid, "kernel")

    async def _async_cleanup_kernel(self):
        try:
            await super()._async_cleanup_kernel()
        finally:
            if getattr(self, "_kernel_pid", None):
                lifetime.unregister(self._kernel_pid)

    # nbclient's blocking versions wrap its own coroutines, not these (`_revive` calls them)
    start_new_kernel = run_sync(async_start_new_kernel)
    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _revive(self):
        """A fresh kernel with the earlier cells replayed; a death during the replay counts too."""
        while self._deaths <= self.max_restarts:
            self.log.warning("kernel died; starting a fresh one and replaying %d cells", len(self._ran))
            self._cleanup_kernel()
            self.km = self.create_kernel_manager()
            self.start_new_kernel(cwd=self._private)  # the private copy, as the first kernel
            self.start_new_kernel_client()
            try:
                for source in self._ran:
                    # The reply (or a timeout, which interrupts) is awaited; outputs are not kept.
                    self.wait_for_reply(self.kc.execute(source, store_history=False))
                return
            except DeadKernelError:
                self._deaths += 1


EXECUTION_STEPS = {"judge": JudgeCells, "kernel": RestartingExecute}
