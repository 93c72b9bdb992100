"""Lessons 9 and 10, read through: the worked example's resolution comes after the learner is
asked to predict it, the saturation figure's labels sit clear of its curves, and the lessons'
cross-references point at lessons that hold what they name."""

import re
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from course import chain_rule as cr

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"


def cells(name):
    return nbformat.read(LESSONS / f"{name}.ipynb", as_version=4).cells


def cell_text(cell):
    outputs = "".join(o.get("text", "") for o in cell.get("outputs", []))
    return cell.source + outputs


def test_worked_example_resolution_comes_after_the_prediction():
    nb = cells("09_chain_rule")
    ask = next(i for i, c in enumerate(nb) if c.cell_type == "markdown" and "Predict before" in c.source)
    assert "up or\ndown" in nb[ask].source or "up or down" in nb[ask].source
    for figure in ("0.199045", "0.6596", "lowers"):
        shown = [i for i, c in enumerate(nb) if figure in cell_text(c)]
        assert shown and min(shown) > ask, figure


def test_saturation_labels_stay_clear_of_the_curves():
    source = next(c.source for c in cells("09_chain_rule") if "plot_saturation(" in c.source)
    call = source[source.index("cr.plot_saturation("):source.index("plt.show")].strip()
    fig = eval(call, {"cr": cr})  # the lesson's own call, marks included
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        curve = ax.lines[0]
        points = ax.transData.transform(np.column_stack(curve.get_data()))
        for text in ax.texts:
            box = text.get_window_extent(renderer).expanded(1.0, 1.0)
            inside = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                      & (points[:, 1] > box.y0) & (points[:, 1] < box.y1))
            assert not inside.any(), f"the curve crosses the label {text.get_text()!r}"
    plt.close(fig)


@pytest.mark.parametrize("claim, lesson, evidence", [
    ("lesson 2's\nforward, cache, backward pattern", "02_layers", r"## The cache"),
    ("Lesson 5 nudged a network's knobs", "05_numerical_gradient", r"parameters live in a dictionary"),
])
def test_lesson_10_cross_references_hold(claim, lesson, evidence):
    prose = "\n".join(c.source for c in cells("10_whole_picture") if c.cell_type == "markdown")
    assert claim in prose
    assert re.search(evidence, "\n".join(c.source for c in cells(lesson)))


def test_lesson_10_states_training_time_without_overstating_it():
    prose = "\n".join(c.source for c in cells("10_whole_picture") if c.cell_type == "markdown")
    assert "few seconds of training" not in prose
