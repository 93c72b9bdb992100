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


def test_numerical_gradient_hands_f_fresh_arrays_one_step_at_a_time():
    x = np.array([1.5, -2.0, 0.25])
    seen = []
    gradcheck.numerical_gradient(lambda v: seen.append(v) or 0.0, x, h=0.5)
    assert len(seen) == 6 and all(v is not x for v in seen)
    moved = [np.flatnonzero(v != x).tolist() for v in seen]
    assert moved == [[0], [0], [1], [1], [2], [2]]
    assert [v[k // 2] - x[k // 2] for k, v in enumerate(seen)] == [0.5, -0.5] * 3


def test_relative_error_is_symmetric_scale_free_and_guarded():
    pairs = [(1000.0, 1000.0 + 1e-7, 1e-10), (1e-7, 2e-7, 0.5), (0.0, 0.0, 0.0), (0.25, 0.2500000001, 4e-10)]
    for a, b, expected in pairs:
        assert gradcheck.number_relative_error(a, b) == pytest.approx(expected, rel=1e-5, abs=0)
        assert gradcheck.number_relative_error(a, b) == gradcheck.number_relative_error(b, a)
    assert gradcheck.number_relative_error(0.0, 1e-300) == pytest.approx(1e-300 / gradcheck.TINY)


def test_worst_relative_error_takes_the_worst_entry_of_two_arrays():
    a, b = np.array([[1.0, 2.0], [4.0, -1.0]]), np.array([[1.0, 2.2], [4.0, -1.0]])
    assert gradcheck.worst_relative_error(a, b) == pytest.approx(0.2 / 2.2)
    assert gradcheck.worst_relative_error(np.zeros(0), np.zeros(0)) == 0.0
    with pytest.raises(TypeError):
        gradcheck.worst_relative_error({"W": a}, {"W": b})
    with pytest.raises(ValueError):
        gradcheck.worst_relative_error(a, b.ravel())


def test_gradient_check_compares_dicts_entry_by_entry(capsys):
    a = {"W": np.array([1.0, 2.0]), "b": np.array([4.0])}
    gradcheck.gradient_check("dicts", a, {"W": np.array([1.0, 2.0]), "b": np.array([4.4])})
    assert f"relative error {0.4 / 4.4:.2f} " in capsys.readouterr().out
    with pytest.raises(ValueError):
        gradcheck.gradient_check("dicts", a, {"b": a["b"], "W": a["W"]})


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
