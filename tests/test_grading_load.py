"""A busy machine costs no points: `python -m autograder grade` on a saturated processor gives the
correct solutions full marks (a cell's limit counts its own time, `autograder.cell_time`), and a
cell stopped at the limit is graded again alone before it costs points (`batch.GradeRun`).

The assertions are on scores and statuses, never on how long anything took."""

import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from autograder import lifetime, notebooks
from support.grading import read_grades, run_grade
from support.load import busy_processor

pytestmark = pytest.mark.slow  # runs the grade command end to end



def put(course, student, assignment, source=None):
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{assignment}_exercise.ipynb"
    target.write_text(source or (notebooks.SOLUTIONS / assignment / f"{assignment}_exercise.ipynb").read_text())
    return target


def manual_cells_of(assignment):
    """{grade_id: points} of the solution's answer cells graded by hand."""
    nb = nbformat.read(notebooks.SOLUTIONS / assignment / f"{assignment}_exercise.ipynb", as_version=4)
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("solution"):
            found[meta["grade_id"]] = float(meta.get("points", 0))
    return found


def manual_points(assignment):
    return sum(manual_cells_of(assignment).values())


def manual_cells(assignment):
    return ", ".join(manual_cells_of(assignment))


@pytest.fixture
def saturated_processor():
    with busy_processor():
        yield


@pytest.mark.parametrize("engine", ["judge", "kernel"])
def test_correct_solutions_get_full_marks_on_a_saturated_machine(tmp_path, saturated_processor, engine):
    # every exercise's solution, graded by two workers that share one processor with six busy
    # processes: a cell takes several times its idle wall time, and a 5 s limit (a sixth of the
    # default) is still enough, since the wait for the processor does not count
    course = tmp_path / "course"
    assignments = notebooks.assignments()
    for assignment in assignments:
        put(course, "learner", assignment)
    cmd = [sys.executable, "-m", "autograder", "grade", str(course), "--jobs", "2", "--timeout", "5",
           "--engine", engine]
    run = subprocess.run(cmd, cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), capture_output=True, text=True,
                         timeout=1800, preexec_fn=lambda: os.sched_setaffinity(0, {0}))
    assert run.returncode == 0, run.stderr[-3000:]
    rows = read_grades(course)
    assert len(rows) == len(assignments)
    for (_, assignment), row in rows.items():
        manual = manual_points(assignment)  # graded by hand later: not given by the command
        assert float(row["max_score"]) > manual, row
        assert float(row["score"]) == float(row["max_score"]) - manual, (assignment, row)
        # no cell stopped, not even once; "awaiting manual grade" for a question graded by hand
        assert row["status"] == ("ok" if not manual else f"awaiting manual grade: {manual_cells(assignment)}"), row
    assert "again alone" not in run.stderr


def test_a_cell_stopped_at_the_limit_is_graded_again_alone_before_it_costs_points(tmp_path):
    # the sandbox grading the notebook is frozen (SIGSTOP) by the test, as a machine stalled by
    # something else would leave it, until its cell is stopped at the limit; graded again alone,
    # unfrozen, the notebook gets full marks and the status says what happened
    course = tmp_path / "course"
    nb = (notebooks.SOLUTIONS / "01_neuron" / "01_neuron_exercise.ipynb").read_text()
    nb = nb.replace('"cells": [', '"cells": [{"cell_type": "code", "execution_count": null, "id": "pause", '
                                  '"metadata": {}, "outputs": [], "source": ["import time\\n", '
                                  '"time.sleep(2)"]}, ', 1)
    put(course, "frozen", "01_neuron", nb)
    cmd = [sys.executable, "-m", "autograder", "grade", str(course), "--jobs", "1", "--timeout", "5"]
    proc = subprocess.Popen(cmd, cwd=notebooks.ROOT, env=notebooks.nbgrader_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    registry = lifetime.Registry(course / "grading" / "processes")
    deadline = time.monotonic() + 300
    frozen = None
    while frozen is None:
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()[-3000:]
        found = registry.running("sandbox")
        if found:
            frozen = found[0][0]
            os.kill(frozen, signal.SIGSTOP)
        time.sleep(0.05)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    assert "grade: 1 submission had a cell stopped at the time limit; grading it again alone" in stderr
    row = read_grades(course)["frozen", "01_neuron"]
    assert row["score"] == row["max_score"] == "12", row
    assert row["status"] == ("grader note: a cell was stopped at the 5 s limit; graded again alone, "
                             "every cell finished in time"), row
    assert lifetime.start_time(frozen) is None  # the frozen sandbox was ended, not left behind


def test_an_endless_loop_still_costs_its_points_after_the_second_try(tmp_path):
    course = tmp_path / "course"
    nb = (notebooks.SOLUTIONS / "01_neuron" / "01_neuron_exercise.ipynb").read_text()
    # relu's definition replaced by an endless loop: its points lost, the rest graded
    target = put(course, "looping", "01_neuron", nb)
    put(course, "honest", "01_neuron")
    book = nbformat.read(target, as_version=4)
    cell = next(c for c in book.cells if c.cell_type == "code" and "def relu(" in c.source)
    cell.source = "while True:\n    pass\n"
    nbformat.write(book, target)
    run = run_grade(course, "--jobs", 2, "--timeout", 3, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "grade: 1 submission had a cell stopped at the time limit; grading it again alone" in run.stderr
    rows = read_grades(course)
    assert rows["honest", "01_neuron"]["status"] == "ok"
    looping = rows["looping", "01_neuron"]
    assert float(looping["score"]) < 12, looping
    assert "ran past 3 s (again when graded alone)" in looping["status"], looping
