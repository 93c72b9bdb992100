"""The grade command's reports on rows built by hand: grades.csv's submission time, lateness and
penalty columns, the awaiting-manual outcome, what the class got wrong (questions.csv,
mistakes.csv, summary/class.md, the printed table's short version) and the learner's page
(named mistakes in notebook order, earlier gradings); then the grade command on a small class
with known bugs (slow)."""

import csv
import json

import nbformat
import pytest

from autograder import notebooks
from autograder.grading.class_report import cell_order
from autograder.grading.gradebook import Score
from autograder.grading.outcomes import AWAITING_MANUAL, GRADER_ERROR, MISTAKE, NOT_SUBMITTED, Outcome, status_text
from autograder.grading.reports import Row, report_rows, student_page, summary_table, write_reports
from autograder.grading.submissions import Submission
from support.grading import read_grades, run_grade

NEURON = {"test_sigmoid": 1.0, "test_tanh": 1.0, "test_relu": 1.0, "test_sigmoid_prime": 2.0,
          "test_tanh_prime": 2.0, "test_relu_prime": 2.0, "test_weighted_sum": 1.0, "test_neuron": 2.0}
MAXIMA = {"01_neuron": 12.0}


def cells(**lost):
    """01_neuron's grade cells at full marks, except those named (test_<name>=score)."""
    return {cell: (lost.get(cell, most), most) for cell, most in NEURON.items()}


def mistake(function, *names):
    return Outcome(MISTAKE, cell=f"test_{function}", function=function, mistake=names)


def rows_of_a_class():
    """ann, bob: sigmoid returned its input; bob also relu_prime's sign; cid: all right; dan: relu_prime's
    sign; eve: not submitted; fay: a grader error (not graded)."""
    sigmoid, relu_prime = mistake("sigmoid", "returned the input"), mistake("relu_prime", "sign flip")
    return [
        Row("ann", "01_neuron", 11.0, 12.0, [sigmoid], cells(test_sigmoid=0.0)),
        Row("bob", "01_neuron", 9.0, 12.0, [relu_prime, sigmoid], cells(test_sigmoid=0.0, test_relu_prime=0.0)),
        Row("cid", "01_neuron", 12.0, 12.0, [], cells()),
        Row("dan", "01_neuron", 10.0, 12.0, [relu_prime], cells(test_relu_prime=0.0)),
        Row("eve", "01_neuron", 0.0, 12.0, [Outcome(NOT_SUBMITTED)]),
        Row("fay", "01_neuron", None, 12.0, [Outcome(GRADER_ERROR, "boom")]),
    ]


def read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_report_rows_take_time_lateness_penalty_and_manual_cells_from_the_gradebook(tmp_path):
    subs = [Submission("ann", "01_neuron", tmp_path), Submission("bob", "01_neuron", tmp_path),
            Submission("eve", "01_neuron", None), Submission("fay", "01_neuron", tmp_path)]
    scores = {("ann", "01_neuron"): Score(9.0, 12.0, cells(), "2026-12-01T12:00:00", 7200.0, 3.0, ()),
              ("bob", "01_neuron"): Score(10.0, 12.0, cells(), "2026-12-01T09:00:00", 0.0, 0.0,
                                          ("explanation", "derivation")),
              ("fay", "01_neuron"): Score(12.0, 12.0, cells(), "2026-12-01T09:00:00", 0.0, 0.0, ("explanation",))}
    outcomes = {"ann/01_neuron": [], "bob/01_neuron": [], "eve/01_neuron": [Outcome(NOT_SUBMITTED)],
                "fay/01_neuron": [Outcome(GRADER_ERROR, "boom")]}
    history = {"ann/01_neuron": [{"graded_at": "2026-11-30T10:00:00", "score": 4.0, "max_score": 12.0,
                                  "status": "ok"}]}
    ann, bob, eve, fay = report_rows(tmp_path, subs, outcomes, scores, MAXIMA, ["fay/01_neuron"], history)
    assert (ann.submitted_at, ann.late_seconds, ann.penalty, ann.status) == ("2026-12-01T12:00:00", 7200.0, 3.0, "ok")
    assert ann.history == history["ann/01_neuron"] and bob.history == [] and eve.history == []
    assert bob.outcomes == [Outcome(AWAITING_MANUAL, "explanation, derivation")]
    assert bob.status == "awaiting manual grade: explanation, derivation"
    assert (eve.score, eve.submitted_at, eve.late_seconds, eve.penalty) == (0.0, None, None, None)
    # a grader error: no score, and nothing from the gradebook's earlier grading, manual cells included
    assert (fay.score, fay.submitted_at) == (None, None) and AWAITING_MANUAL not in [o.kind for o in fay.outcomes]
    # without history (the parameter is optional) rows have none
    assert report_rows(tmp_path, subs[:1], outcomes, scores, MAXIMA, [])[0].history == []


