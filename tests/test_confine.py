"""The sandbox's allow-list, kept by Landlock: a process that restricted itself reads the Python
installation, the packages and its own folder, and nothing else: not a copy of the course in an
unrelated folder, not the repository's reference, not /etc/passwd; it writes only its own folder."""

import os
import shutil

import numpy
import pytest

from autograder import confine

needs_landlock = pytest.mark.skipif(not confine.landlock_abi(), reason="this kernel has no Landlock")


def in_confined_child(tmp_path, probe, layer="landlock"):
    """Run probe() in a forked child confined to tmp_path/work (by Landlock, or by the sandbox's
    audit hook alone); return what it wrote there."""
    work = tmp_path / "work"
    work.mkdir()
    read, list_only = confine.readable_paths(work)
    pid = os.fork()
    if pid == 0:
        try:
            if layer == "landlock":
                confine.restrict(read, list_only, [str(work), "/dev/null"])
            else:
                from autograder.sandbox_guard import install_guard

                install_guard([], [str(work)], read, list_only)
            (work / "result.txt").write_text(repr(probe(work)))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return eval((work / "result.txt").read_text())


def outcome(action):
    try:
        action()
        return "ok"
    except OSError as exc:
        return type(exc).__name__


@pytest.mark.parametrize("layer", [pytest.param("landlock", marks=needs_landlock), "audit hook"])
def test_only_the_allow_list_is_readable(tmp_path, layer):
    copy = tmp_path / "somewhere" / "course-backup"
    shutil.copytree(confine.ROOT / "autograder" / "reference", copy / "autograder" / "reference")

    def probe(work):
        def read(p):
            return outcome(lambda: open(p, "rb").read(1))

        return {"copy": read(copy / "autograder" / "reference" / "neuron.py"),
                "repository": read(confine.ROOT / "autograder" / "reference" / "neuron.py"),
                "passwd": read("/etc/passwd"),
                "numpy": read(numpy.__file__),
                "stdlib": read(os.__file__),
                "course": read(confine.ROOT / "course" / "__init__.py"),
                "own folder": outcome(lambda: (work / "plot.png").write_bytes(b"png")),
                "elsewhere": outcome(lambda: (tmp_path / "pwned.txt").write_text("x")),
                "list repository": outcome(lambda: os.listdir(confine.ROOT))}

    assert in_confined_child(tmp_path, probe, layer) == {
        "copy": "PermissionError", "repository": "PermissionError", "passwd": "PermissionError",
        "numpy": "ok", "stdlib": "ok", "course": "ok", "own folder": "ok",
        "elsewhere": "PermissionError", "list repository": "PermissionError"}
    assert not (tmp_path / "pwned.txt").exists()


@pytest.mark.parametrize("layer", [pytest.param("landlock", marks=needs_landlock), "audit hook"])
def test_new_imports_still_work_when_confined(tmp_path, layer):
    def probe(work):
        import decimal  # noqa: F401 (a standard-library module not loaded before)
        import xml.dom.minidom  # noqa: F401 (a standard-library module not loaded before)

        import scipy.special
        return float(scipy.special.expit(0.0))

    assert in_confined_child(tmp_path, probe, layer) == 0.5


def test_the_grader_package_is_not_readable_in_site_packages():
    read, _ = confine.readable_paths()
    assert not [p for p in read if os.path.basename(p).startswith("autograder")]
    assert str(confine.ROOT) not in read and not any(p.startswith(str(confine.ROOT / "autograder")) for p in read)


# ------------------------------------------------------------------ the kernel engine's kernels

KERNEL_PROBE = """
import json, os, socket, sys
work, elsewhere, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
found = {}
def attempt(name, action):
    try:
        action()
        found[name] = "done"
    except OSError as exc:
        found[name] = type(exc).__name__
def write(path):
    with open(path, "w") as fh:
        fh.write("x")
attempt("write own folder", lambda: write(os.path.join(work, "mine.txt")))
attempt("write elsewhere", lambda: write(os.path.join(elsewhere, "original.ipynb")))
attempt("create elsewhere", lambda: write(os.path.join(elsewhere, "planted.txt")))
attempt("delete elsewhere", lambda: os.remove(os.path.join(elsewhere, "gradebook.db")))
attempt("import the hidden tests' module", lambda: __import__("autograder.hidden"))
attempt("listen on its own port", lambda: socket.create_server(("127.0.0.1", port)).close())
attempt("listen on another port", lambda: socket.create_server(("127.0.0.1", 0)).close())
print(json.dumps(found))
"""


@needs_landlock
def test_a_confined_kernel_writes_only_in_its_private_copy(tmp_path):
    """`python -m autograder.confined_kernel WORKDIR CONNECTION -- CMD` confines CMD (here a probe
    in place of the kernel) to WORKDIR: the course folder's files stay as they were."""
    import json
    import socket
    import subprocess
    import sys

    work, elsewhere = tmp_path / "work", tmp_path / "course"
    work.mkdir()
    elsewhere.mkdir()
    (elsewhere / "original.ipynb").write_text("handed in")
    (elsewhere / "gradebook.db").write_text("grades")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    connection = tmp_path / "kernel.json"
    connection.write_text(json.dumps({"shell_port": port, "iopub_port": 0, "ip": "127.0.0.1"}))
    run = subprocess.run([sys.executable, "-m", "autograder.confined_kernel", str(work), str(connection), "--",
                          sys.executable, "-c", KERNEL_PROBE, str(work), str(elsewhere), str(port)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found == {"write own folder": "done", "write elsewhere": "PermissionError",
                     "create elsewhere": "PermissionError", "delete elsewhere": "PermissionError",
                     "import the hidden tests' module": "done", "listen on its own port": "done",
                     "listen on another port": "PermissionError"}, found
    assert sorted(p.name for p in elsewhere.iterdir()) == ["gradebook.db", "original.ipynb"]
    assert (elsewhere / "original.ipynb").read_text() == "handed in"


def test_the_kernel_engine_is_refused_without_landlock(monkeypatch, tmp_path):
    """Safe by default: without Landlock nothing would keep a kernel from the course folder."""
    import argparse

    from autograder.grading import command

    monkeypatch.setattr(confine, "landlock_abi", lambda: 0)
    monkeypatch.setattr(command, "prepare_environment", lambda: None)
    (tmp_path / "submitted").mkdir()
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    with pytest.raises(SystemExit, match="judge engine"):
        command.run(parser.parse_args([str(tmp_path), "--engine", "kernel"]))
    assert not (tmp_path / "grading").exists()
