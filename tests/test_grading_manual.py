"""Manual grading closes the loop: a score and a comment given by hand (through nbgrader's
Gradebook API, as the formgrader writes them) reach the feedback and the reports with
`python -m autograder feedback`; a resubmission clears them (or keeps them with --keep-manual)
and says so; the ledger keeps the earlier gradings, which the learner's summary lists."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import notebooks
from autograder.grading.ledger import Ledger
from autograder.grading.outcomes import MANUAL_CLEARED, Outcome
from autograder.grading.submissions import Submission
from support.grading import hidden_in, read_grades, run_autograder
from support.synthetic import correct_notebook

ASSIGNMENT, NOTEBOOK = "01_neuron", "01_neuron_exercise"
COURSE_ID = "backprop-by-hand"


# ------------------------------------------------------------------ the ledger, alone

def sub(student="ada", hash_="h1"):
    s = Submission(student, ASSIGNMENT, None)
    s.hash = hash_
    return s


def test_the_ledger_keeps_every_grading_and_the_earlier_ones_are_the_history(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    mistake = Outcome("known mistake", cell="test_relu", function="relu", mistake=("returned the input",))
    ledger.record(sub(hash_="h1"), "judge", [mistake], (11.0, 12.0), "f1")
    ledger.record(sub("bob", "h9"), "judge", [], (12.0, 12.0), "f9")
    ledger.record(sub(hash_="h2"), "judge", [], (12.0, 12.0), "f2")
    ledger.close()
    again = Ledger(tmp_path / "ledger.jsonl")
    (earlier,) = again.history("ada/01_neuron")
    assert earlier["score"] == 11.0 and earlier["max_score"] == 12.0 and earlier["graded_at"]
    assert earlier["status"] == "relu: known mistake: returned the input"  # as the reports write it
    assert again.history("bob/01_neuron") == [] and again.histories() == {"ada/01_neuron": [earlier]}
    assert again.done(sub(hash_="h2"), "judge") == [] and again.done(sub(hash_="h1"), "judge") is None
    assert again.changed(sub(hash_="h2"), "f2") is False and again.changed(sub(hash_="h2"), "f3") is True
    assert again.changed(sub("carl"), "f1") is None  # never graded: nobody knows


def test_a_line_without_files_or_score_from_an_older_ledger_still_counts(tmp_path):
    path = tmp_path / "ledger.jsonl"
    old = {"student": "ada", "assignment": ASSIGNMENT, "hash": "h1", "engine": "judge", "outcomes": "ok",
           "graded_at": "2026-11-01T10:00:00"}
    path.write_text(json.dumps(old) + "\n" + '{"student": "ada", "assi')  # and a line cut short
    ledger = Ledger(path)
    assert ledger.changed(sub(hash_="h1"), "f1") is False and ledger.changed(sub(hash_="h2"), "f1") is True
    ledger.record(sub(hash_="h2"), "judge", [], (12.0, 12.0), "f2")
    assert Ledger(path).history("ada/01_neuron") == [
        {"graded_at": "2026-11-01T10:00:00", "score": None, "max_score": None, "status": "ok"}]


def test_a_cleared_manual_grade_is_held_until_the_submission_is_recorded(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    cleared = Outcome(MANUAL_CLEARED, "test_relu 0.5 / 1")
    ledger.hold("ada/01_neuron", [cleared], {"scores": {"test_relu": [0.5, None, 1.0]}, "comments": {}})
    ledger.close()
    interrupted = Ledger(tmp_path / "ledger.jsonl")  # a run stopped before grading it
    assert interrupted.held_outcomes("ada/01_neuron") == [cleared]
    interrupted.record(sub(), "judge", [cleared], (12.0, 12.0), "f2")
    line = json.loads((tmp_path / "ledger.jsonl").read_text().splitlines()[-1])
    assert line["cleared_manual"] == [{"scores": {"test_relu": [0.5, None, 1.0]}, "comments": {}}]
    assert not (tmp_path / "held.json").exists() and Ledger(tmp_path / "ledger.jsonl").held_outcomes(
        "ada/01_neuron") == []


def test_what_was_given_by_hand_reads_in_one_line():
    from autograder.grading.gradebook import Manual

    given = Manual({"test_relu": (0.5, None, 1.0), "test_neuron": (None, 1.0, 2.0), "explanation": (3.0, 1.0, 3.0)},
                   {"relu": "Close:\n  a negative input " + "must give zero " * 6})
    assert given.describe() == ('explanation 3 / 3 + 1 extra credit; test_neuron + 1 extra credit; '
                                'test_relu 0.5 / 1; comment on relu: "Close: a negative input must give zero must '
                                'give zero must g..."')
    assert not Manual() and given.to_json()["scores"]["test_relu"] == [0.5, None, 1.0]


# ------------------------------------------------------------------ end to end

def write(course, student, nb):
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")


def wrong_relu():
    nb = correct_notebook(ASSIGNMENT)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "relu":
            cell.source = "def relu(z):\n    return z\n"
    return nb


def command(*args):
    return run_autograder(*args, check=True)


def feedback(course, student):
    return (course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()


def total_in(page):
    """The feedback page's total, "Score: 11.5 / 12.0" (nbgrader's feedback header)."""
    (found,) = set(re.findall(r"Score: ([\d.]+) / 12\.0\)?</h", page)) or {None}
    return float(found)


def give(course, student, grade_cell, score, cell, comment, assignment=ASSIGNMENT, notebook=NOTEBOOK, db=None,
         graded=True):
    """What the formgrader does when an instructor types a score and a comment: in the course
    folder's gradebook.db, or in the gradebook at URL db. graded=False leaves the grade cell's
    needs_manual_grade as it was (only the score and the comment written)."""
    from nbgrader.api import Gradebook

    with Gradebook(db or f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        grade = gb.find_grade(grade_cell, notebook, assignment, student)
        grade.manual_score = score
        if graded:
            grade.needs_manual_grade = False
        gb.find_comment(cell, notebook, assignment, student).manual_comment = comment
        gb.db.commit()


def manual_in_gradebook(course, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        nb = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
        return ({g.name: g.manual_score for g in nb.grades if g.manual_score is not None},
                {c.name: c.manual_comment for c in nb.comments if c.manual_comment})


@pytest.mark.slow
def test_manual_grades_reach_feedback_and_reports_and_a_resubmission_clears_or_keeps_them(tmp_path):
    course = tmp_path
    write(course, "ada", wrong_relu())
    write(course, "bob", correct_notebook(ASSIGNMENT))
    command("grade", course / "submitted", "--jobs", 1)
    rows = read_grades(course)
    assert (rows["ada", ASSIGNMENT]["score"], rows["bob", ASSIGNMENT]["score"]) == ("11", "12")

    # 1. scores and comments by hand: the reports and the feedback do not know yet ...
    give(course, "ada", "test_relu", 0.5, "relu", "Close: a negative input must give zero.")
    give(course, "bob", "test_neuron", 1.0, "neuron", "Say why the bias is added last.")
    assert read_grades(course)["ada", ASSIGNMENT]["score"] == "11"
    assert "Close: a negative" not in feedback(course, "ada")

    # ... until one command makes feedback, grades.csv and the summaries agree with the gradebook
    run = command("feedback", course)
    assert "2 of 2 submissions' feedback made again" in run.stderr
    rows = read_grades(course)
    assert (rows["ada", ASSIGNMENT]["score"], rows["bob", ASSIGNMENT]["score"]) == ("11.5", "11")
    for student, comment in (("ada", "Close: a negative input must give zero."),
                             ("bob", "Say why the bias is added last.")):
        page = feedback(course, student)
        assert comment in page
        assert total_in(page) == float(rows[student, ASSIGNMENT]["score"])
        assert not hidden_in(page), student
    assert "Score: 0.5 / 1.0" in feedback(course, "ada")  # the cell's own hand-given score
    assert (course / "summary" / "ada.md").read_text().startswith("# ada: 11.5 / 12 points")
    with open(course / "summary.csv", newline="") as fh:
        assert {r["student"]: r["total"] for r in csv.DictReader(fh)} == {"ada": "11.5", "bob": "11"}

    # --student: only that learner's feedback is made again
    give(course, "bob", "test_neuron", 1.0, "neuron", "Say why the bias is added last, please.")
    run = command("feedback", course, "--student", "ada")
    assert "1 of 1 submissions' feedback made again" in run.stderr
    assert "added last, please." not in feedback(course, "bob")
    give(course, "bob", "test_neuron", 1.0, "neuron", "Say why the bias is added last.")

    # 2. ada hands in a fixed notebook: her hand-given score and comment judged the old one
    write(course, "ada", correct_notebook(ASSIGNMENT))
    run = command("grade", course / "submitted", "--jobs", 1)
    assert "1 already graded (ledger), 1 to grade" in run.stderr
    rows = read_grades(course)
    assert rows["ada", ASSIGNMENT]["score"] == "12"
    assert rows["ada", ASSIGNMENT]["status"] == ('manual score cleared: test_relu 0.5 / 1; comment on relu: "Close: '
                                                 'a negative input must give zero." (given to an earlier version of '
                                                 'the files; grade --keep-manual keeps them)')
    assert manual_in_gradebook(course, "ada") == ({}, {})
    assert "Close: a negative" not in feedback(course, "ada") and total_in(feedback(course, "ada")) == 12
    # not resubmitted: kept
    assert (rows["bob", ASSIGNMENT]["score"], rows["bob", ASSIGNMENT]["status"]) == ("11", "ok")
    page = (course / "summary" / "ada.md").read_text()
    assert "## Earlier gradings" in page and "| 11 / 12 | relu: known mistake: returned the input |" in page
    lines = [json.loads(line) for line in (course / "grading" / "ledger.jsonl").read_text().splitlines()]
    assert [(e["student"], e["score"]) for e in lines] == [("ada", 11.0), ("bob", 12.0), ("ada", 12.0)]
    assert lines[-1]["cleared_manual"] == [{"scores": {"test_relu": [0.5, None, 1.0]},
                                            "comments": {"relu": "Close: a negative input must give zero."}}]

    # 3. bob resubmits (a note added) and the instructor keeps the hand-given grade: said, and in his feedback
    nb = correct_notebook(ASSIGNMENT)
    nb.cells.append(nbformat.v4.new_markdown_cell("My notes on the neuron."))
    write(course, "bob", nb)
    command("grade", course / "submitted", "--jobs", 1, "--keep-manual")
    row = read_grades(course)["bob", ASSIGNMENT]
    assert row["score"] == "11"
    assert row["status"] == ('manual score kept: test_neuron 1 / 2; comment on neuron: "Say why the bias is '
                             'added last." (given to an earlier version of the files)')
    assert manual_in_gradebook(course, "bob") == ({"test_neuron": 1.0}, {"neuron": "Say why the bias is added last."})
    page = feedback(course, "bob")  # made by the worker, from its copy of the gradebook
    assert "Say why the bias is added last." in page and total_in(page) == 11

    # 4. --force regrades unchanged files: the hand-given grade stays, nothing to say
    command("grade", course / "submitted", "--jobs", 1, "--force")
    rows = read_grades(course)
    assert (rows["bob", ASSIGNMENT]["score"], rows["bob", ASSIGNMENT]["status"]) == ("11", "ok")
    assert (rows["ada", ASSIGNMENT]["score"], rows["ada", ASSIGNMENT]["status"]) == ("12", "ok")
    assert total_in(feedback(course, "bob")) == 11


@pytest.mark.slow
def test_a_written_answer_graded_by_hand_reaches_the_reports_and_is_cleared_by_a_resubmission(tmp_path):
    """Exercise 9's explanation: awaiting a manual grade after the run; graded in the gradebook,
    `feedback` counts it and the status no longer waits; a resubmission clears it and waits again."""
    from support.synthetic import written_answers

    assignment, notebook = "09_chain_rule", "09_chain_rule_exercise"
    assert written_answers(assignment) == {"explanation": 3}
    folder = tmp_path / "submitted" / "ada" / assignment
    folder.mkdir(parents=True)
    nbformat.write(correct_notebook(assignment), folder / f"{notebook}.ipynb")
    (folder / "timestamp.txt").write_text("2026-12-01 09:00:00 UTC\n")
    # the due date set first, as the README says, in a course folder with no nbgrader config yet
    # (nbgrader then registers the assignment under course id '')
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "db", "assignment", "add", assignment,
                    "--duedate=2026-12-01 10:00:00 UTC"], cwd=tmp_path, check=True, capture_output=True,
                   env=notebooks.nbgrader_env())
    run = command("grade", tmp_path / "submitted", "--jobs", 1)
    row = read_grades(tmp_path)["ada", assignment]
    assert (row["score"], row["max_score"], row["status"]) == ("16", "19", "awaiting manual grade: explanation")
    assert "ada/09_chain_rule  16/19  awaiting manual grade: explanation" in run.stderr  # the progress line agrees
    page = (tmp_path / "feedback" / "ada" / assignment / f"{notebook}.html").read_text()
    assert "Your written answer explanation (3 points) waits for your instructor&#39;s grade" in page \
        or "Your written answer explanation (3 points) waits for your instructor's grade" in page

    give(tmp_path, "ada", "explanation", 2.5, "explanation", "Name the local derivative.", assignment, notebook)
    command("feedback", tmp_path)
    row = read_grades(tmp_path)["ada", assignment]
    assert (row["score"], row["status"]) == ("18.5", "ok")
    page = (tmp_path / "feedback" / "ada" / assignment / f"{notebook}.html").read_text()
    assert "Name the local derivative." in page and re.search(r"Score: 18\.5 / 19\.0", page)
    assert "waits for your instructor" not in page

    # the same notebook handed in again (only timestamp.txt is new): graded again, the hand grade stays
    (folder / "timestamp.txt").write_text("2026-12-01 09:30:00 UTC\n")
    run = command("grade", tmp_path / "submitted", "--jobs", 1)
    assert "ada/09_chain_rule" in run.stderr  # it was graded again, not skipped
    row = read_grades(tmp_path)["ada", assignment]
    assert (row["score"], row["status"], row["submitted_at"]) == ("18.5", "ok", "2026-12-01T09:30:00+00:00")

    nb = correct_notebook(assignment)
    nb.cells.append(nbformat.v4.new_markdown_cell("A second thought."))
    nbformat.write(nb, folder / f"{notebook}.ipynb")
    command("grade", tmp_path / "submitted", "--jobs", 1)
    row = read_grades(tmp_path)["ada", assignment]
    assert row["score"] == "16"
    assert row["status"].startswith("manual score cleared: explanation 2.5 / 3; comment on explanation")
    assert row["status"].endswith("; awaiting manual grade: explanation")


@pytest.mark.slow
def test_kept_manual_grades_reach_the_feedback_with_a_database_server(tmp_path):
    """With --db the workers' gradebook copies hold no grades (registration rows only): the
    feedback of a resubmission whose manual grade is kept is made again from the master. (A
    SQLite URL elsewhere stands for the server: the command treats any --db URL alike.)"""
    db = f"sqlite:///{tmp_path / 'server.db'}"
    write(tmp_path, "bob", correct_notebook(ASSIGNMENT))
    command("grade", tmp_path / "submitted", "--jobs", 1, "--db", db)
    assert not (tmp_path / "gradebook.db").exists()
    # score and comment only (needs_manual_grade left as the grade run wrote it)
    give(tmp_path, "bob", "test_neuron", 1.0, "neuron", "Say why the bias is added last.", db=db, graded=False)
    nb = correct_notebook(ASSIGNMENT)
    nb.cells.append(nbformat.v4.new_markdown_cell("My notes on the neuron."))
    write(tmp_path, "bob", nb)
    command("grade", tmp_path / "submitted", "--jobs", 1, "--db", db, "--keep-manual")
    assert read_grades(tmp_path)["bob", ASSIGNMENT]["score"] == "11"
    page = feedback(tmp_path, "bob")
    assert "Say why the bias is added last." in page and total_in(page) == 11
