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
