"""End to end in a real browser: an instructor reviews exercise 9 by hand in nbgrader's formgrader.

A class of two (ada: every function right and a written explanation; bob: the same with a sign
flipped in sigmoid's backward) is graded with `python -m autograder grade`; the written
explanation is a manually graded cell, so both rows say 'awaiting manual grade'. The formgrader
is started the way the README says (`make formgrader COURSE=...`), Chromium opens ada's
submission, types a score and a comment into the explanation's fields (saved by the formgrader's
own page, as an instructor would), and `python -m autograder feedback COURSE` makes the feedback
and the reports again: ada's grades.csv row now holds the hand-given points, no longer awaits a
manual grade, and her feedback shows the score and the comment; bob's row is unchanged.

Screenshots (docs/images/formgrader-*.png, used in the README) and the servers' logs go to
test-artifacts/formgrader/. Skipped without playwright or /usr/bin/chromium.
"""

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from support.browser import CHROMIUM, launch
from support.grading import read_grades, run_autograder, run_grade
from support.lab_server import free_port, isolated_env, serving
from support.synthetic import correct_notebook, written_answers

pytestmark = pytest.mark.slow  # grades a class, starts JupyterLab, drives Chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts")) / "formgrader"
IMAGES = ROOT / "docs" / "images"
TOKEN = "formgrader-e2e-token"
ASSIGNMENT = "09_chain_rule"
COMMENT = "Right on both hidden outputs; say why the step moves w11 down."

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM}", allow_module_level=True)
expect = sync_api.expect


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("class")
    ada = correct_notebook(ASSIGNMENT)
    bob = correct_notebook(ASSIGNMENT)
    (cell,) = [c for c in bob.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid_backward"]
    cell.source = cell.source.replace("return dA", "return -dA", 1)
    assert "return -dA" in cell.source, cell.source
    (name,) = [p.name for p in (ROOT / "exercises" / ASSIGNMENT).glob("*.ipynb")]
    for student, nb in (("ada", ada), ("bob", bob)):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / name)
    run_grade(course / "submitted", "--jobs", 1, timeout=600, check=True, venv_path=False)
    return course


def test_the_written_answer_awaits_a_manual_grade(course):
    rows = read_grades(course)
    assert set(rows) == {("ada", ASSIGNMENT), ("bob", ASSIGNMENT)}
    for row in rows.values():
        assert "awaiting manual grade" in row["status"], row
    assert float(rows["bob", ASSIGNMENT]["score"]) < float(rows["ada", ASSIGNMENT]["score"])


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formgrader")
    env = isolated_env(tmp)
    env.pop("MAKEFLAGS", None)
    port = free_port()
    command = ["make", "--no-print-directory", "-C", str(ROOT), "formgrader", f"COURSE={course}", f"PORT={port}",
               f"LAB_ARGS=--no-browser --allow-root --ip=127.0.0.1 --IdentityProvider.token={TOKEN}"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serving(command, port, TOKEN, ARTIFACTS / "formgrader.log", wait=120, env=env) as base:
        yield base


@pytest.fixture(scope="module")
def page(formgrader):
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(f"{formgrader}/formgrader?token={TOKEN}")
            yield page
        finally:
            browser.close()


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    IMAGES.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTIFACTS / f"{name}.png", IMAGES / f"{name}.png")


def test_the_formgrader_lists_the_graded_assignment(page, formgrader):
    page.goto(f"{formgrader}/formgrader/gradebook/{ASSIGNMENT}")
    expect(page.get_by_text(ASSIGNMENT.replace("_", " "), exact=False).or_(
        page.get_by_text(ASSIGNMENT)).first).to_be_visible()
    # 'Needs manual grade' is the formgrader's own flag for exercise 9's explanation.
    expect(page.locator("body")).to_contain_text("needs manual grade", ignore_case=True)
    _shot(page, "formgrader-assignment")


def _saved(api):
    """Matches the formgrader page's request that saves a field through `api`."""
    return lambda response: api in response.url and response.request.method == "PUT"


def test_a_score_and_comment_typed_in_the_formgrader_reach_grades_and_feedback(page, formgrader, course):
    before = read_grades(course)
    points = written_answers(ASSIGNMENT)["explanation"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        (notebook,) = gb.find_submission(ASSIGNMENT, "ada").notebooks
        submission_id, notebook_name = notebook.id, notebook.name
    page.goto(f"{formgrader}/formgrader/submissions/{submission_id}")
    score = page.locator("input.score#explanation")
    expect(score).to_be_visible()
    # The page saves each field when it changes (a PUT to the formgrader's API); wait for the answers.
    score.fill(str(points - 1))
    with page.expect_response(_saved("/api/grade/")) as saved:
        score.press("Tab")
    assert saved.value.ok, saved.value.status
    comment = page.locator("textarea#explanation-comment")
    comment.fill(COMMENT)
    with page.expect_response(_saved("/api/comment/")) as saved:
        comment.press("Tab")
    assert saved.value.ok, saved.value.status
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(notebook_name, ASSIGNMENT, "ada")
        (grade,) = [g for g in sub.grades if g.name == "explanation"]
        (note,) = [c for c in sub.comments if c.name == "explanation"]
        assert grade.manual_score == points - 1
        assert note.manual_comment == COMMENT
    comment.scroll_into_view_if_needed()
    _shot(page, "formgrader-manual")

    run_autograder("feedback", course, timeout=600, check=True, venv_path=False)
    after = read_grades(course)
    assert float(after["ada", ASSIGNMENT]["score"]) == float(before["ada", ASSIGNMENT]["score"]) + points - 1
    assert "awaiting manual grade" not in after["ada", ASSIGNMENT]["status"]
    assert after["bob", ASSIGNMENT]["score"] == before["bob", ASSIGNMENT]["score"]
    assert "awaiting manual grade" in after["bob", ASSIGNMENT]["status"]
    (html,) = (course / "feedback" / "ada" / ASSIGNMENT).glob("*.html")
    text = html.read_text()
    assert COMMENT in text
    given, top = points - 1, points
    assert re.search(rf"Score: {given}(\.0+)? / {top}(\.0+)?", text), "the explanation's hand-given score"
    total, most = float(after["ada", ASSIGNMENT]["score"]), float(after["ada", ASSIGNMENT]["max_score"])
    assert re.search(rf"{total:g}(\.0+)? / {most:g}(\.0+)?", text), "the total grades.csv holds"
