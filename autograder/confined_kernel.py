"""The kernel engine's Jupyter kernels, each confined to a private copy of the one submission it runs.

`ConfinedKernelManager` (jupyter_client's KernelManager) starts the kernel through this module:
`python -m autograder.confined_kernel WORKDIR CONNECTION_FILE -- <the kernel's command>`
applies a Landlock ruleset (`autograder.confine.restrict`) to itself and then executes the
kernel, which inherits it with every process it starts; nothing in it can lift it. The kernel
may then

- read the Python installation, the installed packages, the system's shared libraries, the
  course's `course` and `autograder` packages (the hidden tests import `autograder.hidden`),
  and its connection file;
- read and write its working folder WORKDIR, a temporary copy of the submission made for this
  notebook alone, outside the course folder, and /dev/shm, where semaphores live
  (SHARED_MEMORY); open the pseudo-terminals a shell escape runs in (TERMINALS);
- listen on the five ports its connection file names (where the kernel's Landlock has network
  rules, ABI 4 and later), and open no other TCP connection.

Nothing else can be written or created: not `submitted/`, not a classmate's `autograded/` or
`feedback/` folder, not the gradebook, the ledger or the reports, wherever they are. Where the
kernel has no Landlock, the grade command refuses the kernel engine (`available`).
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode

from autograder import confine

ROOT = confine.ROOT
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def available() -> bool:
    return confine.landlock_abi() > 0


def describe() -> str:
    """One line for the grade command's output: what keeps the kernels away from the originals."""
    abi = confine.landlock_abi()
    if not abi:
        return "kernel confinement: none (this kernel has no Landlock)"
    net = "; TCP only on its own ports" if abi >= 4 else ""
    return (f"kernel confinement: Landlock (kernel ABI {abi}): each notebook runs in a kernel that may "
            f"write only in a private temporary copy of its submission{net}; submitted/, autograded/, "
            f"feedback/, the gradebook, the ledger and the reports are out of its reach")


class ConfinedKernelManager(AsyncKernelManager):
    """nbclient's AsyncKernelManager, its kernel run under `autograder.confined_kernel` (see the module)."""

    workdir = Unicode("", help="The only folder the kernel may write in.").tag(config=False)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.workdir:
            raise RuntimeError("a confined kernel needs its working folder")
        return [sys.executable, "-m", "autograder.confined_kernel", self.workdir,
                os.path.realpath(self.connection_file), "--", *cmd]


def allowed(workdir, connection_file):
    """(readable, list-only, writable, ports) for a kernel working in workdir."""
    read, list_only = confine.readable_paths(workdir)
    python = {os.path.realpath(sys.executable), os.path.join(sys.prefix, "pyvenv.cfg"),
              os.path.realpath(connection_file), str(ROOT / "autograder")}
    libdir = sysconfig.get_config_var("LIBDIR")
    if libdir and os.path.isdir(libdir):
        python |= {str(p) for p in Path(libdir).glob("libpython*")}
    read = sorted(set(read) | {p for p in python if os.path.exists(p)} | set(PROGRAMS))
    with open(connection_file) as fh:
        info = json.load(fh)
    ports = sorted({int(info[name]) for name in PORTS if info.get(name)})
    return read, list_only, [os.path.realpath(workdir), *SHARED_MEMORY], ports


# POSIX semaphores and shared memory live in /dev/shm: without it, multiprocessing cannot make a
# lock, and joblib (which scikit-learn imports, as do the digits of exercise 10) warns on stderr
# that it runs serially, and nbgrader scores a check cell with stderr output 0. Stock nbgrader's
# kernel may use it; so may this one. It holds no file of the class.
SHARED_MEMORY = [path for path in ("/dev/shm",) if os.path.isdir(path)]
# A shell escape in a scratch cell (`!ls`, `files = !ls`) runs through a pseudo-terminal, as in
# stock nbgrader's kernel: without these (and their ioctls) it fails with "out of pty devices".
TERMINALS = [path for path in ("/dev/ptmx", "/dev/pts") if os.path.exists(path)]
# ... and runs the system's programs (the shell, ls, pip's python): readable and runnable, as in
# stock nbgrader's kernel; whatever they do stays under this kernel's ruleset.
PROGRAMS = [os.path.realpath(path) for path in ("/bin", "/usr/bin", "/usr/local/bin")
            if os.path.isdir(path)]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    workdir, connection_file, sep, *cmd = argv
    if sep != "--" or not cmd:
        raise SystemExit("usage: python -m autograder.confined_kernel WORKDIR CONNECTION_FILE -- CMD...")
    read, list_only, writable, ports = allowed(workdir, connection_file)
    # IPython's history and matplotlib's cache live in the private folder too
    os.environ["IPYTHONDIR"] = os.path.join(workdir, ".ipython")
    os.environ["MPLCONFIGDIR"] = os.path.join(workdir, ".matplotlib")
    confine.restrict(read, list_only, writable, bind_ports=ports, terminals=TERMINALS)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
