"""The learner's feedback page reads well (autograder/grading/feedback_html.py and its template).

Fast tests: the markdown's maths becomes MathML (every formula of the course's exercises
converts), relative links become text naming the file in the course folder, a failed grade cell
gets a first line naming its function and the known mistake (from the real checks' messages),
and the course's nbgrader config puts all of it in GenerateFeedback's way.

Slow test: the real grade command on a class with a buggy submission of exercises 1 and 3, the
feedback opened in Chromium at 1280, 800 and 400 px with every request outside file:// blocked
and recorded: no request, no message wider than its box or cut, MathML drawn with a size and no
raw TeX, every link an anchor on the page, the function and mistake named above the message, no
hidden test. The same measurements on nbgrader's stock feedback page of the same notebook find
the overflow and the MathJax request (so they can fail). Screenshots: test-artifacts/feedback/.
"""

import html
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder import notebooks
from autograder.grading import feedback_html
from autograder.grading.feedback_html import (
    FeedbackExporter,
    NameTheMistake,
    ScoreNotes,
    awaiting_note,
    course_path,
    duration,
    exporter_settings,
    headline,
    late_note,
    named_mistakes,
    to_mathml,
)
from support.browser import CHROMIUM, launch
from support.grading import hidden_in, read_grades, run_grade
from support.synthetic import correct_notebook, learner_source, mutants, released_notebook

ROOT = notebooks.ROOT
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts")) / "feedback"
WIDTHS = (1280, 800, 400)


def render(source, assignment="09_chain_rule"):
    return feedback_html.markdown2html({"cell": {}, "resources": {"nbgrader": {"assignment": assignment}}}, source)


# ------------------------------------------------------------------ maths

def test_inline_and_display_maths_become_mathml():
    page = render("The sigmoid $\\sigma(z) = \\dfrac{1}{1 + e^{-z}}$ squashes.\n\n"
                  "$$C = \\frac{1}{n}\\sum_{i} \\tfrac12 (\\hat y_i - y_i)^2$$\n")
    assert page.count("<math") == 2
    assert 'display="inline"' in page and 'display="block"' in page
    assert "$" not in page and "\\frac" not in page and "\\sigma" not in page
    assert "<mfrac>" in page and "&#x003C3;" in page  # a fraction, and sigma as a character


def test_dollars_in_code_stay_code_and_what_cannot_convert_stays_as_written():
    page = render("Code: `price = $5 and $6`. Unknown: $\\foo{x}$. Broken: $\\frac{1}{$.")
    assert "<code>price = $5 and $6</code>" in page
    assert "$\\foo{x}$" in page and "<math" not in page
    assert to_mathml("\\foo{x}") is None and to_mathml("\\frac{1}{") is None


