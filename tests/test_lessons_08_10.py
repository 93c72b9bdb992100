"""Lessons 8 and 10: their figures show what the prose says, and their cost and check figures
come from the course's one source (course.costs, course.gradcheck)."""

import re
from pathlib import Path

import matplotlib
import matplotlib.text
import nbformat
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from course import costs, wishes
from course import whole_picture as wp

ROOT = Path(__file__).resolve().parent.parent
LESSON_8 = ROOT / "lessons" / "08_wishes.ipynb"
LESSON_10 = ROOT / "lessons" / "10_whole_picture.ipynb"
EXERCISES = [ROOT / "solutions" / name / f"{name}_exercise.ipynb" for name in ("08_wishes", "10_whole_picture")]


def brightness(colour):
    r, g, b, _ = colour
    return 0.299 * r + 0.587 * g + 0.114 * b


@pytest.mark.parametrize("example", range(6))
def test_wishes_figure_is_bright_where_the_activation_is_high(example):
    w = wishes.example_wishes(example)
    fig = wishes.plot_wishes(example)
    circles = [p for p in fig.axes[0].patches if isinstance(p, plt.Circle)]
    values = np.concatenate([w["x"], w["a1"], w["a2"]])
    assert len(circles) == len(values)
    fills = np.array([brightness(c.get_facecolor()) for c in circles])
    # the fill is the activation on a black-to-white scale: 0 black, 1 white
    np.testing.assert_allclose(fills, values, atol=0.02)
    plt.close(fig)


@pytest.mark.parametrize("example", range(6))
def test_wish_arrows_stay_clear_of_the_next_neuron(example):
    """Every arrow is shorter than half the gap between neighbouring neurons, so two never overlap."""
    fig = wishes.plot_wishes(example)
    arrows = [t for t in fig.axes[0].texts if isinstance(t, matplotlib.text.Annotation)]
    assert len(arrows) == 3 + 2  # hidden and output neurons; the pixels' wishes have no arrow
    for count, layer in [(3, arrows[:3]), (2, arrows[3:])]:
        _, gap = wishes._layer_y(count)
        for arrow in layer:
            assert abs(arrow.xy[1] - arrow.xyann[1]) < 0.45 * gap
    plt.close(fig)


def test_average_figure_legend_draws_the_average_as_a_line():
    fig = wishes.plot_average()
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    handle = legend.legend_handles[labels.index("average")]
    assert handle.get_marker() in ("None", None, "")
    plt.close(fig)


@pytest.mark.parametrize("sizes", [(2, 3, 1), (4, 3, 2), (784, 16, 16, 10), (64, 128, 10)])
def test_sweep_costs_are_the_course_costs(sizes):
    c = wishes.sweep_costs(sizes)
    assert c["knobs"] == costs.knob_count(sizes)
    assert c["nudging_passes"] == costs.nudging_passes(sizes)
    assert c["backprop"] / c["forward"] == pytest.approx(costs.backprop_passes(sizes))
    assert 2 <= c["backprop_passes"] <= costs.BACKPROP_PASSES_AT_MOST


def test_digit_pictures_are_bright_where_the_ink_is():
    X_train, y_train, _, _ = wp.digits_split()
    fig = wp.plot_digits(X_train, y_train, count=2)
    image = fig.axes[0].get_images()[0]
    assert brightness(image.to_rgba(1.0)) > 0.99 and brightness(image.to_rgba(0.0)) < 0.01
    plt.close(fig)


def code_and_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    outputs = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return code, outputs, prose


@pytest.mark.parametrize("path", [LESSON_8, LESSON_10, *EXERCISES], ids=lambda p: p.name)
def test_checks_come_from_gradcheck_and_no_clock_is_read(path):
    code, outputs, prose = code_and_outputs(path)
    assert "course.chain_rule import" not in code
    assert "perf_counter" not in code and "import time" not in code
    assert not re.search(r"\d seconds?\b|\d(\.\d)? s\b", outputs + prose)


def test_lesson_10_prose_states_the_printed_accuracy_and_first_test_digit():
    _, outputs, prose = code_and_outputs(LESSON_10)
    printed = re.search(r"test accuracy\s+([\d.]+)%", outputs).group(1)
    assert f"{printed}%" in prose
    _, _, _, y_test = wp.digits_split()
    assert f"(index 0, a {y_test[0]})" in prose