def test_the_awaiting_outcome_is_not_added_twice_and_is_counted_like_any_kind(tmp_path):
    subs = [Submission("ann", "01_neuron", tmp_path), Submission("bob", "01_neuron", tmp_path)]
    waiting = Outcome(AWAITING_MANUAL, "explanation")
    scores = {(s.student, "01_neuron"): Score(12.0, 12.0, cells(), awaiting_manual=("explanation",)) for s in subs}
    ann, bob = report_rows(tmp_path, subs, {"ann/01_neuron": [waiting], "bob/01_neuron": []}, scores, MAXIMA, [])
    assert ann.outcomes == [waiting] and bob.outcomes == [waiting]
    head, line = summary_table([ann, bob], MAXIMA, []).splitlines()[:2]
    assert "awaiting manual grade" in head and line.split()[-1] == "2", (head, line)


def test_grades_csv_keeps_its_five_columns_first_and_adds_time_lateness_penalty(tmp_path):
    rows = rows_of_a_class()
    rows[0].submitted_at, rows[0].late_seconds, rows[0].penalty = "2026-12-01T12:00:00+00:00", 1209600.4, 6.0
    rows[0].score, rows[0].before_penalty = 5.0, 11.0
    rows[2].submitted_at, rows[2].late_seconds, rows[2].penalty = "2026-11-30T09:00:00+00:00", 0.0, 0.0
    write_reports(tmp_path, rows, MAXIMA, [("ann", "99_extra")])
    with open(tmp_path / "grades.csv", newline="") as fh:
        head = next(csv.reader(fh))
    assert head == ["student", "assignment", "score", "max_score", "status", "submitted_at", "late_by_seconds",
                    "penalty", "score_before_penalty"]
    got = read_grades(tmp_path)
    ann = got["ann", "01_neuron"]
    assert (ann["score"], ann["status"]) == ("5", "sigmoid: known mistake: returned the input")
    # two weeks late in whole seconds (not 1.2096e+06)
    assert (ann["submitted_at"], ann["late_by_seconds"], ann["penalty"]) == \
        ("2026-12-01T12:00:00+00:00", "1209600", "6")
    assert ann["score_before_penalty"] == "11"  # the Formgrader's score; score is after the penalty
    # the learner's page says why the score is what it is
    page = (tmp_path / "summary" / "learners" / "ann.md").read_text()
    assert ("- 01_neuron: handed in 2026-12-01T12:00:00+00:00, 14 days, 0:00:00 after the due date; the late "
            "penalty took 6 points off (score before the penalty: 11 / 12)") in page
    assert "Handed in late" not in (tmp_path / "summary" / "learners" / "cid.md").read_text()  # on time
    assert (got["cid", "01_neuron"]["late_by_seconds"], got["cid", "01_neuron"]["penalty"]) == ("0", "0")
    assert (got["eve", "01_neuron"]["submitted_at"], got["eve", "01_neuron"]["late_by_seconds"]) == ("", "")
    assert got["ann", "99_extra"]["status"].startswith("unknown assignment") and got["ann", "99_extra"]["penalty"] == ""


def test_mistakes_csv_counts_learners_per_named_mistake_of_those_graded(tmp_path):
    rows = rows_of_a_class() + [
        Row("ann", "03_loss", 10.0, 11.0, [mistake("mse", "forgot the mean")], {"test_mse": (0.0, 1.0)}),
        Row("bob", "03_loss", 11.0, 11.0, [], {"test_mse": (1.0, 1.0)})]
    write_reports(tmp_path, rows, dict(MAXIMA, **{"03_loss": 11.0}), [])
    found = [(r["assignment"], r["function"], r["mistake"], r["learners"], r["submitted"], r["students"])
             for r in read_csv(tmp_path / "mistakes.csv")]
    # eve (not submitted) and fay (not graded) are not counted; a tie goes in notebook order
    assert found == [("01_neuron", "sigmoid", "returned the input", "2", "4", "ann bob"),
                     ("01_neuron", "relu_prime", "sign flip", "2", "4", "bob dan"),
                     ("03_loss", "mse", "forgot the mean", "1", "2", "ann")]


