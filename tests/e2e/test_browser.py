"""End to end in a real browser: what a learner sees in JupyterLab.

Starts JupyterLab from this environment on a scratch copy of lessons/ and exercises/, drives
Debian's chromium with playwright and checks that

- lesson 1 runs, its neuron widget renders with the read-out 0.5523, and moving the "bias b"
  slider with the keyboard changes the read-out (to the value the slider now shows) and the picture;
- exercise 1's sigmoid check cell says PASS for a correct answer typed into the solution cell,
  and names the mistake ("sign flip in the exponent") for a wrong one.

Screenshots go to test-artifacts/e2e/ (or $E2E_ARTIFACTS). The module is skipped when
playwright or /usr/bin/chromium (or $E2E_CHROMIUM) is missing.

The server gets its own empty JUPYTER_CONFIG_DIR (so user settings, workspaces and page config of
the person running the tests neither leak in nor get written), plus JUPYTER_RUNTIME_DIR and
IPYTHONDIR in the tmp dir. The venv's own config (extensions) still applies, and so does
$JUPYTER_CONFIG_PATH: to check that the test catches a widget that stops rendering, run it with
JUPYTER_CONFIG_PATH=<dir> where <dir>/labconfig/page_config.json is
{"disabledExtensions": {"@jupyter-widgets/jupyterlab-manager": true}}; the lesson test then fails
with "the neuron widget of lesson 1 did not render ...".
"""

import json
import math
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from support.browser import CHROMIUM, CHROMIUM_ARGS
from support.lab_server import free_port, get, isolated_env, serving

pytestmark = pytest.mark.slow  # drives JupyterLab in Chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e"))
TOKEN = "course-e2e-token"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM} (install Debian's chromium to run the browser tests)",
                allow_module_level=True)
expect = sync_api.expect

LONG = 90_000   # ms: kernel start plus a whole lesson on a busy 2-core machine
SHORT = 30_000  # ms: one cell, one widget update


