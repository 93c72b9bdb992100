"""Unit tests of the lesson-3 reference: known values, stability, and every gradient
against the course's central-difference numerical gradient (course.gradcheck)."""

import numpy as np
import pytest

from autograder.reference import loss as ref
from course import gradcheck


def numerical_gradient(f, X):
    """Central differences of the scalar function f at the array X, at the nudge these tests use."""
    return gradcheck.numerical_gradient(f, X, h=1e-6)


@pytest.fixture
def rng():
    return np.random.default_rng(3)


def test_mse_known_values():
    # one example, one output: 0.5 * (0.5981 - 0.5)^2
    assert ref.mse(np.array([[0.5981]]), np.array([[0.5]])) == pytest.approx(0.5 * 0.0981 ** 2)
    # two examples: errors (1, 2) and (0, -1) -> 0.5 * (1 + 4 + 0 + 1) / 2 = 1.5
    Y = np.zeros((2, 2))
    assert ref.mse(np.array([[1.0, 2.0], [0.0, -1.0]]), Y) == pytest.approx(1.5)
    assert type(ref.mse(Y, Y)) is float


def test_mse_is_an_average_so_copies_of_the_batch_give_the_same_cost(rng):
    Y_hat, Y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert ref.mse(np.vstack([Y_hat] * 3), np.vstack([Y] * 3)) == pytest.approx(ref.mse(Y_hat, Y))


def test_mse_gradient_matches_nudging(rng):
    Y_hat, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(ref.mse_gradient(Y_hat, Y),
                               numerical_gradient(lambda P: ref.mse(P, Y), Y_hat), atol=1e-8)


def test_log_sum_exp_matches_naive_where_naive_is_safe_and_stays_finite_where_not(rng):
    Z = rng.normal(size=(4, 5))
    np.testing.assert_allclose(ref.log_sum_exp(Z), np.log(np.exp(Z).sum(axis=1)))
    big = np.array([[1000.0, 1000.0], [-1000.0, -2000.0]])
    np.testing.assert_allclose(ref.log_sum_exp(big), [1000.0 + np.log(2.0), -1000.0])


def test_softmax_rows_are_probabilities_and_shift_invariant(rng):
    Z = rng.normal(0, 3, size=(6, 4))
    P = ref.softmax(Z)
    assert np.all(P > 0)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(ref.softmax(Z + 100.0), P)
    np.testing.assert_allclose(ref.softmax(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]])
    assert np.all(np.isfinite(ref.softmax(np.array([[1000.0, -1000.0, 0.0]]))))


def test_cross_entropy_is_minus_log_probability_of_the_right_class():
    Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    expected = -(np.log(P[0, 0]) + np.log(P[1, 2])) / 2
    assert ref.cross_entropy(Z, Y) == pytest.approx(expected)
    assert ref.cross_entropy(np.zeros((1, 4)), np.array([[0.0, 0.0, 1.0, 0.0]])) == pytest.approx(np.log(4))


def test_cross_entropy_stays_finite_when_the_right_class_is_far_behind():
    Z = np.array([[0.0, 800.0]])
    assert ref.cross_entropy(Z, np.array([[1.0, 0.0]])) == pytest.approx(800.0)


@pytest.mark.parametrize("soft", [False, True])
def test_cross_entropy_gradient_matches_nudging(rng, soft):
    Z = rng.normal(0, 2, size=(4, 3))
    if soft:
        Y = rng.random(size=(4, 3))
        Y /= Y.sum(axis=1, keepdims=True)
    else:
        Y = np.eye(3)[rng.integers(0, 3, size=4)]
    np.testing.assert_allclose(ref.cross_entropy_gradient(Z, Y),
                               numerical_gradient(lambda S: ref.cross_entropy(S, Y), Z), atol=1e-8)


def test_reference_does_not_change_its_inputs(rng):
    Z, Y = rng.normal(size=(3, 4)), np.eye(4)[:3]
    Zc, Yc = Z.copy(), Y.copy()
    for fn in (ref.mse, ref.mse_gradient, ref.cross_entropy, ref.cross_entropy_gradient):
        fn(Z, Y)
    ref.softmax(Z)
    ref.log_sum_exp(Z)
    np.testing.assert_array_equal(Z, Zc)
    np.testing.assert_array_equal(Y, Yc)


def test_huber_gradient_matches_nudging_on_both_pieces(rng):
    Y = rng.normal(size=(6, 3))
    Y_hat = Y + 3.0 * rng.normal(size=(6, 3))
    r = np.abs(Y_hat - Y)
    assert np.any(r < 1.0) and np.any(r > 1.0)  # both pieces of the cost are nudged
    np.testing.assert_allclose(ref.huber_gradient(Y_hat, Y, 1.0),
                               numerical_gradient(lambda P: ref.huber(P, Y, 1.0), Y_hat), atol=1e-8)


def test_huber_is_the_mse_inside_the_seam_and_a_straight_line_beyond(rng):
    Y_hat, Y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    assert ref.huber(Y_hat, Y, 100.0) == pytest.approx(ref.mse(Y_hat, Y))
    np.testing.assert_allclose(ref.huber_gradient(Y_hat, Y, 100.0), ref.mse_gradient(Y_hat, Y))
    # one error of 10 with delta = 1: 1 * (10 - 0.5), slope 1 (over n = 1)
    assert ref.huber(np.array([[10.0]]), np.array([[0.0]]), 1.0) == pytest.approx(9.5)
    np.testing.assert_allclose(ref.huber_gradient(np.array([[-10.0]]), np.array([[0.0]]), 1.0), [[-1.0]])
