"""What a submission's status says besides its score: work left as released, and work that waits
for the instructor.

- `submissions.plan` compares each answer cell of a submitted notebook, by grade_id, with the
  course's release (exercises/): every answer cell as released is "not attempted", some of them
  "partly blank", naming the functions those cells define (and a written answer by its grade_id).
  Whitespace-only changes do not count; a deleted answer cell is blank; a renamed notebook is
  compared with the notebook it is graded as. Such work is still graded as usual.
- Exercise 9's written explanation is an nbgrader manually graded answer cell: the grade command
  leaves it awaiting a manual grade and the automatic score leaves it out.
"""

import copy
import json
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograder import notebooks
from autograder.grading.outcomes import NOT_ATTEMPTED, PARTLY_BLANK, RENAMED, UNREADABLE
from autograder.grading.submissions import Submission, plan
from support.grading import read_grades, run_grade
from support.synthetic import correct_notebook, released_notebook

ROOT = notebooks.ROOT
CHAIN = "09_chain_rule"
NOTEBOOK = f"{CHAIN}_exercise"
FUNCTIONS = ["chain_backward", "sigmoid_backward", "relu_backward", "output_delta", "neuron_backward",
             "dense_backward", "divide_backward", "worked_example_step"]
WRITTEN = "explanation (written answer)"


def _cell(nb, grade_id):
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def _release():
    return nbformat.read(released_notebook(CHAIN), as_version=4)


def _filled(nb, *grade_ids):
    """nb with the named answer cells holding the right answer (a learner's form of the solution)."""
    right = correct_notebook(CHAIN)
    for grade_id in grade_ids:
        _cell(nb, grade_id).source = _cell(right, grade_id).source
    return nb


def _planned(tmp_path, files, assignment=CHAIN):
    """plan() of a submission folder holding files {file name: notebook or bytes}."""
    folder = tmp_path / "submitted" / "ada" / assignment
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            nbformat.write(content, folder / name)
    expected = sorted(p.stem for p in (notebooks.EXERCISES / assignment).glob("*.ipynb"))
    return plan(Submission("ada", assignment, folder), expected)


def _blank_outcomes(sub):
    return [o for o in sub.outcomes if o.kind in (NOT_ATTEMPTED, PARTLY_BLANK)]


def _partly_blank_names(sub):
    (outcome,) = _blank_outcomes(sub)
    assert outcome.kind == PARTLY_BLANK, outcome
    return outcome.detail.split(", ")


# ------------------------------------------------------------------ plan(), directly

@pytest.mark.parametrize("assignment", notebooks.assignments())
def test_the_untouched_release_is_not_attempted(tmp_path, assignment):
    path = released_notebook(assignment)
    sub = _planned(tmp_path, {path.name: path.read_bytes()}, assignment)
    assert [(o.kind, o.detail) for o in sub.outcomes] == [(NOT_ATTEMPTED, "the release, unchanged")]
    assert str(sub.outcomes[0]) == "not attempted: the release, unchanged"
    assert sub.problem is None and sub.files  # still graded as usual


def test_a_release_that_was_run_and_only_reindented_is_not_attempted(tmp_path):
    """Opened, run (error outputs, execution counts), saved, blank lines and spaces added to the
    answer cells: still not one answer written."""
    nb = _release()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 1
            cell.outputs = [nbformat.v4.new_output("error", ename="NotImplementedError", evalue="",
                                                   traceback=[])]
    cell = _cell(nb, "relu_backward")
    cell.source = "\n\n" + cell.source.replace("    raise", "        raise").replace("(dA, Z)", "(dA,Z)") + "\n  \n"
    _cell(nb, "explanation").source = "  YOUR ANSWER HERE\n\n"
    nb.metadata["language_info"] = {"name": "python", "version": "3.12.1"}
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": nb})
    assert [(o.kind, o.detail) for o in _blank_outcomes(sub)] == [(NOT_ATTEMPTED, "every answer cell as released")]


