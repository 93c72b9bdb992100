"""The grade command's parts (autograder/grading/), each on its own: the nbgrader pipelines of
both engines against nbgrader's defaults, outcomes as data, the ledger, the judge's choice of
checks by a grade cell's metadata."""

import json

import nbgrader
import pytest

from autograder.grading.engines import JudgeCells, RestartingExecute
from autograder.grading.ledger import Ledger
from autograder.grading.outcomes import (
    CRASHED,
    FORGED,
    MISTAKE,
    NOT_SUBMITTED,
    RESTORED,
    TIMEOUT,
    Outcome,
    kinds,
    status_text,
)
from autograder.grading.pipelines import ForgetUnknownCells, autograde_preprocessors
from autograder.grading.reports import Row, student_page, summary_table
from autograder.grading.submissions import Submission
from autograder.judge import JudgeSession

# nbgrader 0.9.6's Autograde defaults (nbgrader/converters/autograde.py), by class name.
NBGRADER_SANITIZE = ["ClearOutput", "DeduplicateIds", "OverwriteKernelspec", "OverwriteCells",
                     "CheckCellMetadata"]
NBGRADER_AUTOGRADE = ["Execute", "IgnorePattern", "ClearMetadataPreprocessor", "LimitOutput",
                      "SaveAutoGrades", "AssignLatePenalties", "CheckCellMetadata"]


def test_the_defaults_are_nbgrader_0_9_6s():
    assert nbgrader.__version__ == "0.9.6"


@pytest.mark.parametrize("engine, step", [("judge", JudgeCells), ("kernel", RestartingExecute)])
def test_each_engine_swaps_exactly_the_execution_step(engine, step):
    sanitize, autograde = autograde_preprocessors(engine)
    names = [pp.__name__ for pp in autograde]
    swapped = [(ours, theirs) for ours, theirs in zip(names, NBGRADER_AUTOGRADE) if ours != theirs]
    assert len(names) == len(NBGRADER_AUTOGRADE) and swapped == [(step.__name__, "Execute")], names
    assert autograde[0] is step
    assert [pp.__name__ for pp in sanitize if pp is not ForgetUnknownCells] == NBGRADER_SANITIZE
    assert [pp.__name__ for pp in sanitize].index("ForgetUnknownCells") == \
        NBGRADER_SANITIZE.index("OverwriteCells")  # just before OverwriteCells


def test_both_engines_differ_only_in_the_execution_step():
    judge, kernel = autograde_preprocessors("judge"), autograde_preprocessors("kernel")
    assert judge[0] == kernel[0] and judge[1][1:] == kernel[1][1:]


def test_outcomes_render_as_the_status_column_reads():
    outcomes = [Outcome(TIMEOUT, "ran past 30 s", cell=4),
                Outcome(RESTORED, "was deleted; nbgrader restored it", cell="test_relu"),
                Outcome(CRASHED, "sigmoid stopped the Python process running it (exit code 1)",
                        cell="test_sigmoid", function="sigmoid"),
                Outcome(FORGED, "cell 'a' claimed grade True; cell 'b' is not in the assignment")]
    assert status_text(outcomes) == (
        "cell 4 ran past 30 s; grade cell test_relu was deleted; nbgrader restored it; "
        "sigmoid: sigmoid stopped the Python process running it (exit code 1); "
        "forged cell metadata, graded as the assignment defines the cells: cell 'a' claimed "
        "grade True; cell 'b' is not in the assignment")
    assert status_text([]) == "ok" and str(Outcome(NOT_SUBMITTED)) == "not submitted"
    assert kinds(outcomes) == [TIMEOUT, RESTORED, CRASHED, FORGED]