def course_formulas():
    """Every formula in the markdown of solutions/*/*.ipynb, as nbconvert's parser finds them."""
    found = []

    class Spy(feedback_html.MathMLInlineParser):
        def _mathml(self, m, state, tex, display, fallback):
            found.append((tex, display))
            return super()._mathml(m, state, tex, display, fallback)

    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    for path in sorted(notebooks.SOLUTIONS.glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                parser = MarkdownWithMath(renderer=IPythonRenderer(escape=False), inline=Spy(hard_wrap=False))
                parser.render(cell.source)
    return found


def test_every_formula_of_the_course_converts():
    formulas = course_formulas()
    failed = [tex for tex, display in formulas if to_mathml(tex, display) is None]
    assert len(formulas) >= 25 and any(display for _, display in formulas)
    assert failed == []


# ------------------------------------------------------------------ links

def test_relative_links_become_the_file_in_the_course_folder():
    page = render("The companion to [lesson 9](../../lessons/09_chain_rule.ipynb); see [part A](#Part-A), "
                  "[the data](data/points.csv) and [nbgrader](https://nbgrader.readthedocs.io).")
    assert "href=\"../../lessons" not in page
    assert "lesson 9 (<code>lessons/09_chain_rule.ipynb</code> in your course folder)" in page
    assert "the data (<code>exercises/09_chain_rule/data/points.csv</code> in your course folder)" in page
    assert '<a href="#Part-A">part A</a>' in page
    assert '<a href="https://nbgrader.readthedocs.io">nbgrader</a>' in page


@pytest.mark.parametrize("url, expected", [
    ("../../lessons/01_neuron.ipynb", "lessons/01_neuron.ipynb"),
    ("../../lessons/09%20chain.ipynb#Deltas", "lessons/09 chain.ipynb"),
    ("figure.png", "exercises/01_neuron/figure.png"),
    ("../../../elsewhere.txt", None),
    ("#top", None),
    ("https://example.org/x", None),
    ("/etc/passwd", None),
])
def test_course_path(url, expected):
    assert course_path(url, "01_neuron") == expected


# ------------------------------------------------------------------ the line above a failed check

def real_failure(assignment, name, wrong):
    """The error output the judge writes for a real failed hidden check."""
    from autograder.hidden import HiddenTests
    from autograder.judge import error_output
    from course.checking import CheckFailed

    with pytest.raises(CheckFailed) as failed:
        HiddenTests(assignment).check(name, wrong)
    return error_output("CheckFailed", str(failed.value)), failed.value


def feedback_cell(grade_id, outputs, score=0, points=1):
    cell = new_code_cell(f'check("{grade_id}")', outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                                 "points": points, "score": score}
    return cell


def test_a_known_mistake_is_named_above_the_message():
    error, failed = real_failure("01_neuron", "relu", lambda z: z)
    assert failed.mistakes == ("returned the input",)
    assert named_mistakes(error.evalue) == ["returned the input"]
    nb = new_notebook(cells=[feedback_cell("test_relu", [error])])
    nb, _ = NameTheMistake().preprocess(nb, {})
    first, second = nb.cells[0].outputs
    assert second == error  # the check's own message is kept, whole
    assert first.output_type == "display_data"
    assert first.data["text/plain"] == ("relu — 0 of 1 point: a known mistake: returned the input. "
                                         "What the check found is below.")
    assert "<code>relu</code>" in first.data["text/html"]
    assert "<strong>returned the input</strong>" in first.data["text/html"]


def test_a_failure_without_a_known_mistake_names_the_function():
    error, failed = real_failure("01_neuron", "sigmoid", lambda z: 1.0 / (1.0 + z * z))
    assert failed.mistakes == ()
    line = headline("test_sigmoid", error, 0, 1)
    assert "<code>sigmoid</code> — 0 of 1 point: wrong on the hidden tests." in line
    assert "known mistake" not in line


def test_several_matching_mistakes_are_all_named():
    from course.checking import Mistake, _failed

    both = [Mistake("dropped the 1/n", "The mean needs the 1/n.", "lesson 3", abs),
            Mistake("summed instead of averaged", "Sum, then divide.", "lesson 3", abs)]
    message = str(_failed("mse is wrong on random Y.", both))
    assert named_mistakes(message) == ["dropped the 1/n", "summed instead of averaged"]
    line = headline("test_mse", {"ename": "CheckFailed", "evalue": message}, 0, 2)
    assert "<strong>dropped the 1/n</strong>; <strong>summed instead of averaged</strong>" in line
    assert "0 of 2 points" in line


@pytest.mark.parametrize("ename, evalue, says", [
    ("CheckStopped", "relu ran longer than 30 seconds", "stopped before its tests finished"),
    ("ZeroDivisionError", "division by zero", "it raised <code>ZeroDivisionError</code> when tested"),
    ("CheckFailed", "x <b>y</b>", "wrong on the hidden tests"),
])
def test_other_failures(ename, evalue, says):
    assert says in headline("test_relu", {"ename": ename, "evalue": evalue}, 0, 1)


def test_passed_cells_and_answer_cells_are_left_alone():
    passed = feedback_cell("test_relu", [new_output("stream", name="stdout", text="relu: passed.\n")], score=1)
    answer = new_code_cell("def relu(z):\n    return 1 / 0", outputs=[
        new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])])
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": "relu", "locked": False}
    nb = new_notebook(cells=[passed, answer, new_markdown_cell("text")])
    before = nbformat.writes(nb)
    nb, _ = NameTheMistake().preprocess(nb, {})
    assert nbformat.writes(nb) == before


# ------------------------------------------------------------------ the course's config

def test_the_course_config_makes_generate_feedback_write_this_page(tmp_path):
    from autograder.grading.pipelines import HideHiddenTests, course_config, feedback_preprocessors

    steps = feedback_preprocessors()
    assert steps.index(HideHiddenTests) < steps.index(NameTheMistake)  # hidden tests gone first
    cfg = course_config(tmp_path, tmp_path / "gradebook.db")
    assert dict(cfg.FeedbackExporter) == exporter_settings()
    assert cfg.GenerateFeedback.exporter_class is FeedbackExporter
    assert "template_file" not in cfg.HTMLExporter  # nbgrader's other pages keep their templates
    assert NameTheMistake in cfg.GenerateFeedback.preprocessors


