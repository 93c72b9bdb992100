"""Lesson 8's wishes against central differences: every wish is MINUS a gradient."""

import numpy as np

from autograder.reference import wishes as ref
from course import gradcheck


def numerical_gradient(f, x):
    """Central differences of the scalar function f at the array x, at the nudge these tests use."""
    return gradcheck.numerical_gradient(f, x, h=1e-6)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def assert_minus_gradient(wish, gradient, tol=1e-6):
    scale = np.maximum(np.maximum(np.abs(wish), np.abs(gradient)), 1e-8)
    error = np.max(np.abs(wish + gradient) / scale)
    assert error < tol, f"wish is not minus the gradient (relative error {error:.2e})"


def _net(seed, n=4, d=3, h=5, k=2):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, d)), rng.uniform(size=(n, k)), rng.normal(size=(d, h)),
            rng.normal(size=h), rng.normal(size=(h, k)), rng.normal(size=k))


def test_output_wish_is_minus_the_slope_of_the_cost():
    rng = np.random.default_rng(0)
    A, Y = rng.uniform(size=(3, 4)), rng.uniform(size=(3, 4))
    numeric = numerical_gradient(lambda a: np.sum(0.5 * (a - Y) ** 2), A)
    assert_minus_gradient(ref.output_wishes(A, Y), numeric)
    # sign: an output above its target wishes to go down
    assert ref.output_wishes(np.array([[0.6651]]), np.array([[0.5]]))[0, 0] < 0


def test_three_wishes_are_minus_the_gradients_for_one_example():
    X, Y, W1, b1, W2, b2 = _net(1, n=1)
    Z1, A1, Z2, A2 = ref.forward(X, W1, b1, W2, b2)
    wish_Z2 = ref.weighted_sum_wishes(ref.output_wishes(A2, Y), Z2)
    bias, weights, previous = ref.three_wishes(A1, W2, wish_Z2)

    def c(A1_, W2_, b2_):
        return float(ref.cost(sig(A1_ @ W2_ + b2_), Y)[0])
    assert_minus_gradient(bias[0], numerical_gradient(lambda v: c(A1, W2, v), b2))
    assert_minus_gradient(weights[0], numerical_gradient(lambda v: c(A1, v, b2), W2))
    assert_minus_gradient(previous, numerical_gradient(lambda v: c(v, W2, b2), A1))


def test_propagated_wishes_are_minus_the_gradient_on_hidden_weighted_sums():
    X, Y, W1, b1, W2, b2 = _net(2, n=1)
    Z1, A1, Z2, A2 = ref.forward(X, W1, b1, W2, b2)
    wish_Z2 = ref.weighted_sum_wishes(ref.output_wishes(A2, Y), Z2)
    numeric = numerical_gradient(lambda z: float(ref.cost(sig(sig(z) @ W2 + b2), Y)[0]), Z1)
    assert_minus_gradient(ref.propagate_wishes(wish_Z2, W2, Z1), numeric)


def test_network_wishes_are_minus_the_gradient_of_the_mean_cost():
    X, Y, W1, b1, W2, b2 = _net(3, n=6)
    wishes = ref.network_wishes(X, Y, W1, b1, W2, b2)

    def mean_cost(W1_, b1_, W2_, b2_):
        return float(np.mean(ref.cost(ref.forward(X, W1_, b1_, W2_, b2_)[3], Y)))
    params = [W1, b1, W2, b2]
    for i, wish in enumerate(wishes):
        def f(v, i=i):
            p = list(params)
            p[i] = v
            return mean_cost(*p)
        assert wish.shape == params[i].shape
        assert_minus_gradient(wish, numerical_gradient(f, params[i]))


def test_a_small_step_along_the_wishes_lowers_the_cost():
    X, Y, W1, b1, W2, b2 = _net(4, n=8)
    before = np.mean(ref.cost(ref.forward(X, W1, b1, W2, b2)[3], Y))
    w = ref.network_wishes(X, Y, W1, b1, W2, b2)
    after = np.mean(ref.cost(ref.forward(X, W1 + 0.1 * w[0], b1 + 0.1 * w[1],
                                         W2 + 0.1 * w[2], b2 + 0.1 * w[3])[3], Y))
    assert after < before


def test_average_wishes_is_the_mean_of_per_example_wishes():
    X, Y, W1, b1, W2, b2 = _net(5, n=5)
    Z1, A1, Z2, A2 = ref.forward(X, W1, b1, W2, b2)
    wish_Z2 = ref.weighted_sum_wishes(ref.output_wishes(A2, Y), Z2)
    bias, weights, _ = ref.three_wishes(A1, W2, wish_Z2)
    mean_b, mean_W = ref.average_wishes(bias, weights)
    np.testing.assert_allclose(mean_W, A1.T @ wish_Z2 / 5)
    np.testing.assert_allclose(mean_b, wish_Z2.sum(axis=0) / 5)


def test_tanh_propagated_wishes_are_minus_the_gradient_on_tanh_weighted_sums():
    X, Y, W1, b1, W2, b2 = _net(3, n=4)
    Z1 = X @ W1 + b1
    Z2 = np.tanh(Z1) @ W2 + b2
    wish_Z2 = ref.weighted_sum_wishes(ref.output_wishes(sig(Z2), Y), Z2)
    numeric = numerical_gradient(lambda z: float(np.sum(ref.cost(sig(np.tanh(z) @ W2 + b2), Y))), Z1)
    np.testing.assert_allclose(-ref.tanh_propagate_wishes(wish_Z2, W2, Z1), numeric, rtol=1e-6, atol=1e-10)
