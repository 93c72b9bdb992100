"""The sandbox's IPython shell: learner cells run with IPython's semantics, as in a kernel."""

import os
import tempfile

from IPython.core.compilerop import CachingCompiler
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.profiledir import ProfileDir
from IPython.utils.text import SList
from traitlets import Type
from traitlets.config import Config

from autograder.sandbox_outputs import CellOutputs


def _shell_command_note(cmd):
    print(f"[not run while grading: the shell command {str(cmd)[:200]!r}]")


class Publisher(DisplayPublisher):
    """Rich output (`display(...)`) goes to the running cell's CellOutputs."""

    def publish(self, data, metadata=None, *args, **kwargs):
        self.shell.cell_outputs.display("display_data", data)

    def clear_output(self, wait=False):
        self.shell.cell_outputs.clear()


class ResultHook(DisplayHook):
    """A trailing expression's value goes to the running cell's CellOutputs, without a prompt."""

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
    """IPython's shell with the ends replaced (see `grading_shell`)."""

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