def stock_settings():
    """nbgrader's own feedback page, as GenerateFeedback sets it up without the course's config."""
    templates = exporter_settings()["extra_template_basedirs"][0]
    return {"template_name": "feedback", "extra_template_basedirs": [templates]}


def export(nb, settings, assignment="01_neuron", **more):
    """A feedback page of an autograded notebook with its cells' scores set, as GenerateFeedback
    writes it (its HTMLExporter, with the course's steps after GetGrades)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from traitlets.config import Config

    from autograder.grading.pipelines import HideHiddenTests

    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta and meta.get("grade"):
            failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            meta.setdefault("points", 1)
            meta.update(score=0 if failed else meta["points"], comment="")
    formgrader = Path(exporter_settings()["extra_template_basedirs"][0]).parent
    cfg = Config()
    cfg.HTMLExporter.update(settings)
    cfg.HTMLExporter.extra_template_paths = [str(formgrader / "static/node_modules/bootstrap/dist/css")]
    exporter = HTMLExporter(config=cfg)
    for step in (HideHiddenTests, NameTheMistake, CSSHTMLHeaderPreprocessor):
        exporter.register_preprocessor(step, enabled=True)
    page, _ = exporter.from_notebook_node(nb, resources={"nbgrader": {
        "notebook": "01_neuron_exercise", "assignment": assignment, "score": 0, "max_score": 12, "late_penalty": 0,
        **more}})
    return page


def failed_relu_notebook():
    """Exercise 1 with the instructor's code except relu, which returns its input, and the outputs
    the judge gives its grade cells."""
    nb = correct_notebook("01_neuron")
    error, _ = real_failure("01_neuron", "relu", lambda z: z)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            name = grade_id.removeprefix("test_")
            cell.outputs = [error] if name == "relu" else [
                new_output("stream", name="stdout", text=f"{name}: passed all 7 hidden test cases.\n")]
    return nb


def test_the_page_has_no_script_and_no_web_address():
    page = export(failed_relu_notebook(), exporter_settings())
    assert "<script" not in page and "mathjax" not in page.lower()
    markup = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    assert not re.findall(r"(?:src|href)=\"(?:https?:)?//", markup)
    assert "white-space: pre-wrap" in page
    assert page.count("<math") >= 8
    assert page.count('class="feedback-headline"') == 1
    assert not hidden_in(page)
    stock = export(failed_relu_notebook(), stock_settings())
    assert "mathjax" in stock.lower() and "<math" not in stock  # what the course's page replaces


# ------------------------------------------------------------------ late work

@pytest.mark.parametrize("seconds, words", [
    (30, "less than a minute"), (60, "1 minute"), (7200.0, "2 hours"), (5400, "1 hour and 30 minutes"),
    (93784, "1 day and 2 hours"), (172800, "2 days"), (86400 + 59, "1 day"),
])
def test_how_late_in_words(seconds, words):
    assert duration(seconds) == words


def test_the_late_sentence():
    from datetime import datetime

    submitted, due = datetime(2026, 12, 1, 12, 0), datetime(2026, 12, 1, 10, 0)
    assert late_note(submitted, due, 7200.0, 12) == (
        "Handed in 1 December 2026 at 12:00 UTC, 2 hours after the due date (1 December 2026 at 10:00 UTC). "
        "The score above is after a late penalty of 12 points.")
    assert late_note(submitted, due, 7200.0, 0).endswith("after the due date (1 December 2026 at 10:00 UTC). "
                                                         "No points were taken off for lateness.")
    assert late_note(submitted, due, 7200.0, 1.5).endswith("a late penalty of 1.5 points.")


def test_the_awaiting_sentence_and_where_it_sits():
    assert awaiting_note({"explanation": 3.0}) == (
        "Your written answer explanation (3 points) waits for your instructor's grade: "
        "the score above counts it as 0 until then.")
    assert awaiting_note({"a": 1.0, "b": 2.0}).startswith("Your written answers a (1 point), b (2 points) wait ")
    page = export(failed_relu_notebook(), exporter_settings(), late_note="Late <x>", awaiting_note="Waits <y>")
    assert re.search(r'</h4>\s*<p class="late-note">Late &lt;x&gt;</p><p class="awaiting-note">Waits &lt;y&gt;</p>',
                     page)
    assert 'class="awaiting-note"' not in export(failed_relu_notebook(), exporter_settings())


def test_the_late_line_sits_under_the_score_only_for_late_work():
    page = export(failed_relu_notebook(), exporter_settings(), late_note="Handed in <late>")
    assert re.search(r'<h4>01_neuron_exercise \(Score: [^<]*\)</h4>\s*<p class="late-note">Handed in &lt;late&gt;</p>',
                     page)
    assert page.count('class="late-note"') == 1
    assert 'class="late-note"' not in export(failed_relu_notebook(), exporter_settings())
    assert exporter_settings()["preprocessors"] == [f"{ScoreNotes.__module__}.ScoreNotes"]


# ------------------------------------------------------------------ in Chromium

MEASURE = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width,
                                                                  height: r.height}; };
  const outputs = [...document.querySelectorAll(
      'div.output_subarea, div.output_subarea pre, div.feedback-headline')].map(e => ({
    kind: e.className || e.tagName, text: e.innerText, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth,
    scrollHeight: e.scrollHeight, clientHeight: e.clientHeight, box: box(e)}));
  const maths = [...document.querySelectorAll('math')].map(box);
  const links = [...document.querySelectorAll('a[href]')].map(a => {
    const href = a.getAttribute('href');
    const id = href.startsWith('#') ? decodeURIComponent(href.slice(1)) : null;
    return {href, target: id !== null && (document.getElementById(id) !== null
                                          || document.getElementsByName(id).length > 0)};
  });
  const prose = [...document.querySelectorAll('.text_cell_render')].map(e => e.innerText).join('\\n');
  const headlines = [...document.querySelectorAll('div.feedback-headline')].map(e => {
    const pre = e.closest('div.output').querySelector('div.output_error pre');
    return {text: e.innerText, above: pre !== null && box(e).height > 0
            && e.getBoundingClientRect().bottom <= pre.getBoundingClientRect().top};
  });
  const textBox = e => { const r = document.createRange(); r.selectNodeContents(e);
                         const b = r.getBoundingClientRect(); return {left: b.left, right: b.right}; };
  const tables = [...document.querySelectorAll('.text_cell_render table')].map(t => ({
    box: box(t), scrollWidth: t.scrollWidth, clientWidth: t.clientWidth,
    rows: [...t.rows].filter(r => r.getBoundingClientRect().height > 0).map(r => [...r.cells].map(c => ({
      text: c.innerText.trim(), ...textBox(c)})))}));
  const late = document.querySelector('p.late-note');
  const score = document.querySelector('.panel-heading h4');
  return {outputs, maths, links, prose, headlines, tables, innerWidth: window.innerWidth,
          pageWidth: document.documentElement.scrollWidth,
          late: late && {text: late.innerText, box: box(late), scrollWidth: late.scrollWidth,
                         clientWidth: late.clientWidth,
                         underScore: late.getBoundingClientRect().top >= score.getBoundingClientRect().bottom
                                     && late.previousElementSibling === score}};
}"""


