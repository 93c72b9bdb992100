"""A non-editable install of the repository (a wheel, `pip install .`) holds every file of the
`autograder` and `course` packages: their Python modules and the data they read (the feedback
page's template, the learner edition's files, the stored check data). pyproject.toml names the
packages and their data one by one; a package or a data folder left out there would be missing
only from installs that are not editable, which no other test uses.

setuptools' own build step for a wheel's contents (`build_py`) runs on pyproject.toml into a
temporary folder, offline (a wheel built with pip, `pip wheel --no-deps .`, fetches setuptools
for its isolated build)."""

import subprocess
import sys

from autograder import notebooks

ROOT = notebooks.ROOT
PACKAGES = ("autograder", "course")


def source_files():
    """The packages' files in the working tree, caches left out (a new module not yet committed
    is built too)."""
    return {str(p.relative_to(ROOT)) for package in PACKAGES for p in (ROOT / package).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}


def test_a_build_holds_every_file_of_the_packages(tmp_path):
    lib, meta = tmp_path / "lib", tmp_path / "meta"
    meta.mkdir()
    run = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q",
                          "egg_info", "--egg-base", str(meta), "build_py", "--build-lib", str(lib)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    built = {str(p.relative_to(lib)) for p in lib.rglob("*") if p.is_file()}
    wanted = source_files()
    assert "autograder/grading/templates/course_feedback/feedback_page.html.j2" in wanted
    assert "autograder/lms/roster.py" in wanted
    assert sorted(wanted - built) == []
    assert sorted(built - wanted) == []


def test_the_learner_edition_does_not_install_the_feedback_pages_maths_converter():
    """latex2mathml draws the maths of the grader's feedback page; nothing a learner runs imports it."""
    from autograder import release

    importers = subprocess.run(["git", "grep", "-l", "-E", r"^\s*(from|import) latex2mathml", "--", "*.py"],
                               cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert importers and all(path.startswith("autograder/grading/") for path in importers)
    full = (ROOT / "requirements.txt").read_text()
    assert "latex2mathml==" in full
    assert "latex2mathml" not in release.learner_requirements(full)
    assert "numpy==" in release.learner_requirements(full)
