"""Lesson 6 reference: gradient descent on one and two knobs, on a bowl-shaped loss.

The bowl: L(theta) = sum_i a_i (theta_i - c_i)^2, with steepness a_i > 0 along knob i and its
bottom at theta = c. theta, a and c are arrays of shape (k,), one entry per knob.
"""

import numpy as np

# The lesson's two-knob bowl: gentle along knob 1, steep along knob 2, bottom at (2, 1).
BOWL_A = np.array([0.5, 4.0])
BOWL_C = np.array([2.0, 1.0])
START = np.array([-2.0, 2.5])


def bowl_loss(theta, a, c):
    """sum_i a_i (theta_i - c_i)^2 as a float. theta, a, c: (k,)."""
    return float(np.sum(a * (theta - c) ** 2))


def bowl_gradient(theta, a, c):
    """The slope of bowl_loss along each knob: 2 a_i (theta_i - c_i). Shape (k,)."""
    return 2.0 * a * (theta - c)


def decayed_bowl_gradient(theta, a, c, decay):
    """The slope along each knob of bowl_loss(theta, a, c) + (decay / 2) * sum_i theta_i^2 (L2 weight
    decay). theta, a, c: (k,), decay: float >= 0 -> (k,)."""
    return 2.0 * a * (theta - c) + decay * theta


def descent_step(theta, grad, learning_rate):
    """One step downhill: theta - learning_rate * grad, as a new array. Shape (k,)."""
    return theta - learning_rate * grad


def minimise(gradient_fn, theta0, learning_rate, steps):
    """Run `steps` descent steps from theta0; return every point visited, start included.

    gradient_fn: theta (k,) -> gradient (k,). Returns history of shape (steps + 1, k):
    row 0 is theta0, row t the point after t steps.
    """
    theta = np.array(theta0, dtype=np.float64)
    history = [theta]
    for _ in range(steps):
        theta = descent_step(theta, gradient_fn(theta), learning_rate)
        history.append(theta)
    return np.array(history)


def losses_along(history, a, c):
    """bowl_loss at every row of history (m, k) -> (m,)."""
    return np.sum(a * (history - c) ** 2, axis=1)


def step_factor(a, learning_rate):
    """What one step multiplies the distance to the bottom by, along each knob: 1 - 2 a lr. Shape (k,).

    |factor| < 1: the step gets closer (negative: it overshoots to the other side);
    |factor| > 1: every step lands further away, and the run diverges.
    """
    return 1.0 - 2.0 * learning_rate * a
