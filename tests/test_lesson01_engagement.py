"""Lesson 1 asks before it shows: predictions locked in before a reveal, lines the learner writes
and checks at once, and the numbers its prose states for them (course.predict, course.your_turn)."""

import ast
import contextlib
import io
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.stored import your_turn as stored_answers
from course import plots, predict, stored, your_turn

ROOT = Path(__file__).resolve().parent.parent
LESSON = nbformat.read(ROOT / "lessons" / "01_neuron.ipynb", as_version=4)
CODE = [c for c in LESSON.cells if c.cell_type == "code"]


def _calls(source, name):
    """(first argument, second argument) of each call of `<module>.name(...)` in source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
            found.append(tuple(ast.literal_eval(a) if isinstance(a, ast.Constant | ast.List) else None
                               for a in node.args))
    return found


def _printed(fn, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(*args)
    return out.getvalue()


def test_three_predictions_each_revealed_by_the_next_code_cell_with_one_of_its_choices():
    asked = 0
    for position, cell in enumerate(CODE):
        for key, choices in _calls(cell.source, "ask"):
            asked += 1
            revealed = _calls(CODE[position + 1].source, "reveal")
            assert [r[0] for r in revealed] == [key], f"{key}: the next cell does not reveal it"
            assert revealed[0][1] in choices, f"{key}: the answer is not one of the choices"
    assert asked >= 3


def test_reveal_says_what_was_predicted_beside_what_happened():
    predict._LOCKED.pop("demo", None)
    assert _printed(predict.reveal, "demo", "nan") == "What happened: nan.\n"
    predict._LOCKED["demo"] = "1.0"
    assert _printed(predict.reveal, "demo", "nan") == "You predicted 1.0; what happened: nan.\n"
    predict._LOCKED["demo"] = "nan"
    assert "that is what happened" in _printed(predict.reveal, "demo", "nan")
    predict._LOCKED.pop("demo")


def test_locking_in_records_the_choice_and_refuses_no_choice():
    box = predict.ask("lock-demo", ["a", "b"])
    options, lock, note = box.children
    lock.click()
    assert "lock-demo" not in predict._LOCKED and "first" in note.value
    options.value = "b"
    lock.click()
    assert predict._LOCKED.pop("lock-demo") == "b" and options.disabled and lock.disabled


def test_every_your_turn_key_has_a_stored_answer_and_a_hint():
    keys = [args[0] for cell in CODE for args in _calls(cell.source, "check")]
    assert len(keys) >= 2 and len(set(keys)) == len(keys)
    answers = stored.load("your_turn")
    assert set(keys) <= set(answers) and set(keys) <= set(your_turn.HINTS)
    assert set(answers) == set(stored_answers.answers())


# the line a learner would write for each, on the lesson's own numbers (another way than the producer)
RIGHT_LINES = {
    "lesson01_zero_bias": lambda: -(0.2 * 0.35 + 0.2 * 0.7),
    "lesson01_overflow_edge": lambda: np.log(np.finfo(np.float64).max),
    "lesson01_sigmoid_mean": lambda: np.mean(1 / (1 + np.exp(-np.linspace(-3, 3, 13)))),
}


@pytest.mark.parametrize("key", sorted(RIGHT_LINES))
def test_a_right_line_is_right_and_a_wrong_one_is_not_yet(key):
    right = RIGHT_LINES[key]()
    assert _printed(your_turn.check, key, right).startswith("Right:")
    assert _printed(your_turn.check, key, right + 0.01).startswith("Not yet: yours is")
    assert _printed(your_turn.check, key, ...).startswith("Not yet: replace the ...")
    assert _printed(your_turn.check, key, np.array([right, right])).startswith("Not yet: the answer has shape")
    assert _printed(your_turn.check, key, "a word").startswith("Not yet: that is str")


def test_the_prose_numbers_of_the_new_sections():
    text = "\n".join(c.source for c in LESSON.cells if c.cell_type == "markdown")
    sums = [0.2 * x1 + 0.2 * x2 - 2.0 for x1, x2 in [(0.35, 0.7), (1.0, -1.0), (2.0, 1.5)]]
    assert "(-1.79, -2.0 and -1.3)" in text and [round(s, 2) for s in sums] == [-1.79, -2.0, -1.3]
    assert all(0.1 * x1 + s < 0 for (x1, _), s in zip([(0.35, 0.7), (1.0, -1.0), (2.0, 1.5)], sums))
    s10 = 1 / (1 + np.exp(-10.0))
    assert f"{s10:.5f}" == "0.99995" and "output is 0.99995" in text
    assert f"{s10 * (1 - s10):.7f}" == "0.0000454" and "slope 0.0000454" in text
    nudge, formula = (np.tanh(0.211) - np.tanh(0.21)) / 0.001, 1 - np.tanh(0.21) ** 2
    assert round(nudge, 3) == round(formula, 3) == 0.957 and round(nudge, 4) != round(formula, 4)
    assert "three decimals, 0.957, not four" in text


def test_the_relu_slope_panel_has_no_vertical_segment_at_the_kink():
    fig = plots.plot_activations()
    relu_slope = fig.axes[5]
    for line in relu_slope.get_lines():
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if len(x) > 2:  # the curve's pieces, not the guide lines or the dots
            assert np.ptp(y) == 0, "a piece of the ReLU slope that is not flat"
    dots = {(float(line.get_xdata()[0]), float(line.get_ydata()[0])): line.get_markerfacecolor()
            for line in relu_slope.get_lines() if len(line.get_xdata()) == 1}
    assert dots[(0.0, 0.0)] != "white" and dots[(0.0, 1.0)] == "white"  # ReLU'(0) = 0, filled