def test_one_function_filled_is_partly_blank_naming_the_others(tmp_path):
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": _filled(_release(), "relu_backward")})
    names = _partly_blank_names(sub)
    assert names == [f for f in FUNCTIONS if f != "relu_backward"] + [WRITTEN]
    assert str(_blank_outcomes(sub)[0]).startswith("partly blank: chain_backward, sigmoid_backward, output_delta")


def test_a_one_character_answer_is_an_attempt(tmp_path):
    nb = _filled(_release(), *FUNCTIONS)
    _cell(nb, "explanation").source = "?"
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": nb})
    assert _blank_outcomes(sub) == []


def test_everything_but_the_written_answer_is_partly_blank_naming_it(tmp_path):
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": _filled(_release(), *FUNCTIONS)})
    assert _partly_blank_names(sub) == [WRITTEN]


def test_all_answers_filled_is_neither(tmp_path):
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": correct_notebook(CHAIN)})
    assert sub.outcomes == [] and sub.problem is None


def test_a_deleted_answer_cell_counts_as_blank(tmp_path):
    nb = correct_notebook(CHAIN)
    nb.cells.remove(_cell(nb, "output_delta"))
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": nb})
    assert _partly_blank_names(sub) == ["output_delta"]


def test_every_answer_cell_deleted_is_not_attempted(tmp_path):
    nb = _release()
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("solution")]
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": nb})
    assert [o.kind for o in _blank_outcomes(sub)] == [NOT_ATTEMPTED]


def test_an_answer_written_in_a_cell_of_its_own_is_an_attempt(tmp_path):
    """The answer cell left as released, the function written in a new cell below it: the kernel
    (and the judge) take the later definition, the work earns its points, so no blank status."""
    nb = _release()
    own = nbformat.v4.new_code_cell(_cell(correct_notebook(CHAIN), "sigmoid_backward").source)
    nb.cells.insert(nb.cells.index(_cell(nb, "sigmoid_backward")) + 1, own)
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": _filled(nb, *[f for f in FUNCTIONS if f != "sigmoid_backward"],
                                                           "explanation")})
    assert _blank_outcomes(sub) == []


def test_every_function_in_cells_of_their_own_is_not_not_attempted(tmp_path):
    nb = _release()
    right = correct_notebook(CHAIN)
    for name in FUNCTIONS:
        nb.cells.append(nbformat.v4.new_code_cell(_cell(right, name).source))
    assert _partly_blank_names(_planned(tmp_path, {f"{NOTEBOOK}.ipynb": nb})) == ["explanation (written answer)"]


def test_a_stub_copied_into_a_new_cell_is_still_blank(tmp_path):
    nb = _release()
    nb.cells.append(nbformat.v4.new_code_cell(_cell(nb, "sigmoid_backward").source))
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": _filled(nb, *[f for f in FUNCTIONS if f != "sigmoid_backward"],
                                                           "explanation")})
    assert _partly_blank_names(sub) == ["sigmoid_backward"]


def test_a_cell_source_that_is_not_text_does_not_stop_planning(tmp_path):
    """nbformat only logs a schema error, so such a notebook reaches plan(): no blank status,
    no exception (one learner's file must never stop the class's run)."""
    nb = json.loads(nbformat.writes(_release()))
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell["source"] = 5
            break
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": json.dumps(nb).encode()})  # raised TypeError before
    assert sub.files and sub.problem is None  # handed on to nbgrader, whatever it makes of it


