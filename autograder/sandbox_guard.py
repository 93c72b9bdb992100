"""The sandbox's limits: the audit hook that refuses what learner code may not do while graded,
and the resource limits (address space, file size) set at start-up."""

import os
import sys


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


def limit_resources(memory_mb):
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
