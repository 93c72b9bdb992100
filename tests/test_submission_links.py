"""A link is not a submission: `submissions.link_outside` (autograder/grading/) refuses a
submission that reaches outside its own folder through a symbolic or hard link, and leaves
ordinary folders alone."""

import os

from autograder.grading.submissions import link_outside


def submission(tmp_path):
    folder = tmp_path / "submitted" / "ada" / "01_neuron"
    folder.mkdir(parents=True)
    (folder / "01_neuron_exercise.ipynb").write_text("{}")
    return folder


def test_an_ordinary_submission_passes(tmp_path):
    folder = submission(tmp_path)
    (folder / "data").mkdir()
    (folder / "data" / "notes.txt").write_text("mine")
    (folder / "shortcut.txt").symlink_to(folder / "data" / "notes.txt")  # stays inside
    os.link(folder / "data" / "notes.txt", folder / "again.txt")  # both names inside
    assert link_outside(folder) is None


def test_symbolic_links_out_are_refused(tmp_path):
    folder = submission(tmp_path)
    outside = tmp_path / "solution.ipynb"
    outside.write_text("{}")
    (folder / "01_neuron_exercise.ipynb").unlink()
    (folder / "01_neuron_exercise.ipynb").symlink_to(outside)
    assert "symbolic link" in link_outside(folder)


def test_a_linked_folder_is_refused(tmp_path):
    real = submission(tmp_path)
    other = tmp_path / "submitted" / "bob"
    other.mkdir()
    (other / "01_neuron").symlink_to(real, target_is_directory=True)
    assert "symbolic link" in link_outside(other / "01_neuron")
    (tmp_path / "submitted" / "eve").symlink_to(real.parent, target_is_directory=True)
    assert "symbolic link" in link_outside(tmp_path / "submitted" / "eve" / "01_neuron")


def test_a_hard_link_to_a_file_outside_is_refused(tmp_path):
    folder = submission(tmp_path)
    outside = tmp_path / "classmate.ipynb"
    outside.write_text("{}")
    (folder / "01_neuron_exercise.ipynb").unlink()
    os.link(outside, folder / "01_neuron_exercise.ipynb")
    assert "hard link" in link_outside(folder)