def open_page(browser, path, width):
    """The page at a window width, every request outside file:// blocked: (measurements, requests)."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests = []

    def block(route):
        requests.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!file:).*"), block)
    page.on("request", lambda r: None if r.url.startswith("file:") else requests.append(r.url))
    page.goto(Path(path).as_uri())
    page.wait_for_load_state("load")
    return page, page.evaluate(MEASURE), sorted(set(requests))


def overflowing(found):
    """The outputs that need sideways scrolling, are cut at the bottom, or reach past the window."""
    return [o for o in found["outputs"]
            if o["scrollWidth"] > o["clientWidth"] + 1 or o["scrollHeight"] > o["clientHeight"] + 1
            or o["box"]["right"] > found["innerWidth"] + 1 or o["box"]["left"] < 0]


def cell_gaps(found):
    """[(left cell's text, right cell's text, px between their texts)] for side by side table cells."""
    return [(a["text"], b["text"], b["left"] - a["right"]) for table in found["tables"] for row in table["rows"]
            for a, b in zip(row, row[1:]) if a["text"] and b["text"]]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The grade command's feedback for a learner whose exercise 1 relu returns its input and
    whose exercise 3 has a sign flipped in one function."""

    root = tmp_path_factory.mktemp("feedback-class")
    planted = {"01_neuron": ("relu", "identity"), "03_loss": (None, "sign")}
    for assignment, (name, mutation) in planted.items():
        nb = correct_notebook(assignment)
        solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
        for cell in solutions:
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            found = mutants(assignment, grade_id)
            if (name is None and mutation in found) or grade_id == name:
                cell.source = learner_source(found[mutation])
                planted[assignment] = (grade_id, mutation)
                break
        target = root / "submitted" / "learner" / assignment / released_notebook(assignment).name
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    run_grade(root, "--jobs", 1, timeout=600, check=True, tail=None)
    return root, planted


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


