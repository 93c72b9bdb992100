"""The flashcards in a real browser: in JupyterLab, show_cards(3) renders the flip-card widget (not
the static list), its buttons turn and move the card, and its reread link scrolls the notebook to
the lesson's heading. Uses the JupyterLab and chromium of tests/e2e/test_browser.py (skipped, like
it, when playwright or chromium is missing)."""

import json
import re
import urllib.request

import nbformat
import pytest

from course.flashcard_deck import CARDS
from course.flashcards import to_plain
from test_browser import (  # noqa: F401 (pytest fixtures and helpers, found by name)
    LONG,
    ROOT,
    TOKEN,
    _open_notebook,
    _run_all_cells_from_the_menu,
    _shot,
    _wait_idle,
    browser,
    expect,
    lab,
    page,
)

pytestmark = pytest.mark.slow  # drives JupyterLab in Chromium

NOTEBOOK = "lessons/flashcards_check.ipynb"


def _put_notebook(base, path, nb):
    """Create a notebook in the server's scratch copy through the contents API."""
    body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
    request = urllib.request.Request(f"{base}/api/contents/{path}", data=body, method="PUT",
                                     headers={"Authorization": f"token {TOKEN}",
                                              "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


def test_lesson_3_flashcards_flip_move_and_link_to_their_heading(lab, page):  # noqa: F811 (the imported fixtures)
    lesson = nbformat.read(ROOT / "lessons" / "03_loss.ipynb", as_version=4)
    nb = nbformat.v4.new_notebook(metadata=lesson.metadata)
    nb.cells = [nbformat.v4.new_markdown_cell(c.source) for c in lesson.cells if c.cell_type == "markdown"]
    nb.cells.append(nbformat.v4.new_code_cell("from course.flashcards import show_cards\nshow_cards(3)"))
    _put_notebook(lab, NOTEBOOK, nb)

    _open_notebook(page, lab, NOTEBOOK)
    _run_all_cells_from_the_menu(page)
    cards = page.locator(".jp-NotebookPanel .jupyter-widgets.widget-vbox", has_text="Flashcards, lesson 3")
    expect(cards.first).to_be_visible(timeout=LONG)
    _wait_idle(page, "show the flashcards")
    widget = cards.first
    widget.scroll_into_view_if_needed()
    first, second = CARDS[3][0], CARDS[3][1]
    expect(widget).to_contain_text(to_plain(first.question))
    expect(widget).not_to_contain_text(to_plain(first.answer))
    expect(page.locator(".jp-NotebookPanel details")).to_have_count(0)  # the static list is for viewers
    _shot(page, "flashcards_front")

    widget.get_by_role("button", name="Show answer").click()
    expect(widget).to_contain_text(to_plain(first.answer))
    _shot(page, "flashcards_answer")
    widget.get_by_role("button", name="Next").click()
    expect(widget).to_contain_text(to_plain(second.question))
    expect(widget).to_contain_text(f"card 2 of {len(CARDS[3])}")
    expect(widget).not_to_contain_text(to_plain(second.answer))

    widget.get_by_role("button", name="Show answer").click()
    heading = page.locator(".jp-RenderedMarkdown h2", has_text=re.compile("^" + re.escape(second.reread))).first
    expect(heading).not_to_be_in_viewport()
    widget.get_by_role("link", name=second.reread).click()
    expect(heading).to_be_in_viewport()
    _shot(page, "flashcards_reread_link")
