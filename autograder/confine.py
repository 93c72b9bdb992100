"""What a sandbox may read and write once it runs learner code: an allow-list, kept by the
operating system where it can (Landlock, Linux 5.13 and later) and by the sandbox's audit hook
in every case (autograder.sandbox_guard.install_guard).

Learner code may read the Python installation and the installed third-party packages, the
system's shared libraries, the `course` package its notebook imports, and its own temporary
folder, where it may also write. Everything else on the machine is refused: a copy of the
course in any folder, a backup, a classmate's submission, the gradebook, wherever `--out` puts
them. In site-packages every entry is readable except the grader's own package (`autograder`),
so an installed copy of the reference stays closed too.

Landlock is applied by the sandbox process to itself (`restrict`), after the instructor's
set-up cells ran and before the first learner cell; it cannot be undone by that process or
its children. Where the kernel lacks it, `describe()` says so and the audit hook alone keeps
the same list.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADER_PACKAGES = ("autograder",)  # site-packages entries learner code may not read
SYSTEM = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo", "/etc/ld.so.cache",
          "/etc/localtime", "/dev/null", "/dev/urandom", "/dev/zero")

# Landlock: syscall numbers (the same on x86_64 and aarch64) and access rights (linux/landlock.h).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_PR_SET_NO_NEW_PRIVS = 38
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_CHANGES = sum(1 << bit for bit in range(4, 13))  # remove, make char/dir/reg/sock/fifo/block/sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1
READ = EXECUTE | READ_FILE | READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPortAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


@functools.cache
def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none (not Linux, too old, disabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0),
                                  ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def describe() -> str:
    """One line for the grade command's output: which layers keep the allow-list."""
    abi = landlock_abi()
    if abi:
        return f"sandbox confinement: Landlock (kernel ABI {abi}) and the audit hook, one allow-list"
    return ("sandbox confinement: the audit hook only (this kernel has no Landlock): reads outside "
            "the allow-list are refused for Python code, not for native code")


def _site_packages():
    paths = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    paths |= {p for p in sys.path if p.endswith("site-packages")}
    return sorted(p for p in paths if os.path.isdir(p))


@functools.cache
def _installed_paths():
    """The allow-list's fixed part, as real paths: (readable, list-only). Read once per process;
    the judge asks for it every time it arms a sandbox."""
    stdlib = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib")}
    read = set(stdlib) | set(SYSTEM) | {str(ROOT / "course")}
    list_only = set()
    for site in _site_packages():
        list_only.add(site)
        for entry in os.scandir(site):
            if entry.name.split("-")[0].split(".")[0] not in GRADER_PACKAGES:
                read.add(entry.path)
    def real(paths):
        return {os.path.realpath(p) for p in paths if os.path.exists(p)}

    read = real(read)
    return tuple(sorted(read)), tuple(sorted(real(list_only) - read))


def readable_paths(workdir=None) -> tuple[list[str], list[str]]:
    """(paths learner code may read with everything beneath them, folders it may only list).

    The Python installation (its standard library), every site-packages entry but the grader's,
    the system's shared libraries, the `course` package, and the sandbox's own folder."""
    read, list_only = _installed_paths()
    if workdir:
        read = sorted({*read, os.path.realpath(workdir)})
    return list(read), list(list_only)


def restrict(read, list_only, writable, bind_ports=(), terminals=()) -> int:
    """Apply a Landlock ruleset to this process (and every process it starts): read `read`,
    list `list_only`, read and write `writable`, nothing else; no TCP (but listening on
    `bind_ports`, a Jupyter kernel's own ports), no signals or abstract sockets outside the
    sandbox; device ioctls only on `terminals` (the pseudo-terminal devices a shell escape
    needs: /dev/ptmx and /dev/pts). Returns the ABI used; raises OSError where Landlock is
    missing."""
    abi = landlock_abi()
    if not abi:
        raise OSError("Landlock is not available")
    fs = READ | WRITE_FILE | _CHANGES | (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0)
    fs |= _IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(fs, (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
                        (_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if abi >= 6 else 0)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    libc = _libc()
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        write = fs & ~(_IOCTL_DEV)
        for paths, access in ((read, READ), (list_only, READ_DIR), (writable, write), (terminals, fs)):
            for path in paths:
                _add_path(libc, ruleset, path, access)
        for port in bind_ports if abi >= 4 else ():
            rule = _NetPortAttr(_NET_BIND_TCP, int(port))
            if libc.syscall(_ADD_RULE, ruleset, _RULE_NET_PORT, ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
                raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for port {port}")
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


def _add_path(libc, ruleset, path, access):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # gone since the list was made: nothing to allow
    try:
        if not os.path.isdir(path):  # a file: only the rights that apply to files
            access &= EXECUTE | WRITE_FILE | READ_FILE | _TRUNCATE | _IOCTL_DEV
        rule = _PathBeneathAttr(access, fd)
        if libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
