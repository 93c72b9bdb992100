"""The course package: plots draw what they claim, widgets react to their controls."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course import plots, widgets


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_neuron_output_on_the_lesson_example():
    z, a = plots.neuron_output(plots.POINT, np.array([0.2, 0.2]), 0.0, "sigmoid")
    assert z == pytest.approx(0.21) and a == pytest.approx(0.5523, abs=5e-5)


def test_activation_figure_has_a_curve_and_slope_per_activation():
    fig = plots.plot_activations()
    assert len(fig.axes) == 6
    titles = [ax.get_title() for ax in fig.axes[:3]]
    assert titles == ["sigmoid", "tanh", "relu"]


def test_tangent_has_the_stated_slope():
    fig = plots.plot_slope_at("sigmoid", 0.21)
    _, tangent = fig.axes[0].get_lines()[:2]
    x, y = tangent.get_data()
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(0.24726, abs=1e-5)


def test_neuron_picture_title_reports_z_and_a():
    fig = plots.plot_neuron(0.2, 0.2, 0.0, "sigmoid")
    assert "z = 0.2100, a = 0.5523" in fig.axes[0].get_title()


def _readout(box):
    return box.children[2].value


def test_explorer_readout_follows_the_sliders():
    box = widgets.neuron_explorer()
    assert "0.5523" in _readout(box)
    bias = box.children[1].children[0]
    bias.value = -0.21  # z = 0 at the followed input: sigmoid gives exactly 0.5
    assert "0.0000" in _readout(box) and "0.5000" in _readout(box)
    box.children[1].children[1].value = "relu"
    assert "relu(z) = <b class='neuron-output'>0.0000" in _readout(box)


def test_explorer_picture_changes_with_the_weights():
    box = widgets.neuron_explorer()
    before = bytes(box.children[3].value)
    assert before.startswith(b"\x89PNG")
    box.children[0].children[0].value = -1.5
    assert bytes(box.children[3].value) != before
