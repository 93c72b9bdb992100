"""Flashcards: retrieval practice at the end of every lesson.

In a lesson's last cell:

    from course.flashcards import show_cards
    show_cards(3)

shows lesson 3's cards one at a time: the question first, a button that turns the card over, the
section of the lesson to reread as a link to its heading, and buttons to the previous and next
card. The same output carries a static copy of the cards, each answer folded under its question,
which GitHub and nbviewer show where no widget runs.

For spaced repetition, write every lesson's cards as an Anki package and a CSV file:

    python -m course.flashcards export OUT_DIR

The cards themselves live in course/flashcard_deck.py.
"""

import csv
import html
import re
import sys
from pathlib import Path
from urllib.parse import quote

import ipywidgets as widgets
from IPython.display import display

from course.flashcard_deck import CARDS
from course.syllabus import LESSONS

TITLES = {lesson.number: lesson.title for lesson in LESSONS}

ANKI_FILE = "backprop_by_hand.apkg"
CSV_FILE = "backprop_by_hand_flashcards.csv"
CSV_HEADER = ("question", "answer", "lesson", "reread")
# Fixed ids: Anki recognises the note type and decks again when a newer package is imported.
ANKI_MODEL_ID = 1607392319
ANKI_DECK_ID = 2059400110


def cards(lesson):
    """The cards of one lesson (1-10), in order."""
    if lesson not in CARDS:
        raise ValueError(f"there are flashcards for lessons {min(CARDS)} to {max(CARDS)}, not {lesson!r}")
    return CARDS[lesson]