def test_a_renamed_notebook_is_compared_with_the_notebook_it_is_graded_as(tmp_path):
    nb = _filled(_release(), *[f for f in FUNCTIONS if f != "dense_backward"])
    sub = _planned(tmp_path, {f"{NOTEBOOK}-Copy1.ipynb": nb})
    assert [o.kind for o in sub.outcomes] == [RENAMED, PARTLY_BLANK]
    assert _partly_blank_names(sub) == ["dense_backward", WRITTEN]
    renamed_release = _planned(tmp_path / "again", {"mine.ipynb": released_notebook(CHAIN).read_bytes()})
    assert [o.kind for o in renamed_release.outcomes] == [RENAMED, NOT_ATTEMPTED]


def test_exercise_1_names_its_functions_too(tmp_path):
    """Another assignment, another release: the names come from the released cells' `def`s."""
    release = nbformat.read(released_notebook("01_neuron"), as_version=4)
    right = correct_notebook("01_neuron")
    _cell(release, "sigmoid").source = _cell(right, "sigmoid").source
    sub = _planned(tmp_path, {"01_neuron_exercise.ipynb": release}, "01_neuron")
    names = _partly_blank_names(sub)
    answers = [c.metadata["nbgrader"]["grade_id"] for c in right.cells
               if c.metadata.get("nbgrader", {}).get("solution")]
    assert "sigmoid" not in names and names == [a for a in answers if a != "sigmoid"]


