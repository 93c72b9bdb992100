"""Lesson 5 and exercise 5: the statements their prose makes hold for the code they run."""

import re
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

from autograder.reference.numerical_gradient import max_relative_error
from course import costs
from course import numerical_gradient as ng
from course.given import numerical_gradient

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "lessons" / "05_numerical_gradient.ipynb"
SOLUTION = ROOT / "solutions" / "05_numerical_gradient" / "05_numerical_gradient_exercise.ipynb"
SIZES = [(2, 3, 1), (2, 16, 1), (64, 32, 10), (784, 16, 16, 10), (784, 100, 10)]


def _markdown(path):
    """All markdown of a notebook, with every run of whitespace made one space."""
    return " ".join(" ".join(c.source.split()) for c in nbformat.read(path, as_version=4).cells
                    if c.cell_type == "markdown")


def _outputs(path):
    return "\n".join(o.get("text", "") for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "code" for o in c.get("outputs", []))


def test_the_loss_is_lesson_3s_cost_and_the_plain_mean_is_twice_it():
    params = ng.toy_params()
    assert f"{ng.toy_loss(params):.6f}" == "0.073183"
    assert ng.plain_mean_loss(params) == pytest.approx(2 * ng.toy_loss(params), rel=1e-14)
    for path in (LESSON, SOLUTION):
        assert "0.073183" in _markdown(path)
    assert "lesson 3's cost (half, averaged):    0.073183" in _outputs(LESSON)


@pytest.mark.parametrize("path", [LESSON, SOLUTION])
def test_no_typed_pass_line_or_tiny(path):
    prose = _markdown(path)
    assert not re.search(r"pass line[^.]*1e-0?6|1e-0?6[^.]*pass line", prose)
    assert "10^{-12}" not in prose and "tiny = 1e-12" not in prose
    assert "lesson 4's pass line" in prose


def test_stored_exact_gradient_is_the_toy_networks_gradient():
    params = ng.toy_params()
    exact = ng.toy_exact_gradient()
    assert list(exact) == list(params)
    assert all(exact[name].shape == params[name].shape for name in params)
    assert max_relative_error(exact, numerical_gradient(ng.toy_loss, params, 1e-5)) < 1e-8


def test_shrinking_h_on_b2_does_what_the_lesson_says():
    params = ng.toy_params()
    exact = ng.toy_exact_gradient()["b2"][0]

    def errors(h):
        return [abs(s - exact) / abs(exact) for s in ng.slopes_at(ng.toy_loss, params, "b2", (0,), h)]

    (_, c_5), (f_7, _), (f_8, c_8), (f_10, c_10) = errors(1e-5), errors(1e-7), errors(1e-8), errors(1e-10)
    assert c_8 > c_5  # the central difference gets worse below its best step
    assert f_8 < f_7  # while the forward difference still improves down to 1e-8
    assert f_10 > f_8 and c_10 > c_5  # below that, both are worse than at their best


def test_the_forward_line_visibly_tilts_at_h_half_on_b2():
    params = ng.toy_params()
    exact = ng.toy_exact_gradient()["b2"][0]
    forward, central = ng.slopes_at(ng.toy_loss, params, "b2", (0,), 0.5)
    assert round(forward / exact - 1, 2) == 0.59 and round(1 - central / exact, 2) == 0.03


def test_cost_figures_come_from_course_costs_and_the_growth_is_what_the_lesson_says():
    knobs, passes = ng.growth(SIZES)["forward passes per gradient"]
    assert list(knobs) == [costs.knob_count(s) for s in SIZES]
    assert list(passes) == [costs.nudging_passes(s) for s in SIZES]
    exponents = {label: ng.fitted_exponent(*pair) for label, pair in ng.growth(SIZES).items()}
    passes_exp, arithmetic_exp, clock_exp = exponents.values()
    assert passes_exp == pytest.approx(1.0, abs=1e-9)
    assert 1.9 < arithmetic_exp < 2.1
    assert 1.0 < clock_exp < 1.5
    assert f"fitted exponent {clock_exp:.2f}" in _markdown(LESSON)


def test_cost_plot_labels_sit_inside_their_axes():
    fig = ng.plot_cost(SIZES)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [(ax, t) for ax in fig.axes for t in ax.texts]
    assert {t.get_text() for _, t in texts} == {"-".join(map(str, s)) for s in SIZES}
    for ax, t in texts:
        box, extent = ax.get_window_extent(renderer), t.get_window_extent(renderer)
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1


def test_lesson_says_what_its_toy_network_is():
    prose = _markdown(LESSON)
    assert "the 2-3-1 network of lesson 2" not in prose
    assert re.search(r"not lesson 2's hand-picked ones", prose)
