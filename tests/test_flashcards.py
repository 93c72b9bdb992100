"""The flashcards (course/flashcard_deck.py, course/flashcards.py): every lesson has 6-10 cards, each
card's "reread" names a real heading of its lesson, show_cards renders every card for a static
viewer with its answer folded, and the export writes a valid Anki collection and a CSV."""

import csv
import html
import re
import sqlite3
import subprocess
import sys
import zipfile

import nbformat
import pytest
from IPython.core.formatters import DisplayFormatter
from nbconvert.filters.strings import add_anchor

from autograder import notebooks
from course import flashcards
from course.flashcard_deck import CARDS
from course.syllabus import LESSONS

HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def headings(path):
    """The text of every markdown heading of a notebook (code fences skipped)."""
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif not fenced and (m := HEADING.match(line)):
                found.append(m.group(1))
    return found


def rendered(lesson):
    """What a front end receives when show_cards(lesson) displays its cards."""
    shown = []
    original = flashcards.display
    flashcards.display = shown.append
    try:
        flashcards.show_cards(lesson)
    finally:
        flashcards.display = original
    assert len(shown) == 1, "show_cards displays one output"
    data, _ = DisplayFormatter().format(shown[0])
    return data


def test_every_lesson_has_6_to_10_cards():
    assert sorted(CARDS) == [lesson.number for lesson in LESSONS]
    for lesson in LESSONS:
        count = len(CARDS[lesson.number])
        assert 6 <= count <= 10, f"lesson {lesson.number} ({lesson.title}) has {count} flashcards, not 6-10"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.assignment)
def test_every_reread_is_a_heading_of_its_lesson(lesson):
    path = notebooks.ROOT / lesson.lesson_path
    real = headings(path)
    broken = [f"  card {number} {card.question!r}: no heading {card.reread!r}"
              for number, card in enumerate(CARDS[lesson.number], start=1) if card.reread not in real]
    assert not broken, (f"lesson {lesson.number} ({path.name}): flashcards point to headings it does not "
                        "have (fix the card's reread in course/flashcard_deck.py):\n" + "\n".join(broken)
                        + "\nthe lesson's headings: " + "; ".join(repr(h) for h in real))


def test_reread_links_use_the_ids_viewers_give_headings():
    for lesson, card in flashcards.all_cards():
        nbconvert_id = re.search(r'id="([^"]*)"', add_anchor(f"<h2>{html.escape(card.reread)}</h2>")).group(1)
        assert flashcards.heading_anchor(card.reread) == html.unescape(nbconvert_id), (lesson, card.reread)
        assert f'href="#{flashcards.heading_anchor(card.reread)}"' in flashcards.static_html(lesson)


def test_cards_are_complete_and_questions_unique():
    for lesson, deck in CARDS.items():
        questions = [card.question for card in deck]
        assert len(set(questions)) == len(questions), f"lesson {lesson} repeats a question (note ids collide)"
        for card in deck:
            assert card.question.strip() and card.answer.strip(), (lesson, card)
            assert card.question.count("`") % 2 == 0 and card.answer.count("`") % 2 == 0, (lesson, card)


def test_cards_state_the_codes_numbers(tmp_path):
    """The prose-numbers rules (pass line, tiny, knob counts, forward passes) hold on the cards too."""
    from tests.test_prose_numbers import rule_violations

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("\n\n".join(f"{card.question}\n{card.answer}" for card in deck))
                for deck in CARDS.values()]
    path = tmp_path / "flashcards.ipynb"
    nbformat.write(nb, path)
    assert rule_violations(path) == []