def test_an_unreadable_notebook_gets_no_blank_status(tmp_path):
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": b"{not json"})
    assert [o.kind for o in sub.outcomes] == [UNREADABLE]


def test_the_release_compared_with_can_be_another_folder(tmp_path):
    """plan(release=...) reads <release>/<assignment>/<notebook>.ipynb; a release without the
    notebook gives no blank status (nothing to compare with)."""
    other = tmp_path / "release" / CHAIN
    other.mkdir(parents=True)
    mine = _filled(_release(), "relu_backward")
    nbformat.write(mine, other / f"{NOTEBOOK}.ipynb")  # this release has relu_backward given
    folder = tmp_path / "submitted" / "ada" / CHAIN
    folder.mkdir(parents=True)
    nbformat.write(mine, folder / f"{NOTEBOOK}.ipynb")
    sub = plan(Submission("ada", CHAIN, folder), [NOTEBOOK], release=tmp_path / "release")
    assert [(o.kind, o.detail) for o in sub.outcomes] == [(NOT_ATTEMPTED, "the release, unchanged")]
    sub = plan(Submission("ada", CHAIN, folder), [NOTEBOOK], release=tmp_path / "nowhere")
    assert sub.outcomes == []


# ------------------------------------------------------------------ exercise 9's written answer

def test_the_written_explanation_is_a_manually_graded_markdown_answer_with_points():
    for folder in (notebooks.SOLUTIONS, notebooks.EXERCISES):
        nb = nbformat.read(folder / CHAIN / f"{NOTEBOOK}.ipynb", as_version=4)
        cell = _cell(nb, "explanation")
        meta = cell.metadata["nbgrader"]
        assert cell.cell_type == "markdown"
        assert meta["grade"] and meta["solution"] and not meta["locked"] and meta["points"] == 3
        before = nb.cells[nb.cells.index(cell) - 1].source
        assert "**3 points**" in before and "grades it by hand" in before
        assert "explanation" not in "".join(c.source for c in nb.cells if c.cell_type == "code")
    assert cell.source == "YOUR ANSWER HERE"  # the release's stub
    header = nb.cells[0].source
    assert "| **Points** | 19: 16 for the functions" in header and "grades by hand" in header


# ------------------------------------------------------------------ the grade command

def _gradebook(out):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{out / 'gradebook.db'}")


@pytest.mark.slow  # runs the grade command on four submissions
def test_the_grade_command_says_not_attempted_partly_blank_and_awaits_the_manual_grade(tmp_path):
    """Four learners hand in exercise 9: ann everything with a written answer, bob the release
    as it was, cat two functions (in a renamed notebook) and dan every function but a wrong
    sigmoid_backward and no written answer. Every one is graded; the statuses say what was left
    blank; ann's explanation waits for the instructor and her automatic score leaves it out; an
explanation left as released scores 0 without the instructor (nbgrader's own rule for a manually
graded answer whose checksum is the release's)."""
    right = correct_notebook(CHAIN)
    right_cell = _cell(right, "explanation")
    right_cell.source = "The output 0.67 holds; the hidden outputs do not. The step lowers w11."
    dan = _filled(_release(), *FUNCTIONS)
    _cell(dan, "sigmoid_backward").source = "def sigmoid_backward(dA, Z):\n    return dA\n"
    cat = _filled(_release(), "chain_backward", "relu_backward")
    submitted = {"ann": (f"{NOTEBOOK}.ipynb", right), "bob": (f"{NOTEBOOK}.ipynb", released_notebook(CHAIN)),
                 "cat": ("my work.ipynb", cat), "dan": (f"{NOTEBOOK}.ipynb", dan)}
    for student, (name, nb) in submitted.items():
        folder = tmp_path / "submitted" / student / CHAIN
        folder.mkdir(parents=True)
        if isinstance(nb, Path):
            (folder / name).write_bytes(nb.read_bytes())
        else:
            nbformat.write(copy.deepcopy(nb), folder / name)
    run_grade(tmp_path / "submitted", "--jobs", 2, "--timeout", 20, timeout=600, check=True)

    rows = read_grades(tmp_path)
    assert set(rows) == {(student, CHAIN) for student in submitted}
    status = {student: row["status"] for (student, _), row in rows.items()}
    assert "not attempted: the release, unchanged" in status["bob"]
    assert "partly blank" not in status["bob"]
    assert ("partly blank: sigmoid_backward, output_delta, neuron_backward, dense_backward, "
            f"divide_backward, worked_example_step, {WRITTEN}") in status["cat"]
    assert "renamed notebook" in status["cat"] and "not attempted" not in status["cat"]
    assert f"partly blank: {WRITTEN}" in status["dan"]
    assert "not attempted" not in status["ann"] and "partly blank" not in status["ann"]
    assert "awaiting manual grade: explanation" in status["ann"]  # gradebook.Score, rendered by reports
    assert not any("awaiting manual grade" in status[s] for s in ("bob", "cat", "dan"))

    # graded as usual: every submission has its autograded notebook and nbgrader's scores
    for student in submitted:
        assert list((tmp_path / "autograded" / student / CHAIN).glob("*.ipynb")), student
    with _gradebook(tmp_path) as gb:
        found = {}
        for sub in gb.assignment_submissions(CHAIN):
            grades = {g.name: g for nb in sub.notebooks for g in nb.grades}
            manual = grades["explanation"]
            assert manual.max_score == 3 and manual.manual_score is None
            if sub.student.id == "ann":  # written: waits for the instructor, no automatic score
                assert manual.needs_manual_grade and manual.auto_score is None
            else:  # left as released: nbgrader scores it 0 itself (its checksum is the release's)
                assert not manual.needs_manual_grade and manual.auto_score == 0
            auto = {name: g.auto_score for name, g in grades.items() if name != "explanation"}
            found[sub.student.id] = (sub.score, sub.max_score, auto)
    assert {s: (score, maximum) for s, (score, maximum, _) in found.items()} == {
        "ann": (16, 19), "bob": (0, 19), "cat": (4, 19), "dan": (15, 19)}
    assert found["dan"][2]["test_sigmoid_backward"] == 0 and found["cat"][2]["test_relu_backward"] == 1
    assert all(score == 0 for score in found["bob"][2].values())
    assert {s: float(row["score"]) for (s, _), row in rows.items()} == {"ann": 16, "bob": 0, "cat": 4, "dan": 15}
    assert {float(row["max_score"]) for row in rows.values()} == {19}

    # the master's Score names the cell that waits, for the reports
    from autograder.grading.gradebook import Master
    from autograder.grading.pipelines import course_config

    course_id = course_config(tmp_path, tmp_path / "gradebook.db").CourseDirectory.course_id
    scores, maxima = Master(tmp_path, course_id).scores()
    assert maxima == {CHAIN: 19}
    assert {s: score.awaiting_manual for (s, _), score in scores.items()} == {
        "ann": ("explanation",), "bob": (), "cat": (), "dan": ()}


def test_an_assignment_of_two_notebooks_is_judged_over_both(tmp_path):
    """All answer cells of both notebooks as released: not attempted; one notebook done, the
    other as released: partly blank naming the other's functions only."""
    release = tmp_path / "release" / "two"
    release.mkdir(parents=True)
    (release / "a.ipynb").write_bytes(released_notebook("01_neuron").read_bytes())
    (release / "b.ipynb").write_bytes(released_notebook(CHAIN).read_bytes())
    folder = tmp_path / "submitted" / "ada" / "two"
    folder.mkdir(parents=True)
    (folder / "a.ipynb").write_bytes(released_notebook("01_neuron").read_bytes())
    (folder / "b.ipynb").write_bytes(released_notebook(CHAIN).read_bytes())
    sub = plan(Submission("ada", "two", folder), ["a", "b"], release=tmp_path / "release")
    assert [(o.kind, o.detail) for o in sub.outcomes] == [(NOT_ATTEMPTED, "the release, unchanged")]
    nbformat.write(correct_notebook(CHAIN), folder / "b.ipynb")
    sub = plan(Submission("ada", "two", folder), ["a", "b"], release=tmp_path / "release")
    names = _partly_blank_names(sub)
    assert "sigmoid" in names and not set(names) & set(FUNCTIONS) and WRITTEN not in names


def test_whatever_plan_trips_over_is_that_learners_zero_not_the_classs_stop(tmp_path, monkeypatch):
    from autograder.grading import submissions

    def trips(path):
        raise OSError("a file that cannot be read")

    monkeypatch.setattr(submissions, "unreadable", trips)
    sub = _planned(tmp_path, {f"{NOTEBOOK}.ipynb": _release()})
    assert sub.problem == UNREADABLE
    assert [o.kind for o in sub.outcomes] == [UNREADABLE] and "cannot be read" in sub.outcomes[0].detail


@pytest.mark.slow  # a grade run per engine
@pytest.mark.parametrize("engine", ["judge", "kernel"])
def test_answer_cells_that_raised_are_named_in_the_status_never_ok(tmp_path, engine):
    """eve's chain_backward imports a module she did not hand in, and her relu_backward has a
    typo: both cells raise. Her status names the cells that raised and the first error under
    either engine; it does not read "ok"; the functions that ran keep their points."""
    eve = _filled(_release(), *FUNCTIONS)
    _cell(eve, "chain_backward").source = ("from my_helpers import keep\n\n\n"
                                           + _cell(eve, "chain_backward").source)
    _cell(eve, "relu_backward").source = "def relu_backward(dA, Z):\n    return dA * (Z > 0\n"
    folder = tmp_path / "submitted" / "eve" / CHAIN
    folder.mkdir(parents=True)
    nbformat.write(eve, folder / f"{NOTEBOOK}.ipynb")
    run_grade(tmp_path / "submitted", "--engine", engine, "--timeout", 20, timeout=600, check=True)

    (row,) = read_grades(tmp_path).values()
    index = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(eve.cells)}
    assert (f"answer cell raised: cells {index['chain_backward']} and {index['relu_backward']}; "
            "the first: ModuleNotFoundError: No module named 'my_helpers'") in row["status"], row["status"]
    assert row["status"] != "ok"
    with _gradebook(tmp_path) as gb:
        (sub,) = gb.assignment_submissions(CHAIN)
        auto = {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}
    assert auto["test_chain_backward"] == 0 and auto["test_relu_backward"] == 0
    assert auto["test_sigmoid_backward"] > 0
