"""Predict, then run: commit to a guess before a cell shows what happens.

A lesson asks its question in a Markdown cell, then

    predict.ask("overflow", ["1.0", "nan", "inf", "an error"])

shows the choices and a button that locks one in; the next cell runs the experiment and ends with

    predict.reveal("overflow", "nan")

which prints the locked-in guess beside what happened. A guess you commit to, and see fail, is
remembered far better than an answer you read. In a static view of the notebook (or before
anything is locked in) `reveal` prints only what happened.
"""

import ipywidgets as widgets

_LOCKED = {}  # question key -> the choice locked in this session


def ask(key, choices):
    """The choices of the question `key` as buttons, and a button that locks one in."""
    options = widgets.RadioButtons(options=list(choices), value=None, layout={"width": "max-content"})
    lock = widgets.Button(description="Lock in my prediction")
    note = widgets.HTML("Choose one, lock it in, then run the next cell.")

    def locked(_button):
        if options.value is None:
            note.value = "Choose one of the answers first."
            return
        _LOCKED[key] = options.value
        options.disabled = lock.disabled = True
        note.value = f"Locked in: <b>{options.value}</b>. Now run the next cell."

    lock.on_click(locked)
    return widgets.VBox([options, lock, note])


def reveal(key, answer):
    """Print what happened beside the prediction locked in for `key` (if any)."""
    guess = _LOCKED.get(key)
    if guess is None:
        print(f"What happened: {answer}.")
    elif guess == answer:
        print(f"You predicted {guess}, and that is what happened.")
    else:
        print(f"You predicted {guess}; what happened: {answer}.")