def failed_messages(autograded):
    """{grade id: the check's message} for the failed grade cells of an autograded notebook."""
    nb = nbformat.read(autograded, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: o.evalue for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") for o in c.get("outputs", [])
            if o.output_type == "error"}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["01_neuron", "03_loss"])
def test_the_feedback_reads_well_in_chromium(graded_class, browser, assignment):
    root, planted = graded_class
    name = f"{assignment}_exercise"
    page_path = root / "feedback" / "learner" / assignment / f"{name}.html"
    messages = failed_messages(root / "autograded" / "learner" / assignment / f"{name}.ipynb")
    function, mutation = planted[assignment]
    assert f"test_{function}" in messages  # the planted bug lost its points
    text = page_path.read_text()
    assert not hidden_in(text), page_path
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page, found, requests = open_page(browser, page_path, width)
        assert requests == []
        assert overflowing(found) == [], width
        assert found["pageWidth"] <= width
        shown = " ".join(o["text"] for o in found["outputs"] if o["kind"] == "PRE")
        for message in messages.values():  # each message whole, on the page
            assert " ".join(message.split()) in " ".join(shown.split())
        assert len(found["maths"]) >= 8
        assert found["tables"] and all(t["box"]["right"] <= width + 1 for t in found["tables"])
        gaps = cell_gaps(found)
        assert gaps and min(gap for _, _, gap in gaps) >= 8, width  # padded cells: texts apart
        if assignment == "01_neuron":  # the slopes' table, whose ReLU row ran together
            (relu,) = [row for table in found["tables"] for row in table["rows"] if row[0]["text"] == "ReLU"]
            assert relu[2]["text"] == "0 (this course's convention)" and relu[1]["text"].startswith("1 if")
            assert relu[2]["left"] - relu[1]["right"] >= 8
            page.evaluate("[...document.querySelectorAll('td')].find(td => td.innerText.trim() === 'ReLU')"
                          ".closest('table').scrollIntoView()")
            page.screenshot(path=str(ARTIFACTS / f"{assignment}-table-{width}.png"))
        assert all(m["width"] > 0 and m["height"] > 0 for m in found["maths"])
        assert "$" not in found["prose"] and "\\" not in found["prose"]
        assert found["links"] and all(link["href"].startswith("#") and link["target"] for link in found["links"])
        assert len(found["headlines"]) == len(messages)
        assert all(h["above"] for h in found["headlines"])
        mine = [h["text"] for h in found["headlines"] if h["text"].startswith(function)]
        assert len(mine) == 1 and "0 of " in mine[0]
        if mutation == "identity":
            assert "a known mistake: returned the input" in mine[0]
        page.evaluate(f"document.getElementsByName('test_{function}')[0].scrollIntoView()")
        page.screenshot(path=str(ARTIFACTS / f"{assignment}-{width}.png"))
        page.close()


@pytest.mark.slow
def test_the_measurements_find_what_is_wrong_with_nbgraders_own_page(graded_class, browser, tmp_path):
    root, _ = graded_class
    nb = nbformat.read(root / "autograded" / "learner" / "01_neuron" / "01_neuron_exercise.ipynb", as_version=4)
    stock = tmp_path / "stock.html"
    stock.write_text(export(nb, stock_settings()))
    page, found, requests = open_page(browser, stock, 400)
    page.close()
    assert any("mathjax" in url for url in requests)
    assert overflowing(found)
    assert "$" in found["prose"]
    assert any(not link["href"].startswith("#") for link in found["links"])
    assert min(gap for _, _, gap in cell_gaps(found)) < 4  # its table cells have no padding


