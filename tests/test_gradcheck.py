"""The course's one gradient check (course.gradcheck) and its cost figures (course.costs),
against derivatives and counts worked out by hand."""

import numpy as np
import pytest

from course import costs, gradcheck


def test_numerical_gradient_matches_a_known_derivative_and_leaves_x_alone():
    x = np.array([[0.3, -1.2], [2.0, 0.0]])
    before = x.copy()
    grad = gradcheck.numerical_gradient(lambda v: float(np.sum(np.sin(v) * v ** 2)), x)
    exact = np.cos(x) * x ** 2 + 2 * x * np.sin(x)
    assert np.max(np.abs(grad - exact)) < 1e-8
    assert np.array_equal(x, before)


def test_relative_error_is_symmetric_scale_free_and_guarded():
    a = np.array([1000.0, 1e-7, 0.0, 0.25])
    b = np.array([1000.0 + 1e-7, 2e-7, 0.0, 0.2500000001])
    err = gradcheck.relative_error(a, b)
    assert np.allclose(err, [1e-10, 0.5, 0.0, 4e-10], rtol=1e-5, atol=0)
    assert np.array_equal(err, gradcheck.relative_error(b, a))
    assert gradcheck.relative_error(0.0, 1e-300) == pytest.approx(1e-300 / gradcheck.TINY)


def test_worst_relative_error_takes_the_worst_entry_of_arrays_and_dicts():
    a = {"W": np.array([1.0, 2.0]), "b": np.array([4.0])}
    b = {"W": np.array([1.0, 2.2]), "b": np.array([4.0])}
    assert gradcheck.worst_relative_error(a, b) == pytest.approx(0.2 / 2.2)


@pytest.mark.parametrize("scale, verdict", [(1.0, "PASS"), (1.01, "FAIL")])
def test_gradient_check_prints_one_line_with_the_pass_line(capsys, scale, verdict):
    x = np.array([0.5, -0.25])
    analytic = scale * 2 * x
    gradcheck.gradient_check("dx", analytic, gradcheck.numerical_gradient(lambda v: float(v @ v), x))
    line = capsys.readouterr().out.strip()
    assert line.endswith(f"(pass line {gradcheck.PASS_LINE:.0e}): {verdict}")
    assert gradcheck.verdict(gradcheck.PASS_LINE * 0.99) == "PASS"
    assert gradcheck.verdict(gradcheck.PASS_LINE) == "FAIL"


def test_the_lines_are_ordered():
    assert gradcheck.TINY < gradcheck.PASS_LINE < gradcheck.WRONG_LINE < 1


def test_knob_counts_and_costs_by_hand():
    assert costs.knob_count((2, 3, 1)) == 2 * 3 + 3 + 3 * 1 + 1 == 13
    assert costs.knob_count((784, 16, 16, 10)) == 784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10 == 13_002
    assert costs.nudging_passes((784, 16, 16, 10)) == 26_004
    forward = 784 * 16 + 16 * 16 + 16 * 10
    assert costs.backprop_passes((784, 16, 16, 10)) == pytest.approx((forward + 2 * forward - 784 * 16) / forward)
    for sizes in [(2, 3, 1), (784, 16, 16, 10), (64, 32, 10), (5, 5, 5, 5, 5)]:
        assert 2 <= costs.backprop_passes(sizes) <= costs.BACKPROP_PASSES_AT_MOST
