"""The learner's progress view: visible checks record verdicts; show() reports them."""

import numpy as np
import pytest

from course import progress
from course.checks import VisibleChecks
from course.syllabus import LESSONS


@pytest.fixture(autouse=True)
def _own_progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(tmp_path / "progress.json"))


def test_nothing_checked_yet():
    rows = progress.summary()
    assert [r[0] for r in rows] == list(range(1, 11))
    assert all(r[2] == 0 for r in rows)
    assert "total: 0 of" in repr(progress.show())


def test_visible_checks_record_pass_and_fail():
    check = VisibleChecks("01_neuron")
    check("relu", lambda z: np.maximum(z, 0.0))
    with pytest.raises(AssertionError):
        check("sigmoid", lambda z: z)
    assert progress.load()["01_neuron"] == {"relu": True, "sigmoid": False}
    first = progress.summary()[0]
    assert first[:4] == (1, "The neuron", 1, 8) and "sigmoid" in first[4]
    table = progress.show()
    assert " 1. The neuron" in repr(table) and "1/8" in repr(table)
    assert "still to do" in table._repr_html_()
    assert "hidden tests run when your work is graded" in table._repr_html_()


def test_a_later_pass_replaces_a_fail():
    check = VisibleChecks("01_neuron")
    with pytest.raises(AssertionError):
        check("relu", lambda z: z)
    check("relu", lambda z: np.maximum(z, 0.0))
    assert progress.load()["01_neuron"]["relu"] is True


def test_unwritable_progress_file_never_breaks_a_check(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("BACKPROP_PROGRESS_FILE", str(blocker / "progress.json"))
    VisibleChecks("01_neuron")("relu", lambda z: np.maximum(z, 0.0))
    assert progress.load() == {}


def test_corrupt_progress_file_reads_as_empty(tmp_path):
    progress.progress_file().write_text("{not json")
    assert progress.load() == {}


def test_syllabus_paths_follow_the_naming_convention():
    assert LESSONS[0].lesson_path == "lessons/01_neuron.ipynb"
    assert LESSONS[0].exercise_path == "exercises/01_neuron/01_neuron_exercise.ipynb"
