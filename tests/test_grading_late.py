"""Late work: nbgrader's warning about it names database objects; the grade command reads it
after the session that loaded them has closed, and must still say it, not crash. And the
instructor's late penalty in the output folder's nbgrader_config.py is the one applied."""

import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograder.grading import logs, pipelines
from autograder.grading.outcomes import LATE

ROOT = Path(__file__).resolve().parent.parent


class Detached:
    """Stands for a database row whose session has closed: reading it raises."""

    def __init__(self):
        self.open = True

    def __str__(self):
        if not self.open:
            raise RuntimeError("DetachedInstanceError: the session is closed")
        return "Submission<01_neuron for ada>"


def test_a_warning_is_read_while_what_it_names_still_exists():
    row = Detached()
    with logs.captured_log() as records:
        logs.log.get_logger().warning("%s is %s seconds late", row, 3600.0)
    row.open = False  # the session closes after the notebook is graded
    (outcome,) = logs.outcomes_from_log(records)
    assert outcome.kind == LATE and outcome.detail == "1:00:00 after the due date"
    assert "Submission<01_neuron for ada>" in logs.log_text(records)


def test_a_malformed_log_call_is_kept_not_raised():
    with logs.captured_log() as records:
        logs.log.get_logger().warning("%s and %s", "only one")
    assert "WARNING: '%s and %s'" in logs.log_text(records)
    assert logging.WARNING == records[0].levelno


def test_the_output_folders_late_penalty_is_applied(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()\nc.LateSubmissionPlugin.penalty_method = "zero"\n'
        'c.CourseDirectory.root = "/somewhere/else"\n')
    cfg = pipelines.course_config(tmp_path, tmp_path / "gradebook.db")
    assert cfg.LateSubmissionPlugin.penalty_method == "zero"
    assert cfg.CourseDirectory.root == str(tmp_path)  # folders stay the command's
    plain = tmp_path / "plain"
    plain.mkdir()
    assert "penalty_method" not in pipelines.course_config(plain, plain / "g.db").LateSubmissionPlugin


@pytest.mark.slow
def test_a_late_submission_is_graded_with_the_instructors_penalty(tmp_path):
    """A correct notebook handed in two hours after the due date: graded, not crashed; with the
    penalty method "zero" in the output folder's config its score is 0, and the status says why."""
    import csv
    import subprocess

    import nbformat

    from support.synthetic import correct_notebook

    folder = tmp_path / "submitted" / "ada" / "01_neuron"
    folder.mkdir(parents=True)
    nbformat.write(correct_notebook("01_neuron"), folder / "01_neuron_exercise.ipynb")
    (folder / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC\n")

    def grade(*extra):
        run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "submitted"),
                              "--out", str(tmp_path), *extra], capture_output=True, text=True,
                             cwd=ROOT, timeout=300)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        with open(tmp_path / "grades.csv") as f:
            return list(csv.DictReader(f))

    (row,) = grade()
    assert row["score"] == "12" and row["status"] == "ok"  # no due date yet: on time
    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "backprop-by-hand"\n'
        'c.LateSubmissionPlugin.penalty_method = "zero"\n')
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "db", "assignment", "add",
                    "01_neuron", "--duedate=2026-12-01 10:00:00 UTC"], cwd=tmp_path, check=True,
                   capture_output=True)
    (row,) = grade("--force")
    assert row["score"] == "0" and row["max_score"] == "12"
    assert row["status"] == "late: 2:00:00 after the due date, penalty 12 points"


def test_lateness_reads_as_hours_and_days():
    assert logs.late_text(7200.0) == "2:00:00 after the due date"
    assert logs.late_text(3 * 86400 + 1800.4) == "3 days, 0:30:00 after the due date"
