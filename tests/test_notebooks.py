"""Structure of the course's notebooks: headers, graded cells, points, drift."""

import re

import nbformat
import pytest

from autograder import notebooks
from autograder.specs import all_specs

LESSONS = notebooks.lesson_notebooks()
SOLUTIONS = notebooks.solution_notebooks()
ASSIGNMENTS = notebooks.assignments()


def _read(path):
    return nbformat.read(path, as_version=4)


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def test_every_lesson_has_an_exercise_and_back():
    assert LESSONS, "no lessons found"
    assert sorted(p.stem for p in LESSONS) == ASSIGNMENTS


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_header_states_objectives_prerequisites_times_difficulty(path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown"
    number = int(path.stem[:2])
    assert first.source.startswith(f"# Lesson {number}: ")
    for field in ["Objectives", "Prerequisites", "Read time", "Practice time", "Difficulty"]:
        assert f"**{field}**" in first.source, f"{path.name} header lacks {field}"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=[p.stem for p in LESSONS + SOLUTIONS])
def test_stored_notebooks_are_normalised(path):
    nb = _read(path)
    assert "widgets" not in nb.metadata
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), \
        f"{path.name}: execution counts are not 1..N (run `make execute`)"
    for cell in code:
        assert "execution" not in cell.metadata, f"{path.name}: execution timing metadata"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_exercise_header_and_points(path):
    nb = _read(path)
    header = nb.cells[0].source
    assert header.startswith("# Exercise ")
    for field in ["Objectives", "Prerequisites", "Practice time", "Difficulty", "Points"]:
        assert f"**{field}**" in header, f"{path.name} header lacks {field}"
    stated = int(re.search(r"\*\*Points\*\* \| (\d+)", header).group(1))
    total = sum(_nbgrader(c).get("points", 0) for c in nb.cells if _nbgrader(c).get("grade"))
    assert stated == total, f"header says {stated} points, grade cells add up to {total}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_grade_cells_match_the_spec_one_to_one(path):
    assignment = path.parent.name
    nb = _read(path)
    graded = all_specs()[assignment]
    tested = []
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if not meta.get("grade") or _manual(cell):  # a written answer: no function, no checks
            continue
        assert meta.get("locked") and meta.get("points", 0) > 0, meta
        match = re.search(r'^check\("(\w+)", (\w+)\)$', cell.source, re.M)
        assert match, f"grade cell {meta['grade_id']} has no visible check line"
        name = match.group(1)
        assert meta["grade_id"] == f"test_{name}"
        assert f'HiddenTests("{assignment}").check("{name}", {match.group(2)})' in cell.source
        assert "### BEGIN HIDDEN TESTS" in cell.source and "### END HIDDEN TESTS" in cell.source
        assert not cell.source.rstrip().splitlines()[-1].startswith(" "), "ends inside a block"
        tested.append(name)
    assert sorted(tested) == sorted(graded), "grade cells and spec functions differ"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solution_cells_have_solution_blocks(path):
    """A code answer cell marks its solution block; a written (markdown) answer is a model answer
    as a whole, which nbgrader replaces with its "YOUR ANSWER HERE" stub in the release."""
    for cell in _read(path).cells:
        if _nbgrader(cell).get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        elif _nbgrader(cell).get("solution"):
            assert cell.cell_type == "markdown" and "SOLUTION" not in cell.source and cell.source.strip()


def _manual(cell):
    """A manually graded answer: a grade cell the learner writes (nbgrader: grade and solution)."""
    return bool(_nbgrader(cell).get("grade") and _nbgrader(cell).get("solution"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_manually_graded_answers_are_written_answers_that_say_their_points(path):
    """A written answer carries points, is editable, and the text before it says how many points
    and that the instructor grades it by hand; the release holds the stub, not the model answer."""
    nb = _read(path)
    (release,) = sorted((notebooks.EXERCISES / path.parent.name).glob("*.ipynb"))
    released = {_nbgrader(c).get("grade_id"): c for c in _read(release).cells}
    for index, cell in enumerate(nb.cells):
        if not _manual(cell):
            continue
        meta = _nbgrader(cell)
        assert cell.cell_type == "markdown" and not meta.get("locked") and meta.get("points", 0) > 0, meta
        before = nb.cells[index - 1].source
        points = meta["points"]
        assert f"**{points:g} point{'s' if points != 1 else ''}**" in before, before
        assert "instructor" in before and "by hand" in before, before
        assert released[meta["grade_id"]].source == "YOUR ANSWER HERE"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_has_no_solutions_hidden_tests_or_outputs(assignment):
    (path,) = sorted((notebooks.EXERCISES / assignment).glob("*.ipynb"))
    for cell in _read(path).cells:
        assert "BEGIN SOLUTION" not in cell.source and "HIDDEN TESTS" not in cell.source
        assert "HiddenTests" not in cell.source
        if cell.cell_type == "code":
            assert not cell.outputs


@pytest.mark.slow  # runs nbgrader's generate_assignment on every exercise
def test_exercises_are_generated_from_solutions_without_drift():
    differ = notebooks.drift()
    assert not differ, f"exercises/ differs from a fresh `make generate`: {differ}"


def test_course_map_links_every_lesson_and_exercise_and_they_exist():
    from course.syllabus import LESSONS as SYLLABUS
    text = "\n".join(c.source for c in _read(notebooks.COURSE_MAP).cells if c.cell_type == "markdown")
    for lesson in SYLLABUS:
        for path in (lesson.lesson_path, lesson.exercise_path):
            assert f"(../{path})" in text, f"course map does not link {path}"
            assert (notebooks.ROOT / path).exists(), f"{path} is missing"


def test_readme_links_every_lesson_and_exercise():
    from course.syllabus import LESSONS as SYLLABUS
    readme = (notebooks.ROOT / "README.md").read_text()
    for lesson in SYLLABUS:
        assert f"({lesson.lesson_path})" in readme and f"({lesson.exercise_path})" in readme
