"""The grade command as the tests run it (`python -m autograder ...` from the repository, in
nbgrader's environment), the grades.csv it writes, and the hidden tests' traces no feedback page
may show."""

import csv
import os
import subprocess
import sys

from autograder import notebooks

# what gives a hidden test away: nbgrader's markers, the course's name for them, and the module
# the hidden checks import (kernel tracebacks quote these lines)
HIDDEN = ("HiddenTests", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "autograder.hidden")


def output_tail(run, chars=3000):
    """The end of a finished run's stdout and stderr (all of both with chars=None), for a failure message."""
    if chars is None:
        return run.stdout + run.stderr
    return run.stdout[-chars:] + run.stderr[-chars:]


def run_autograder(*args, env=None, timeout=300, check=False, tail=3000, venv_path=True):
    """`python -m autograder ARGS` run from the repository, output captured as text.

    env: variables added to the environment; venv_path=False runs it in the test's own
    environment rather than notebooks.nbgrader_env() (the venv's bin first on PATH);
    check: assert it exited 0, the message the end of its output (`tail` characters of each
    stream, all with None)."""
    cmd = [sys.executable, "-m", "autograder", *map(str, args)]
    base = notebooks.nbgrader_env() if venv_path else dict(os.environ)
    run = subprocess.run(cmd, cwd=notebooks.ROOT, env=dict(base, **(env or {})),
                         capture_output=True, text=True, timeout=timeout)
    if check:
        assert run.returncode == 0, f"exit code {run.returncode}\n" + output_tail(run, tail)
    return run


def run_grade(*args, **kwargs):
    """`python -m autograder grade ARGS` (the keywords as run_autograder's)."""
    return run_autograder("grade", *args, **kwargs)


def read_grades(out):
    """grades.csv in folder out: {(student, assignment): its row}, in the file's order."""
    with open(out / "grades.csv", newline="") as fh:
        return {(r["student"], r["assignment"]): r for r in csv.DictReader(fh)}


def hidden_in(text):
    """The traces of HIDDEN found in text (none, for a page a learner may see)."""
    return [h for h in HIDDEN if h in text]


def assert_no_hidden_tests(pages):
    """Feedback pages (paths): at least one, and none shows a trace of the hidden tests."""
    pages = list(pages)
    assert pages, "no feedback pages"
    for page in pages:
        found = hidden_in(page.read_text())
        assert not found, f"{found} in {page}"