def test_most_frequent_mistake_first_and_ambiguous_names_joined(tmp_path):
    rows = [Row(name, "01_neuron", 11.0, 12.0, [mistake("relu", "absolute value", "returned the input")],
                cells(test_relu=0.0)) for name in ("ann", "bob", "cid")]
    rows.append(Row("dan", "01_neuron", 11.0, 12.0, [mistake("sigmoid", "sign flip in the exponent")],
                    cells(test_sigmoid=0.0)))
    write_reports(tmp_path, rows, MAXIMA, [])
    found = [(r["function"], r["mistake"], r["learners"]) for r in read_csv(tmp_path / "mistakes.csv")]
    assert found == [("relu", "absolute value or returned the input", "3"),
                     ("sigmoid", "sign flip in the exponent", "1")]


def test_questions_csv_gives_pass_rates_in_notebook_order(tmp_path):
    write_reports(tmp_path, rows_of_a_class(), MAXIMA, [])
    found = read_csv(tmp_path / "questions.csv")
    assert [r["cell"] for r in found] == list(NEURON)  # the solution notebook's order, not alphabetical
    by = {r["cell"]: r for r in found}
    assert by["test_sigmoid"] == {"assignment": "01_neuron", "cell": "test_sigmoid", "function": "sigmoid",
                                  "full_marks": "2", "submitted": "4", "pass_rate": "0.5", "mean_score": "0.5",
                                  "max_score": "1", "awaiting_manual": "0"}
    assert (by["test_relu_prime"]["full_marks"], by["test_relu_prime"]["mean_score"]) == ("2", "1")
    assert (by["test_neuron"]["full_marks"], by["test_neuron"]["pass_rate"]) == ("4", "1")


def test_a_manual_cell_awaiting_its_grade_is_counted_apart(tmp_path):
    manual = {"test_sigmoid": (1.0, 1.0), "explanation": (None, 2.0)}
    rows = [Row("ann", "09_chain_rule", 1.0, 3.0, [Outcome(AWAITING_MANUAL, "explanation")], manual),
            Row("bob", "09_chain_rule", 3.0, 3.0, [], {"test_sigmoid": (1.0, 1.0), "explanation": (2.0, 2.0)})]
    table = write_reports(tmp_path, rows, {"09_chain_rule": 3.0}, [])
    by = {r["cell"]: r for r in read_csv(tmp_path / "questions.csv")}
    assert (by["explanation"]["full_marks"], by["explanation"]["awaiting_manual"],
            by["explanation"]["mean_score"], by["explanation"]["function"]) == ("1", "1", "2", "")
    assert "1 awaiting a manual grade" in (tmp_path / "summary" / "class.md").read_text()
    assert "fewest full marks" not in table  # waiting for a grade is not getting it wrong


def test_the_class_page_says_what_the_class_got_wrong(tmp_path):
    write_reports(tmp_path, rows_of_a_class(), MAXIMA, [])
    page = (tmp_path / "summary" / "class.md").read_text()
    assert page.startswith("# What the class got wrong")
    assert "## 01_neuron: 4 graded" in page
    assert "| `test_sigmoid` | sigmoid | 2 of 4 (50%) | 0.5 / 1 |" in page
    assert "| `test_tanh` | tanh | 4 of 4 (100%) | 1 / 1 |" in page
    assert "| sigmoid | returned the input | 2 of 4 | ann, bob |" in page
    assert "| relu_prime | sign flip | 2 of 4 | bob, dan |" in page
    assert page.index("`test_sigmoid`") < page.index("`test_relu_prime`") < page.index("| sigmoid | returned")


def test_a_learner_called_class_keeps_their_page(tmp_path):
    rows = [Row("class", "01_neuron", 12.0, 12.0, [], cells())]
    write_reports(tmp_path, rows, MAXIMA, [])
    assert (tmp_path / "summary" / "class.md").read_text().startswith("# class: 12 / 12 points")
    assert (tmp_path / "summary" / "_class.md").read_text().startswith("# What the class got wrong")


def test_the_printed_table_shows_the_questions_missed_most_then_the_mistakes(tmp_path):
    table = write_reports(tmp_path, rows_of_a_class(), MAXIMA, [])
    lines = table.splitlines()
    at = lines.index("fewest full marks (learners with full marks / scored):")
    assert lines[at + 1].split() == ["01_neuron", "test_sigmoid", "2/4,", "test_relu_prime", "2/4"], table
    assert lines.index("known mistakes (submissions):") > at + 1
    assert lines[-2:] == ["  01_neuron relu_prime: sign flip (2)", "  01_neuron sigmoid: returned the input (2)"]
    # a class that got everything right: no such section
    assert "fewest" not in write_reports(tmp_path, [Row("cid", "01_neuron", 12.0, 12.0, [], cells())], MAXIMA, [])


