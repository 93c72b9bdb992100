"""Lessons 1-3, read through: what their prose says about a figure or a widget is true of it, and
the numbers the prose states for the widgets' "things to try" come out of the code."""

import re
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest

matplotlib.use("Agg")

from autograder.reference import neuron
from course import layers, loss, plots

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    matplotlib.pyplot.close("all")


def prose(name):
    nb = nbformat.read(ROOT / "lessons" / f"{name}.ipynb", as_version=4)
    return re.sub(r"\s+", " ", "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))


def slider_values(low, high, step):
    return np.round(np.arange(low, high + step / 2, step), 6)


# ------------------------------------------------------------------ lesson 1

def test_lesson_1_bias_hint_holds_on_the_sliders_steps():
    text = prose("01_neuron")
    assert "`b = -0.21`" in text and "0.5025 at `b = -0.2`" in text
    biases = slider_values(-3, 3, 0.1)
    z0 = 0.2 * 0.35 + 0.2 * 0.7
    assert not np.any(np.isclose(z0 + biases, 0.0)), "b = -0.21 is between two slider steps"
    assert f"{neuron.sigmoid(np.array(z0 - 0.2)):.4f}" == "0.5025"
    # with w1 = 0 and w2 = 1 a slider step reaches z = 0 at the star
    assert np.any(np.isclose(1.0 * 0.7 + biases, 0.0))


def test_tangent_figure_names_both_axes():
    ax = plots.plot_slope_at("sigmoid", 0.21).axes[0]
    assert ax.get_xlabel() == "z" and ax.get_ylabel() == "sigmoid(z)"


# ------------------------------------------------------------------ lesson 2

def test_lesson_2_output_below_one_half_is_reachable_with_the_input_sliders():
    assert "find inputs where the output drops below `0.5`" in prose("02_layers")
    grid = slider_values(-3, 3, 0.05)
    outputs = [layers.toy_forward(x1, x2)[3][0, 0] for x1 in grid[::4] for x2 in grid[::4]]
    assert min(outputs) < 0.5


def test_lesson_2_toy_trace_is_exercise_2s_forward_pass_on_every_slider_step():
    from autograder.reference.layers import two_layer_forward
    grid = slider_values(-3, 3, 0.05)
    for x1 in grid[::3]:
        for x2 in grid[::3]:
            traced = layers.toy_forward(x1, x2)
            expected = two_layer_forward(np.array([[x1, x2]]), *layers.TOY_PARAMS)
            assert len(traced) == 4
            for mine, theirs in zip(traced, expected):
                assert mine.shape == theirs.shape, (x1, x2)
                # the lesson's sigmoid is course.given's, computed along another route: a few ulp
                np.testing.assert_allclose(mine, theirs, rtol=1e-14, atol=1e-15, err_msg=str((x1, x2)))


def test_knob_count_title_is_the_count_of_exercise_2():
    from autograder.reference.layers import count_parameters
    for sizes in ([784, 16, 16, 10], [2, 3, 1], [64, 32, 10]):
        title = layers.plot_parameter_counts(sizes).axes[0].get_title()
        assert title.endswith(f": {count_parameters(sizes):,} knobs in all"), title


def test_lesson_2_cache_memory_is_z_and_a_per_neuron():
    assert "two numbers, `z` and `a`, per neuron per example" in prose("02_layers")


def test_knob_count_figure_names_both_axes():
    ax = layers.plot_parameter_counts([784, 16, 16, 10]).axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()


# ------------------------------------------------------------------ lesson 3

def test_lesson_3_lowest_point_and_target_cost_come_from_the_data():
    text = prose("03_loss")
    assert "near `w = 1.3`, `b = -0.5`, where the cost is about 0.076" in text
    assert "try to get the cost under `0.1`" in text
    x, y = loss.landscape_data()
    (w, b), *_ = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)
    assert round(w, 1) == 1.3 and round(b, 1) == -0.5
    assert round(float(loss.landscape_cost(w, b, x, y)), 3) == 0.076
    ws, bs = np.meshgrid(slider_values(-1, 4, 0.05), slider_values(-3, 2, 0.05))
    assert loss.landscape_cost(ws, bs, x, y).min() < 0.1, "the sliders reach a cost under 0.1"


@pytest.mark.parametrize("w, b", [(0.0, 1.0), (0.5, -2.8), (-1.0, -3.0), (4.0, 2.0)])
def test_landscape_legend_never_covers_the_cost_picture(w, b):
    """Inside the axes the legend hid the star wherever the sliders put it under the legend."""
    fig = loss.plot_landscape(w=w, b=b)
    fig.canvas.draw()
    right = fig.axes[1]
    legend = right.get_legend().get_window_extent()
    assert not legend.overlaps(right.get_window_extent())
    assert legend.y0 >= 0, "the legend stays inside the figure"


def test_softmax_figure_draws_the_probabilities_it_is_given():
    from autograder.reference.loss import softmax
    z = np.array([2.0, 1.0, 0.1])
    p = softmax(z[None, :])[0]
    left, right = loss.plot_softmax(z, p).axes
    assert [bar.get_height() for bar in left.patches] == list(z)
    assert np.allclose([bar.get_height() for bar in right.patches], p, rtol=0, atol=1e-15)
    assert [t.get_text() for t in right.texts] == ["0.659", "0.242", "0.099"]
    assert "become probabilities `0.659, 0.242, 0.099`" in prose("03_loss")