def _get(url):
    return json.loads(get(url, TOKEN, timeout=5)[1] or b"null")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a scratch copy of the course; yields its base URL."""
    tmp = tmp_path_factory.mktemp("e2e")
    scratch = tmp / "course"
    for name in ("lessons", "exercises"):
        shutil.copytree(ROOT / name, scratch / name)
    env = isolated_env(tmp)
    port = free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={scratch}"]
    with serving(command, port, TOKEN, tmp / "lab.log", cwd=scratch, env=env) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS, headless=True, viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.set_default_timeout(SHORT)
    yield page
    page.close()


def _shot(page, name):
    # JupyterLab asks once whether to fetch its news; the toast would cover part of the picture.
    toast_no = page.locator(".Toastify__toast", has_text="Jupyter news").get_by_role("button", name="No", exact=True)
    if toast_no.count():
        toast_no.click()
        expect(toast_no).to_have_count(0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def _open_notebook(page, base, path):
    page.goto(f"{base}/lab/tree/{path}?token={TOKEN}", timeout=LONG)
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=LONG)
    _wait_idle(page, "start the kernel")
    _wait_session_settled(base, path)


def _wait_session_settled(base, path):
    """Wait until the server has one session for this notebook, with its kernel idle and the
    page connected to it, the same for two polls in a row. JupyterLab sometimes starts a second
    kernel while opening a notebook and swaps it in; cells run before that are silently dropped."""
    deadline = time.monotonic() + LONG / 1000
    previous = None
    while time.monotonic() < deadline:
        sessions = [s for s in _get(f"{base}/api/sessions") if s["path"] == path]
        kernel = sessions[0]["kernel"] if len(sessions) == 1 else None
        if kernel:
            kernel = _get(f"{base}/api/kernels/{kernel['id']}")
        state = kernel and (kernel["id"], kernel["execution_state"], kernel["connections"] >= 1)
        if state and state[1:] == ("idle", True) and state == previous:
            return
        previous = state
        time.sleep(0.5)
    raise AssertionError(f"the kernel of {path} did not settle (one session, idle, connected) "
                         f"within {LONG // 1000} s: {previous}")


def _wait_idle(page, doing):
    """Wait until the notebook's kernel has started and is idle (the toolbar's indicator)."""
    indicator = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator")
    try:
        expect(indicator).to_have_attribute("data-status", "idle", timeout=LONG)
    except AssertionError as error:
        raise AssertionError(f"the kernel was not idle {LONG // 1000} s after asking it to {doing}: "
                             f"{indicator.get_attribute('data-status')!r}") from error


def _run_all_cells_from_the_menu(page):
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator("#jp-mainmenu-run .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    expect(page.locator("#jp-mainmenu-run")).to_be_hidden()


def _cell(page, grade_id_source_start):
    """The code cell whose source starts with this text."""
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    return cells.filter(has=page.locator(".cm-content", has_text=grade_id_source_start)).first


def _run(page, cell):
    """Run one cell the way a learner does: click into it, Ctrl+Enter; wait for its result."""
    prompt = cell.locator(".jp-InputArea-prompt")
    before = prompt.inner_text()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(prompt).not_to_have_text(before, timeout=LONG)
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=LONG)


def _replace_source(page, cell, source):
    """Click into the cell's editor, select all, type the new source."""
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # insert_text types the text as one input: CodeMirror adds no auto-indent or closing brackets.
    page.keyboard.insert_text(source)
    expect(editor).to_have_text(source.replace("\n", ""), use_inner_text=False)
    page.keyboard.press("Escape")


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_lesson_1_neuron_widget_responds_to_the_bias_slider(lab, page):
    _open_notebook(page, lab, "lessons/01_neuron.ipynb")
    _run_all_cells_from_the_menu(page)
    # Run All clears every output at once; the explorer cell's output then comes back either as the
    # rendered widget or, when the front end cannot render widgets, as the text repr "VBox(...)".
    # Waiting for either one fails fast (not after a timeout) when widgets stop rendering.
    explorer = _cell(page, "widgets.neuron_explorer()")
    widget = explorer.locator(".jupyter-widgets.widget-vbox", has=page.locator(".neuron-output")).first
    fallback = explorer.locator(".jp-OutputArea-output", has_text="VBox(")
    try:
        expect(widget.or_(fallback).first).to_be_visible(timeout=LONG)
    except AssertionError:
        pass  # reported below
    _wait_idle(page, "run all cells of lesson 1")
    running = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputArea-prompt", has_text="[*]")
    expect(running).to_have_count(0, timeout=LONG)
    if not widget.is_visible():
        _shot(page, "lesson1_widget_missing")
        shown = explorer.locator(".jp-OutputArea").inner_text() if explorer.count() else "(cell not found)"
        pytest.fail("the neuron widget of lesson 1 did not render in JupyterLab after Run All Cells "
                    "(no .jupyter-widgets element with the read-out in the explorer cell's output); "
                    f"the output area shows: {shown[:300]!r}")
    widget.scroll_into_view_if_needed()
    readout = widget.locator("b.neuron-output")
    picture = widget.locator("img")
    expect(readout).to_have_text("0.5523")
    expect(picture).to_have_attribute("src", re.compile(r"."))
    src_before = picture.get_attribute("src")
    _shot(page, "lesson1_widget_default")

    bias = widget.locator(".widget-slider", has=page.locator(".widget-label", has_text="bias b"))
    handle = bias.locator(".noUi-handle")
    handle.focus()
    for _ in range(5):  # each arrow press is one step of 0.1
        page.keyboard.press("ArrowRight")
    expect(bias.locator(".widget-readout")).to_have_text("0.50")
    b = float(bias.locator(".widget-readout").inner_text())
    # z = 0.2 * 0.35 + 0.2 * 0.7 + b at the default weights
    expected = f"{_sigmoid(0.21 + b):.4f}"
    expect(readout).to_have_text(expected)
    expect(picture).not_to_have_attribute("src", src_before)
    widget.scroll_into_view_if_needed()
    _shot(page, "lesson1_widget_bias_0.5")


def test_exercise_1_sigmoid_check_says_pass_then_names_the_mistake(lab, page):
    _open_notebook(page, lab, "exercises/01_neuron/01_neuron_exercise.ipynb")
    setup = _cell(page, "import numpy as np")
    solution = _cell(page, "def sigmoid(z):")
    checker = _cell(page, "# Check sigmoid")
    _run(page, setup)
    expect(setup.locator(".jp-OutputArea-output")).to_have_count(0)  # no error from the setup

    _replace_source(page, solution, "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))")
    _run(page, solution)
    _run(page, checker)
    output = checker.locator(".jp-OutputArea")
    expect(output).to_contain_text("PASS sigmoid", timeout=SHORT)
    checker.scroll_into_view_if_needed()
    _shot(page, "exercise1_sigmoid_pass")

    _replace_source(page, solution, "def sigmoid(z):\n    return 1 / (1 + np.exp(z))")
    _run(page, solution)
    _run(page, checker)
    expect(output).to_contain_text("sign flip in the exponent", timeout=SHORT)
    expect(output).not_to_contain_text("PASS sigmoid")
    checker.scroll_into_view_if_needed()
    _shot(page, "exercise1_sigmoid_sign_flip")