def test_the_learners_page_lists_named_mistakes_in_notebook_order_with_their_function(tmp_path):
    bob = rows_of_a_class()[1]  # relu_prime's outcome comes first, but sigmoid is earlier in the notebook
    page = student_page(tmp_path, "bob", [bob], 9.0, 12.0, {"01_neuron": cell_order(tmp_path, "01_neuron")})
    lost = page.split("## Points lost\n\n")[1].splitlines()
    assert lost == ["- 01_neuron, sigmoid in `test_sigmoid`: 0 / 1 (known mistake: returned the input)",
                    "- 01_neuron, relu_prime in `test_relu_prime`: 0 / 2 (known mistake: sign flip)"], page
    assert "Earlier gradings" not in page


def test_the_learners_page_lists_earlier_gradings_oldest_first(tmp_path):
    ann = rows_of_a_class()[0]
    ann.history = [{"graded_at": "2026-11-28T10:00:00", "score": 4.0, "max_score": 12.0, "status": "partly blank"},
                   {"graded_at": "2026-11-30T10:00:00", "score": None, "max_score": 12.0, "status": "grader error"},
                   {"graded_at": None, "score": None, "max_score": None, "status": None}]  # an old ledger line
    write_reports(tmp_path, [ann], MAXIMA, [])
    page = (tmp_path / "summary" / "ann.md").read_text()
    earlier = page.split("## Earlier gradings\n\n")[1].splitlines()
    assert earlier[2:] == ["| 01_neuron | 2026-11-28T10:00:00 | 4 / 12 | partly blank |",
                           "| 01_neuron | 2026-11-30T10:00:00 | - / 12 | grader error |",
                           "| 01_neuron |  | - |  |"], page
    assert "| 01_neuron | 11 / 12 | sigmoid: known mistake: returned the input |" in page  # the current grading


def test_the_cell_order_comes_from_the_source_registered_in_the_output_folder(tmp_path):
    assert cell_order(tmp_path, "01_neuron") == list(NEURON)  # the course's solutions/
    folder = tmp_path / "solutions" / "01_neuron"
    folder.mkdir(parents=True)
    nb = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": grade_id}}}
                    for grade_id in ("test_neuron", "test_sigmoid")]
          + [{"cell_type": "code", "metadata": {"nbgrader": {"grade": False, "grade_id": "answer"}}}]}
    (folder / "01_neuron_exercise.ipynb").write_text(json.dumps(nb))
    assert cell_order(tmp_path, "01_neuron") == ["test_neuron", "test_sigmoid"]
    write_reports(tmp_path, rows_of_a_class(), MAXIMA, [])
    order = [r["cell"] for r in read_csv(tmp_path / "questions.csv")]
    assert order[:2] == ["test_neuron", "test_sigmoid"] and sorted(order[2:]) == order[2:]  # the rest by name


def test_status_of_awaiting_manual_reads_like_the_others():
    assert status_text([Outcome(AWAITING_MANUAL, "explanation")]) == "awaiting manual grade: explanation"


def buggy_notebook(assignment, *functions):
    """The instructor's solution with each named function's body replaced by `return <first input>`."""
    from support.synthetic import correct_notebook, learner_source, mutants

    nb = correct_notebook(assignment)
    for cell in nb.cells:
        name = cell.metadata.get("nbgrader", {}).get("grade_id")
        if name in functions:
            cell.source = learner_source(mutants(assignment, name)["identity"])
    return nb