def test_the_summary_counts_kinds_whatever_the_sentences_say():
    """A status with "; " or ":" in its sentences is still one outcome of one kind."""
    rows = [Row("ann", "01_neuron", 12.0, 12.0, []),
            Row("bob", "01_neuron", 3.0, 12.0, [Outcome(CRASHED, "killed the kernel; the cells "
                                                         "after it ran in a fresh one", cell=3),
                                                 Outcome(TIMEOUT, "ran past 5 s", cell=7)]),
            Row("cid", "01_neuron", 0.0, 12.0, [Outcome(NOT_SUBMITTED)])]
    head, line = summary_table(rows, {"01_neuron": 12.0}, []).splitlines()
    assert head.split()[5:] == ["ok", "crashed", "not", "submitted", "timeout"], head
    assert line.split() == ["01_neuron", "2", "7.5", "/", "12", "1", "1", "1", "1"], line


def test_a_named_mistake_reads_by_its_name_in_the_reports(tmp_path):
    sign = Outcome(MISTAKE, cell="test_sigmoid", function="sigmoid",
                   mistake=("sign flip in the exponent",))
    rows = [Row("ann", "01_neuron", 11.0, 12.0, [sign], {"test_sigmoid": (0.0, 1.0),
                                                         "test_relu": (1.0, 1.0)}),
            Row("bob", "01_neuron", 11.0, 12.0, [sign], {"test_sigmoid": (0.0, 1.0)}),
            Row("cid", "01_neuron", 12.0, 12.0, [])]
    assert status_text([sign]) == "sigmoid: known mistake: sign flip in the exponent"
    table = summary_table(rows, {"01_neuron": 12.0}, [])
    head, line = table.splitlines()[:2]
    assert head.split()[5:] == ["ok", "known", "mistake"] and line.split()[-2:] == ["1", "2"], table
    assert table.splitlines()[-1].split() == ["01_neuron", "sigmoid:", "sign", "flip", "in", "the",
                                              "exponent", "(2)"], table
    page = student_page(tmp_path, "ann", rows[:1], 11.0, 12.0)
    assert "`test_sigmoid`: 0 / 1 (known mistake: sign flip in the exponent)" in page, page
    assert "test_relu" not in page  # no points lost there


def test_the_ledger_keeps_outcomes_as_data(tmp_path):
    sub = Submission("ann", "01_neuron", tmp_path, hash="h1")
    outcomes = [Outcome(TIMEOUT, "ran past 30 s", cell=4),
                Outcome(MISTAKE, cell="test_relu", function="relu", mistake=("a", "b"))]
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.record(sub, "judge", outcomes)
    ledger.close()
    again = Ledger(tmp_path / "ledger.jsonl")
    assert again.done(sub, "judge") == outcomes
    assert again.done(sub, "kernel") is None
    assert again.done(Submission("ann", "01_neuron", tmp_path, hash="h2"), "judge") is None


def test_a_ledger_line_with_statuses_as_text_means_grade_again(tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text(json.dumps({"student": "ann", "assignment": "01_neuron", "hash": "h1",
                                "engine": "judge", "status": ["cell 4 ran past 30 s"]}) + "\n")
    assert Ledger(path).done(Submission("ann", "01_neuron", tmp_path, hash="h1"), "judge") is None


def test_the_judge_takes_the_function_from_the_grade_id():
    session = JudgeSession("01_neuron")
    assert session.graded_name("test_sigmoid") == "sigmoid"
    assert session.graded_name("test_sigmoid_prime") == "sigmoid_prime"
    assert session.graded_name("sigmoid") is None  # not test_<name>
    assert session.graded_name("test_softmax") is None  # graded in another exercise


@pytest.mark.parametrize("grade_id", ["check_sigmoid", "test_no_such_function", None])
def test_a_grade_cell_whose_id_names_no_graded_function_is_a_grader_error(grade_id):
    session = JudgeSession("01_neuron")
    try:
        outputs = session.judge(grade_id)
    finally:
        session.close()
    assert outputs[-1]["ename"] == "GraderError"
    (outcome,) = session.outcomes
    assert outcome.kind == "grader error" and repr(grade_id) in outcome.detail
    assert session.sandbox is None  # decided from the metadata alone: no learner code ran
