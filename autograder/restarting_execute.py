"""nbgrader's Execute, except that a cell which kills the kernel costs only that cell.

The grade command's `--engine kernel` runs learner code the way stock nbgrader does, in one
Jupyter kernel per notebook. Stock `Execute` gives up on the whole notebook when the kernel dies
(`os._exit`, a segfault, the kernel killed for memory): nbclient raises DeadKernelError and the
submission gets no grade at all, its honest cells included. `RestartingExecute` instead

- records an error output on the cell that killed the kernel (named `KernelDied`, so the cell,
  if graded, scores 0 and `kernel_notes` can report it),
- starts a fresh kernel and replays, silently, every code cell that ran before it (so the state
  the rest of the notebook relies on is back; outputs of the replay are discarded),
- goes on with the next cell.

After `max_restarts` deaths the remaining code cells are not run; each gets an error output
(`KernelDiedTooOften`), so a graded cell never scores by being skipped.

The judge engine (`autograder.judge`) does the same for its sandbox processes; this class gives
the kernel engine the same fairness without changing what it is otherwise: stock nbgrader.
"""

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

DIED = "KernelDied"
DIED_TOO_OFTEN = "KernelDiedTooOften"


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class RestartingExecute(Execute):
    """Execute that survives a dying kernel: see the module docstring."""

    max_restarts = Integer(4, help="Kernel deaths tolerated per notebook; "
                                   "later code cells are not run and score 0.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._ran = []        # sources of the code cells run so far, replayed after a death
        self._deaths = 0
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        if self._deaths > self.max_restarts:
            cell.outputs = [_error(DIED_TOO_OFTEN, f"not run: the kernel died {self._deaths} times "
                                                   "in this notebook")]
            return cell, self.resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(_error(DIED, "the kernel died while running this cell (os._exit, "
                                             "a crash, or too much memory); the cells after it "
                                             "ran in a fresh kernel"))
            self._deaths += 1
            self._revive()
            return cell, self.resources
        self._ran.append(cell.source)
        return cell, resources

    def _revive(self):
        """A fresh kernel with the earlier cells replayed; a death during the replay counts too."""
        while self._deaths <= self.max_restarts:
            self.log.warning("kernel died; starting a fresh one and replaying %d cells", len(self._ran))
            self._cleanup_kernel()
            self.km = self.create_kernel_manager()
            self.start_new_kernel()
            self.start_new_kernel_client()
            try:
                for source in self._ran:
                    # The reply (or a timeout, which interrupts) is awaited; outputs are not kept.
                    self.wait_for_reply(self.kc.execute(source, store_history=False))
                return
            except DeadKernelError:
                self._deaths += 1