@pytest.mark.slow  # runs the grade command
def test_the_grade_command_reports_what_a_class_with_known_bugs_got_wrong(tmp_path):
    from support.synthetic import released_notebook

    planted = {"ann": (), "bob": ("sigmoid",), "cid": ("sigmoid", "relu"), "dan": ("relu",)}
    for student, functions in planted.items():
        folder = tmp_path / "submitted" / student / "01_neuron"
        folder.mkdir(parents=True)
        nbformat.write(buggy_notebook("01_neuron", *functions), folder / "01_neuron_exercise.ipynb")
    (tmp_path / "submitted" / "ann" / "01_neuron" / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC\n")
    folder = tmp_path / "submitted" / "eve" / "01_neuron"
    folder.mkdir(parents=True)
    nbformat.write(nbformat.read(released_notebook("01_neuron"), as_version=4), folder / "01_neuron_exercise.ipynb")
    (tmp_path / "submitted" / "fay" / "03_loss").mkdir(parents=True)  # fay: nothing for 01_neuron
    (tmp_path / "submitted" / "fay" / "03_loss" / "03_loss_exercise.ipynb").write_text(
        nbformat.writes(nbformat.read(notebooks.SOLUTIONS / "03_loss" / "03_loss_exercise.ipynb", as_version=4)))
    run = run_grade(tmp_path / "submitted", "--jobs", 1, timeout=600, check=True)

    grades = read_grades(tmp_path)
    assert [grades[s, "01_neuron"]["score"] for s in ("ann", "bob", "cid", "dan", "eve", "fay")] == \
        ["12", "9", "8", "11", "0", "0"]  # sigmoid_prime calls sigmoid: it fails with it
    ann = grades["ann", "01_neuron"]
    assert ann["submitted_at"].startswith("2026-12-01T12:00:00") and (ann["late_by_seconds"], ann["penalty"]) == \
        ("0", "0")
    assert (grades["fay", "01_neuron"]["status"], grades["fay", "01_neuron"]["submitted_at"]) == ("not submitted", "")

    # five learners handed in 01_neuron (fay did not); the blank one got nothing right
    mistakes = [(r["function"], r["mistake"], r["learners"], r["submitted"], r["students"])
                for r in read_csv(tmp_path / "mistakes.csv") if r["assignment"] == "01_neuron"]
    assert mistakes == [("sigmoid", "returned the input", "2", "5", "bob cid"),
                        ("relu", "returned the input", "2", "5", "cid dan")], mistakes
    questions = {r["cell"]: r for r in read_csv(tmp_path / "questions.csv") if r["assignment"] == "01_neuron"}
    assert list(questions) == list(NEURON)
    assert [(questions[c]["full_marks"], questions[c]["submitted"]) for c in list(NEURON)[:4]] == \
        [("2", "5"), ("4", "5"), ("2", "5"), ("2", "5")]
    page = (tmp_path / "summary" / "class.md").read_text()
    assert "| sigmoid | returned the input | 2 of 5 | bob, cid |" in page, page
    assert "| `test_relu` | relu | 2 of 5 (40%) | 0.4 / 1 |" in page, page
    cid = (tmp_path / "summary" / "cid.md").read_text()
    assert cid.index("sigmoid in `test_sigmoid`: 0 / 1 (known mistake: returned the input)") < \
        cid.index("relu in `test_relu`: 0 / 1 (known mistake: returned the input)"), cid
    assert "  01_neuron            test_sigmoid 2/5, test_relu 2/5, test_sigmoid_prime 2/5\n" in run.stdout


def test_report_rows_give_a_cell_awaiting_its_manual_grade_no_score(tmp_path):
    """nbgrader counts an ungraded manual cell as 0 in its totals; the reports must not read
    that 0 as a wrong answer (questions.csv, the printed table, the learner's points lost)."""
    sub = Submission("ann", "09_chain_rule", tmp_path)
    score = Score(1.0, 4.0, {"test_sigmoid_backward": (1.0, 1.0), "explanation": (0.0, 3.0)},
                  awaiting_manual=("explanation",))
    (row,) = report_rows(tmp_path, [sub], {sub.key: []}, {("ann", "09_chain_rule"): score},
                         {"09_chain_rule": 4.0}, [])
    assert row.cells == {"test_sigmoid_backward": (1.0, 1.0), "explanation": (None, 3.0)}
    assert row.status == "awaiting manual grade: explanation"
    table = write_reports(tmp_path, [row], {"09_chain_rule": 4.0}, [])
    assert "fewest full marks" not in table
    assert "## Points lost" not in (tmp_path / "summary" / "ann.md").read_text()


def test_a_learners_file_name_cannot_write_into_the_instructors_page(tmp_path):
    """A renamed notebook's name goes into the status; on the learner's page it stays one cell of
    one row: no new line, no table cell, no HTML; a student id with a space still links."""
    from autograder.grading.outcomes import RENAMED

    name = "x | y\n## Injected <img src=x onerror=alert(1)>.ipynb"
    page_of = tmp_path / "feedback" / "ada lovelace" / "01_neuron" / "01_neuron_exercise.html"
    page_of.parent.mkdir(parents=True)
    page_of.write_text("<html></html>")
    row = Row("ada lovelace", "01_neuron", 12.0, 12.0,
              [Outcome(RENAMED, f"graded {name} as 01_neuron_exercise.ipynb")], cells(), [page_of])
    page = student_page(tmp_path, "ada lovelace", [row], 12.0, 12.0)
    (table_row,) = [line for line in page.splitlines() if line.startswith("| 01_neuron |")]
    assert table_row.count(" | ") == 3  # four cells, as the header has
    assert "\n## Injected" not in page
    assert "<img" not in page and "&lt;img" in table_row
    assert "(<../feedback/ada lovelace/01_neuron/01_neuron_exercise.html>)" in table_row
