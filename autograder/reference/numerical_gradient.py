"""Lesson 5 reference: a network's loss, its gradient by nudging every knob, relative error.

Parameters live in a dict of float64 arrays, one per name, in layer order:
"W1" (d0, d1), "b1" (d1,), "W2" (d1, d2), "b2" (d2,), ... Every layer uses the sigmoid.
"""

import numpy as np

from autograder.reference.neuron import sigmoid
from autograder.reference.nudging import relative_error  # exercise 4's, graded again in exercise 5
from course.gradcheck import H
from course.problems import TOY_X, TOY_Y, init_params, toy_params  # noqa: F401 (the spec and tests use them from here)


def count_knobs(params):
    """How many numbers the network can tune: the total size of all its arrays."""
    return sum(int(p.size) for p in params.values())


def network_forward(params, X):
    """The network's outputs for a batch. X: (n, d0) -> (n, d_last); sigmoid after every layer."""
    a = X
    layer = 1
    while f"W{layer}" in params:
        a = sigmoid(a @ params[f"W{layer}"] + params[f"b{layer}"])
        layer += 1
    return a


def network_loss(params, X, Y):
    """The course's cost (lesson 3's mse) of the network on a batch: half the squared error,
    summed over outputs, averaged over the n examples. X: (n, d0), Y: (n, d_last) -> float."""
    return float(0.5 * np.sum((network_forward(params, X) - Y) ** 2) / len(X))


def numerical_gradient(loss_fn, params, h=H):
    """The slope of loss_fn(params) w.r.t. every entry of every array, by central differences.

    loss_fn: takes the params dict, returns a float. Each entry is nudged in place to
    x + h and x - h, and then the saved x is written back, so params end bit for bit as
    they started. Returns {name: array of params[name]'s shape}. Costs 2 loss calls per entry.
    """
    grads = {}
    for name, p in params.items():
        g = np.zeros(p.shape)
        for index in np.ndindex(p.shape):
            saved = p[index]
            p[index] = saved + h
            loss_plus = loss_fn(params)
            p[index] = saved - h
            loss_minus = loss_fn(params)
            p[index] = saved  # write back the saved value: exact, unlike adding h back
            g[index] = (loss_plus - loss_minus) / (2 * h)
        grads[name] = g
    return grads


def max_relative_error(grads_a, grads_b):
    """The worst relative error over every entry of every array of two gradient dicts (same keys)."""
    return float(max(np.max(relative_error(grads_a[name], grads_b[name])) for name in grads_a))