WIDE_TABLE = ("| shape | what it holds | example |\n|---|---|---|\n"
              "| `(batch_size, number_of_inputs_to_the_first_layer)` | the inputs, one row per example | "
              "`np.random.default_rng(0).standard_normal((32, 784))` |\n")


@pytest.mark.slow
def test_a_table_wider_than_the_window_scrolls_inside_itself(browser, tmp_path):
    nb = failed_relu_notebook()
    nb.cells.insert(1, new_markdown_cell(WIDE_TABLE))
    path = tmp_path / "wide.html"
    path.write_text(export(nb, exporter_settings()))
    page, found, _ = open_page(browser, path, 400)
    page.close()
    (wide,) = [t for t in found["tables"] if t["rows"][0][0]["text"] == "shape"]
    assert wide["scrollWidth"] > wide["clientWidth"]  # too wide for 400 px: it scrolls, in its own box
    assert wide["box"]["right"] <= 400 and found["pageWidth"] <= 400
    assert min(gap for _, _, gap in cell_gaps(found)) >= 8


def test_text_plain_of_the_headline_has_no_markup():
    line = headline("test_relu", {"ename": "CheckFailed", "evalue": "This looks like a known mistake: a<b. x"}, 0, 1)
    assert "a&lt;b" in line
    assert html.unescape(re.sub(r"<[^>]+>", "", line)).startswith("relu — 0 of 1 point: a known mistake: a<b")


@pytest.mark.parametrize("wrong, says", [
    (lambda z: (_ for _ in ()).throw(NotImplementedError()), "relu — 0 of 1 point: not written yet."),
    (lambda z: z[99], "relu — 0 of 1 point: it raised IndexError when tested."),
])
def test_what_the_check_found_first_is_said_above_it(wrong, says):
    error, _ = real_failure("01_neuron", "relu", wrong)
    plain = html.unescape(re.sub(r"<[^>]+>", "", headline("test_relu", error, 0, 1)))
    assert plain.startswith(says)


@pytest.mark.slow
def test_late_work_says_when_how_late_and_the_penalty(browser, tmp_path):
    """The real grade command, a due date in the gradebook and the instructor's late penalty in the
    course folder's nbgrader_config.py: the late learner's page says when, how late and the penalty
    under the score; the on-time learner's page has no such line."""
    import subprocess

    for learner, stamp in (("ada", "2026-12-01 12:00:00.000000 UTC"), ("bob", "2026-12-01 09:30:00.000000 UTC")):
        folder = tmp_path / "submitted" / learner / "01_neuron"
        folder.mkdir(parents=True)
        nbformat.write(correct_notebook("01_neuron"), folder / released_notebook("01_neuron").name)
        (folder / "timestamp.txt").write_text(stamp + "\n")
    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "backprop-by-hand"\n'
        'c.LateSubmissionPlugin.penalty_method = "zero"\n')
    env = notebooks.nbgrader_env()
    subprocess.run([sys.executable, "-m", "nbgrader", "db", "assignment", "add", "01_neuron",
                    "--duedate=2026-12-01 10:00:00 UTC"], cwd=tmp_path, check=True, capture_output=True, env=env)
    run_grade(tmp_path / "submitted", "--out", tmp_path, "--jobs", 1, timeout=600, check=True)
    rows = read_grades(tmp_path)
    ada, bob = rows["ada", "01_neuron"], rows["bob", "01_neuron"]
    assert (ada["score"], ada["late_by_seconds"], ada["penalty"]) == ("0", "7200", "12")
    assert (bob["score"], bob["late_by_seconds"]) == ("12", "0")
    pages = {learner: tmp_path / "feedback" / learner / "01_neuron" / "01_neuron_exercise.html"
             for learner in ("ada", "bob")}
    assert 'class="late-note"' not in pages["bob"].read_text()
    for width in WIDTHS:
        page, found, _ = open_page(browser, pages["ada"], width)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"late-{width}.png"))
        page.close()
        assert found["late"]["text"] == (
            "Handed in 1 December 2026 at 12:00 UTC, 2 hours after the due date (1 December 2026 at 10:00 UTC). "
            "The score above is after a late penalty of 12 points.")
        assert found["late"]["underScore"] and found["late"]["box"]["height"] > 0
        assert found["late"]["box"]["right"] <= width and found["late"]["scrollWidth"] <= found["late"]["clientWidth"]
    page, found, _ = open_page(browser, pages["bob"], 400)
    page.close()
    assert found["late"] is None
