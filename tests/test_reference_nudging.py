"""Unit tests of the lesson-4 reference: the difference formulas against known slopes and
against a one-entry-at-a-time nudge written here, their orders of accuracy, relative error,
and the line fit."""

import math

import numpy as np
import pytest

from autograder.reference import neuron
from autograder.reference import nudging as ref


def central_one_at_a_time(f, x, h):
    """Nudge each entry on its own, with the other entries held still (an independent estimate)."""
    x = np.array(x, dtype=float)
    slopes = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        slopes[idx] = (f(up)[idx] - f(down)[idx]) / (2 * h)
    return slopes


def test_differences_of_a_quadratic_are_exact_or_off_by_h():
    x = np.array([-1.0, 0.0, 2.0])
    def square(v):  # slope 2x, second derivative 2
        return v * v

    np.testing.assert_allclose(ref.central_difference(square, x, 0.1), 2 * x, atol=1e-12)
    np.testing.assert_allclose(ref.forward_difference(square, x, 0.1), 2 * x + 0.1, atol=1e-12)


@pytest.mark.parametrize("f,f_prime", [(neuron.sigmoid, neuron.sigmoid_prime),
                                       (neuron.tanh, neuron.tanh_prime), (np.sin, np.cos)])
def test_entrywise_estimates_match_nudging_one_entry_at_a_time_and_the_true_slope(f, f_prime):
    x = np.random.default_rng(4).normal(0, 2, size=(3, 4))
    np.testing.assert_allclose(ref.central_difference(f, x, 1e-5),
                               central_one_at_a_time(f, x, 1e-5), atol=1e-10)
    np.testing.assert_allclose(ref.central_difference(f, x, 1e-5), f_prime(x), atol=1e-9)
    np.testing.assert_allclose(ref.forward_difference(f, x, 1e-7), f_prime(x), atol=1e-6)


def test_error_orders_one_and_two():
    hs = np.logspace(-1, -4, 7)
    forward, central = ref.nudging_errors(np.sin, np.cos, 0.7, hs)
    fwd_slope = np.polyfit(np.log(hs), np.log(forward), 1)[0]
    cen_slope = np.polyfit(np.log(hs), np.log(central), 1)[0]
    assert fwd_slope == pytest.approx(1.0, abs=0.05)
    assert cen_slope == pytest.approx(2.0, abs=0.05)
    # leading terms: forward error ~ |f''| h / 2, central error ~ |f'''| h^2 / 6
    assert forward[0] == pytest.approx(math.sin(0.7) * 0.1 / 2, rel=0.1)
    assert central[0] == pytest.approx(math.cos(0.7) * 0.01 / 6, rel=0.01)


def test_round_off_takes_over_for_tiny_h():
    hs = np.logspace(-1, -13, 13)
    forward, central = ref.nudging_errors(np.sin, np.cos, 0.7, hs)
    assert np.argmin(forward) not in (0, len(hs) - 1)
    assert forward[-1] > forward.min() * 100
    assert hs[np.argmin(central)] > hs[np.argmin(forward)]


def test_relative_error_known_values():
    a = np.array([1.0, 2.0, 0.0, -3.0, 1e-14, 5.0])
    b = np.array([1.0, 1.0, 0.0, 3.0, 0.0, 0.0])
    np.testing.assert_allclose(ref.relative_error(a, b), [0.0, 0.5, 0.0, 2.0, 0.01, 1.0])
    np.testing.assert_array_equal(ref.relative_error(a, b), ref.relative_error(b, a))


def test_derivative_check_small_for_right_slopes_large_for_wrong_ones():
    x = np.linspace(-3, 3, 13)
    assert ref.derivative_check(neuron.sigmoid, neuron.sigmoid_prime, x, 1e-5) < 1e-8
    assert ref.derivative_check(neuron.tanh, neuron.tanh_prime, x, 1e-5) < 1e-8
    assert ref.derivative_check(neuron.tanh, lambda z: 1 - np.tanh(z), x, 1e-5) > 0.1
    # ReLU away from its kink is right to rounding; at the kink the central difference says 0.5, the convention 0
    assert ref.derivative_check(neuron.relu, neuron.relu_prime, np.array([-1.0, 2.0]), 1e-5) < 1e-10
    assert ref.derivative_check(neuron.relu, neuron.relu_prime, np.array([0.0]), 1e-5) == 1.0


def test_error_slope_is_the_least_squares_slope():
    hs = np.array([1e-1, 1e-2, 1e-3, 1e-4])
    errors = np.array([3e-2, 2.9e-3, 3.1e-4, 3e-5])
    u, v = np.log10(hs), np.log10(errors)
    expected = np.sum((u - u.mean()) * (v - v.mean())) / np.sum((u - u.mean()) ** 2)
    assert ref.error_slope(hs, errors) == pytest.approx(expected)
    assert ref.error_slope(hs, 5 * hs ** 2) == pytest.approx(2.0)


def test_reference_does_not_change_its_inputs():
    x, hs = np.array([0.1, 0.2]), np.array([0.1, 0.01])
    xc, hc = x.copy(), hs.copy()
    ref.forward_difference(np.sin, x, 0.1)
    ref.central_difference(np.sin, x, 0.1)
    ref.nudging_errors(np.sin, np.cos, 0.7, hs)
    np.testing.assert_array_equal(x, xc)
    np.testing.assert_array_equal(hs, hc)


def test_swish_prime_matches_central_differences_and_stays_finite():
    x = np.linspace(-6.0, 6.0, 49)
    numeric = ref.central_difference(lambda z: z * neuron.sigmoid(z), x, 1e-6)
    np.testing.assert_allclose(ref.swish_prime(x), numeric, rtol=1e-7, atol=1e-10)
    big = ref.swish_prime(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(big, [0.0, 1.0])
