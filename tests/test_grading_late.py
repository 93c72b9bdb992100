"""Late work: nbgrader's warning about it names database objects; the grade command reads it
after the session that loaded them has closed, and must still say it, not crash. And the
instructor's late penalty in the output folder's nbgrader_config.py is the one applied."""

import logging

from autograder.grading import logs, pipelines
from autograder.grading.outcomes import LATE


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
    assert outcome.kind == LATE and "3600.0 seconds late" in outcome.detail
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
