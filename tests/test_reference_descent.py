"""Lesson 6 reference, checked against values worked out by hand."""

from functools import partial

import numpy as np
import pytest

from autograder.reference import descent as ref


def test_one_knob_walk_by_hand():
    # L(w) = (w - 3)^2 from w = 0 with learning rate 0.1: each step keeps 0.8 of the distance to 3.
    grad = partial(ref.bowl_gradient, a=np.array([1.0]), c=np.array([3.0]))
    history = ref.minimise(grad, np.array([0.0]), 0.1, 3)
    np.testing.assert_allclose(history[:, 0], [0.0, 0.6, 1.08, 1.464], rtol=1e-14)
    assert history.shape == (4, 1)


def test_bowl_loss_and_gradient_by_hand():
    theta, a, c = np.array([-2.0, 2.5]), np.array([0.5, 4.0]), np.array([2.0, 1.0])
    assert ref.bowl_loss(theta, a, c) == pytest.approx(0.5 * 16 + 4 * 2.25)
    np.testing.assert_allclose(ref.bowl_gradient(theta, a, c), [2 * 0.5 * -4, 2 * 4 * 1.5])
    # the gradient is the slope: compare with a central difference
    h = 1e-6
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        slope = (ref.bowl_loss(theta + e, a, c) - ref.bowl_loss(theta - e, a, c)) / (2 * h)
        assert slope == pytest.approx(ref.bowl_gradient(theta, a, c)[i], rel=1e-7)


def test_descent_step_returns_a_new_array():
    theta = np.array([1.0, 2.0])
    new = ref.descent_step(theta, np.array([10.0, -20.0]), 0.01)
    np.testing.assert_allclose(new, [0.9, 2.2])
    np.testing.assert_array_equal(theta, [1.0, 2.0])


def test_history_rows_follow_the_step_factor():
    grad = partial(ref.bowl_gradient, a=ref.BOWL_A, c=ref.BOWL_C)
    for lr in [0.02, 0.2, 0.27]:
        history = ref.minimise(grad, ref.START, lr, 12)
        factor = ref.step_factor(ref.BOWL_A, lr)
        expected = ref.BOWL_C + (ref.START - ref.BOWL_C) * factor ** np.arange(13)[:, None]
        np.testing.assert_allclose(history, expected, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ref.losses_along(history, ref.BOWL_A, ref.BOWL_C),
                                   [ref.bowl_loss(t, ref.BOWL_A, ref.BOWL_C) for t in history])


def test_zero_steps_and_the_divergence_line():
    grad = partial(ref.bowl_gradient, a=ref.BOWL_A, c=ref.BOWL_C)
    np.testing.assert_array_equal(ref.minimise(grad, ref.START, 0.1, 0), [ref.START])
    # along the steep knob (a = 4) the factor crosses -1 at lr = 1 / (2 * 4) * 2 = 0.25
    assert ref.step_factor(np.array([4.0]), 0.25)[0] == pytest.approx(-1.0)
    losses = ref.losses_along(ref.minimise(grad, ref.START, 0.27, 30), ref.BOWL_A, ref.BOWL_C)
    assert losses[-1] > 10 * losses[0]


def test_decayed_bowl_gradient_matches_central_differences():
    from course import gradcheck
    rng = np.random.default_rng(6)
    theta, a, c = rng.normal(size=5), rng.uniform(0.5, 3.0, size=5), rng.normal(size=5)
    for decay in (0.0, 0.8, 3.0):
        numeric = gradcheck.numerical_gradient(
            lambda t, decay=decay: ref.bowl_loss(t, a, c) + 0.5 * decay * np.sum(t ** 2), theta, h=1e-6)
        np.testing.assert_allclose(ref.decayed_bowl_gradient(theta, a, c, decay), numeric, rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(ref.decayed_bowl_gradient(theta, a, c, 0.0), ref.bowl_gradient(theta, a, c))