@pytest.mark.parametrize("lesson", sorted(CARDS))
def test_show_cards_renders_a_static_copy_with_folded_answers(lesson):
    data = rendered(lesson)
    assert "application/vnd.jupyter.widget-view+json" in data
    page = data["text/html"]
    folded = re.findall(r"<details><summary>(.*?)</summary>(.*?)</details>", page, re.S)
    assert len(folded) == len(CARDS[lesson])
    for (summary, inside), card in zip(folded, CARDS[lesson]):
        assert summary == flashcards.to_html(card.question)
        assert flashcards.to_html(card.answer) in inside and html.escape(card.reread) in inside
    for card in CARDS[lesson]:
        assert flashcards.to_plain(card.question) in data["text/plain"]
    assert rendered(lesson)["text/html"] == page and rendered(lesson)["text/plain"] == data["text/plain"]


def test_the_widget_flips_and_moves():
    deck = flashcards.FlipCards(3)
    first = CARDS[3][0]
    assert flashcards.to_html(first.question) in deck.question.value
    assert flashcards.to_html(first.answer) not in deck.answer.value
    deck.flip.click()
    assert flashcards.to_html(first.answer) in deck.answer.value
    assert f'href="#{flashcards.heading_anchor(first.reread)}"' in deck.answer.value
    deck.next.click()
    assert flashcards.to_html(CARDS[3][1].question) in deck.question.value
    assert flashcards.to_html(CARDS[3][1].answer) not in deck.answer.value
    deck.previous.click()
    deck.previous.click()
    assert flashcards.to_html(CARDS[3][-1].question) in deck.question.value
    assert f"card {len(CARDS[3])} of {len(CARDS[3])}" in deck.counter.value


def test_lessons_show_their_own_cards():
    """A lesson that calls show_cards calls it with its own number."""
    for lesson in LESSONS:
        nb = nbformat.read(notebooks.ROOT / lesson.lesson_path, as_version=4)
        for cell in nb.cells:
            for number in re.findall(r"show_cards\((\d+)\)", cell.source if cell.cell_type == "code" else ""):
                assert int(number) == lesson.number, f"{lesson.lesson_path} shows lesson {number}'s cards"


def test_export_writes_an_anki_collection_and_a_csv(tmp_path):
    assert flashcards.main(["export", str(tmp_path)]) == 0
    total = len(flashcards.all_cards())

    package = tmp_path / flashcards.ANKI_FILE
    assert zipfile.is_zipfile(package)
    with zipfile.ZipFile(package) as archive:
        assert "collection.anki2" in archive.namelist()
        archive.extract("collection.anki2", tmp_path)
    database = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert database.execute("SELECT count(*) FROM notes").fetchone() == (total,)
        assert database.execute("SELECT count(*) FROM cards").fetchone() == (total,)
        guids = {guid for (guid,) in database.execute("SELECT guid FROM notes")}
        fields = [f for (f,) in database.execute("SELECT flds FROM notes")]
    finally:
        database.close()
    assert guids == {flashcards.note_guid(lesson, card) for lesson, card in flashcards.all_cards()}
    assert any(flashcards.to_html(CARDS[9][-1].question) in f for f in fields)

    with open(tmp_path / flashcards.CSV_FILE, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == flashcards.CSV_HEADER
    assert len(rows) == 1 + total
    assert rows[1] == [flashcards.to_plain(CARDS[1][0].question), flashcards.to_plain(CARDS[1][0].answer),
                       "1", CARDS[1][0].reread]


def test_note_ids_come_from_lesson_and_question():
    card = CARDS[4][0]
    assert flashcards.note_guid(4, card) == flashcards.note_guid(4, card._replace(answer="edited"))
    assert flashcards.note_guid(4, card) != flashcards.note_guid(5, card)


def test_the_command_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "course.flashcards", "export", str(tmp_path / "deck")],
                            capture_output=True, text=True, cwd=notebooks.ROOT)
    assert result.returncode == 0, result.stderr
    for name in (flashcards.ANKI_FILE, flashcards.CSV_FILE):
        assert (tmp_path / "deck" / name).exists()
    assert flashcards.main(["wrong"]) == 2


def test_the_course_package_does_not_need_the_grader():
    code = ("import sys, course.flashcards; "
            "sys.exit(any(name.split('.')[0] == 'autograder' for name in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=notebooks.ROOT).returncode == 0
