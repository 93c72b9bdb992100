"""Lesson 1's reference: known values, and every slope against a numerical derivative."""

import math

import numpy as np
import pytest

from autograder.reference import neuron as ref


def central_difference(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


def test_known_values():
    z = np.array([0.0, 0.21, -0.21])
    np.testing.assert_allclose(ref.sigmoid(z), [0.5, 1 / (1 + math.exp(-0.21)), 1 / (1 + math.exp(0.21))])
    np.testing.assert_allclose(ref.tanh(z), [0.0, math.tanh(0.21), -math.tanh(0.21)])
    np.testing.assert_array_equal(ref.relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


def test_sigmoid_is_finite_and_silent_at_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = ref.sigmoid(np.array([-1000.0, -40.0, 40.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, math.exp(-40) / (1 + math.exp(-40)), 1 / (1 + math.exp(-40)), 1.0])


@pytest.mark.parametrize("f,slope", [(ref.sigmoid, ref.sigmoid_prime), (ref.tanh, ref.tanh_prime),
                                     (ref.relu, ref.relu_prime)], ids=["sigmoid", "tanh", "relu"])
def test_slope_matches_numerical_derivative(f, slope):
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, size=200)
    z = z[np.abs(z) > 1e-3]  # away from ReLU's kink, where no single slope exists
    np.testing.assert_allclose(slope(z), central_difference(f, z), rtol=1e-6, atol=1e-8)


def test_relu_slope_convention_at_zero():
    assert ref.relu_prime(np.array([0.0]))[0] == 0.0


def test_lesson_example_neuron():
    x = np.array([[0.35, 0.7]])
    assert ref.weighted_sum(x, np.array([0.2, 0.2]), 0.0)[0] == pytest.approx(0.21)
    assert ref.neuron(x, np.array([0.2, 0.2]), 0.0, ref.sigmoid)[0] == pytest.approx(0.5523, abs=5e-5)
    assert ref.neuron(x, np.array([0.3, 0.3]), 0.0, ref.sigmoid)[0] == pytest.approx(0.5781, abs=5e-5)


def test_batch_equals_row_by_row():
    rng = np.random.default_rng(1)
    X, w, b = rng.normal(size=(6, 4)), rng.normal(size=4), 0.3
    rows = [ref.sigmoid(np.array(x @ w + b)) for x in X]
    np.testing.assert_allclose(ref.neuron(X, w, b, ref.sigmoid), rows)