def heading_anchor(heading):
    """The id JupyterLab and nbviewer give a markdown heading: spaces become '-'.

    nbviewer (nbconvert) also percent-encodes what a URL fragment cannot hold; JupyterLab keeps the
    text as it is, and a browser decodes the fragment before looking the id up, so both find it.
    """
    return quote(heading.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


def to_html(text):
    """Card text as HTML: escaped, with `backticks` shown as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def to_plain(text):
    return text.replace("`", "")


FRONT_HINT = "<p><i>Answer in your head, then turn the card over.</i></p>"
LINK_STYLE = "color: var(--jp-content-link-color, #1976d2); text-decoration: underline"


def reread_html(card, style=None):
    """'Reread: <section>', the section a link to its heading (in this notebook)."""
    styled = f' style="{style}"' if style else ""
    return f'Reread: <a href="#{heading_anchor(card.reread)}"{styled}>{html.escape(card.reread)}</a>'


def static_html(lesson):
    """Every card of a lesson as a list, each answer folded under its question (<details>)."""
    deck = cards(lesson)
    items = "\n".join(
        f"<li><details><summary>{to_html(card.question)}</summary>\n"
        f"<p>{to_html(card.answer)}</p>\n<p><small>{reread_html(card)}</small></p>\n</details></li>"
        for card in deck)
    return (f'<div class="flashcards">\n<p><b>Flashcards, lesson {lesson}</b>: {len(deck)} cards. '
            "Answer each question in your head first, then open it to check.</p>\n"
            f"<ol>\n{items}\n</ol>\n</div>")


def static_text(lesson):
    """The cards as plain text: the questions first, then the answers (for a plain-text viewer)."""
    deck = cards(lesson)
    lines = [f"Flashcards, lesson {lesson}: {len(deck)} cards. Answer each question before reading on."]
    lines += [f"{number}. {to_plain(card.question)}" for number, card in enumerate(deck, start=1)]
    lines.append("Answers:")
    lines += [f"{number}. {to_plain(card.answer)} (Reread: {card.reread})"
              for number, card in enumerate(deck, start=1)]
    return "\n".join(lines)


class FlipCards:
    """One lesson's cards as a flip-card widget.

    Displayed, it offers the widget to a running notebook and the static list (HTML, plain text)
    to any viewer that cannot run it; each front end shows the richest one it can.
    """

    def __init__(self, lesson, start=0):
        self.lesson = lesson
        self.deck = cards(lesson)
        self.index = start
        self.revealed = False
        self.counter = widgets.HTML()
        self.question = widgets.HTML()
        self.answer = widgets.HTML()
        self.flip = widgets.Button(description="Show answer", button_style="info",
                                   tooltip="turn the card over")
        self.previous = widgets.Button(description="Previous", icon="arrow-left")
        self.next = widgets.Button(description="Next", icon="arrow-right")
        self.flip.on_click(lambda _: self.show(self.index, revealed=not self.revealed))
        self.previous.on_click(lambda _: self.show(self.index - 1))
        self.next.on_click(lambda _: self.show(self.index + 1))
        self.widget = widgets.VBox(
            [self.counter, self.question, self.answer, widgets.HBox([self.previous, self.flip, self.next])],
            layout=widgets.Layout(border="1px solid #bbb", padding="4px 12px", max_width="760px"))
        self.show(start)

    def show(self, index, revealed=False):
        """Show card `index` (wrapping around the deck), question only unless `revealed`."""
        self.index = index % len(self.deck)
        self.revealed = revealed
        card = self.deck[self.index]
        self.counter.value = (f"<small>Flashcards, lesson {self.lesson}: card {self.index + 1} "
                              f"of {len(self.deck)}</small>")
        self.question.value = f"<p style='font-size: 1.15em'><b>{to_html(card.question)}</b></p>"
        back = f"<p>{to_html(card.answer)}</p><p><small>{reread_html(card, LINK_STYLE)}</small></p>"
        self.answer.value = back if revealed else FRONT_HINT
        self.flip.description = "Hide answer" if revealed else "Show answer"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = static_text(self.lesson)
        bundle["text/html"] = static_html(self.lesson)
        return bundle


def show_cards(lesson):
    """Show a lesson's flashcards: the flip-card widget, with the folded list for static viewers."""
    display(FlipCards(lesson))


def all_cards():
    """(lesson, card) for every card of every lesson, in course order."""
    return [(lesson, card) for lesson in sorted(CARDS) for card in CARDS[lesson]]


def write_csv(path):
    """Every card as one row: question, answer, lesson number, section to reread."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for lesson, card in all_cards():
            writer.writerow([to_plain(card.question), to_plain(card.answer), lesson, card.reread])


def note_guid(lesson, card):
    """A note's id, derived from its lesson and question: re-importing updates a card, not copies it."""
    import genanki

    return genanki.guid_for("backprop-by-hand", lesson, card.question)


def write_anki(path):
    """Every card as an Anki note, one subdeck per lesson, in one .apkg package."""
    import genanki

    model = genanki.Model(
        ANKI_MODEL_ID, "Backprop by hand card",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Lesson"}, {"name": "Reread"}],
        templates=[{
            "name": "Card",
            "qfmt": "<div class='lesson'>{{Lesson}}</div>{{Question}}",
            "afmt": "{{FrontSide}}<hr id='answer'>{{Answer}}<div class='reread'>Reread: {{Reread}}</div>",
        }],
        css=(".card { font-family: sans-serif; font-size: 20px; text-align: left; }\n"
             ".lesson, .reread { font-size: 14px; color: #666; margin: 8px 0; }"))
    decks = []
    for lesson in sorted(CARDS):
        deck = genanki.Deck(ANKI_DECK_ID + lesson,
                            f"Backprop by hand::Lesson {lesson:02d}: {TITLES[lesson]}")
        for card in CARDS[lesson]:
            deck.add_note(genanki.Note(
                model=model, guid=note_guid(lesson, card), tags=[f"lesson{lesson:02d}"],
                fields=[to_html(card.question), to_html(card.answer),
                        html.escape(f"Lesson {lesson}: {TITLES[lesson]}"), html.escape(card.reread)]))
        decks.append(deck)
    genanki.Package(decks).write_to_file(str(path))


def export(out_dir):
    """Write the Anki package and the CSV of every lesson's cards into out_dir; return both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    anki_path, csv_path = out_dir / ANKI_FILE, out_dir / CSV_FILE
    write_anki(anki_path)
    write_csv(csv_path)
    return anki_path, csv_path


USAGE = "usage: python -m course.flashcards export OUT_DIR"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "export":
        print(USAGE, file=sys.stderr)
        return 2
    anki_path, csv_path = export(argv[1])
    print(f"{len(all_cards())} flashcards from {len(CARDS)} lessons written to")
    print(f"  {anki_path}  (Anki: File > Import; importing a newer copy updates the cards)")
    print(f"  {csv_path}  (question, answer, lesson, reread)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
