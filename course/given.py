"""Functions you wrote in earlier exercises, given to you from then on.

Later lessons and exercises use them without asking you to write them again:

    from course.given import sigmoid, sigmoid_prime, tanh, tanh_prime, relu, relu_prime
    from course.given import network_forward, network_loss, numerical_gradient

Exercise 1's activations and their slopes each take `z`, a number or a numpy array of any
shape, and return float64 values of the same shape: an array for an array or a list (a 0-d
array for a 0-d array), a number for a number. They follow the course's conventions from
lesson 1: the sigmoid never overflows, however large |z| is, and ReLU's slope at its kink is 0
(ReLU'(0) = 0).

Exercise 5's network functions work on a sigmoid network whose parameters live in a dict of
arrays in layer order, "W1" (d0, d1), "b1" (d1,), "W2" (d1, d2), "b2" (d2,), and so on.
"""

import numpy as np

from course.gradcheck import H
from course.gradcheck import numerical_gradient as _array_gradient

__all__ = ["sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
           "network_forward", "network_loss", "numerical_gradient"]


def _as_floats(z):
    """z as a float64 array (0-d for a number); the caller gives back the same kind it got."""
    return np.asarray(z, dtype=np.float64)


def _like(z, values):
    """values (float64, z's shape) as an array if z was an array or a list, else as a number."""
    values = np.asarray(values, dtype=np.float64)
    if isinstance(z, np.ndarray) or values.ndim > 0:
        return values
    return np.float64(values)


def sigmoid(z):
    """1 / (1 + e^-z) entrywise, squashing z into (0, 1). z: any shape -> same shape.

    Written with e^-|z|, which is never larger than 1: for z >= 0 it is 1 / (1 + e^-z), for
    z < 0 the same value as e^z / (1 + e^z). So sigmoid(1000) is 1.0 and sigmoid(-1000) is
    0.0, with no overflow warning.
    """
    x = _as_floats(z)
    e = np.exp(-np.abs(x))
    return _like(z, np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def sigmoid_prime(z):
    """Slope of the sigmoid at z: s * (1 - s) with s = sigmoid(z). z: any shape -> same shape.

    Largest at z = 0 (0.25), close to 0 where the sigmoid saturates (large |z|).
    """
    s = sigmoid(_as_floats(z))
    return _like(z, s * (1.0 - s))


def tanh(z):
    """Hyperbolic tangent entrywise, squashing z into (-1, 1). z: any shape -> same shape."""
    return _like(z, np.tanh(_as_floats(z)))


def tanh_prime(z):
    """Slope of tanh at z: 1 - tanh(z)^2. z: any shape -> same shape. Equal to 1 at z = 0."""
    t = np.tanh(_as_floats(z))
    return _like(z, 1.0 - t ** 2)


def relu(z):
    """max(z, 0) entrywise. z: any shape -> same shape."""
    return _like(z, np.maximum(_as_floats(z), 0.0))


def relu_prime(z):
    """Slope of ReLU at z: 1.0 where z > 0, else 0.0. z: any shape -> same shape.

    At the kink z = 0 the slope is 0, the course's convention (ReLU'(0) = 0, lesson 1).
    """
    return _like(z, (_as_floats(z) > 0).astype(np.float64))


def network_forward(params, X):
    """The outputs of a sigmoid network for a batch, one example per row.

    params: {"W1": (d0, d1), "b1": (d1,), "W2": (d1, d2), ...}, as many layers as it holds;
    X: (n, d0) -> (n, d_last). Each layer computes sigmoid(a @ W + b), from a = X.
    """
    a = np.asarray(X, dtype=np.float64)
    k = 1
    while f"W{k}" in params:
        W, b = params[f"W{k}"], params[f"b{k}"]
        a = sigmoid(a @ W + b)
        k += 1
    return a


def network_loss(params, X, Y):
    """Lesson 3's cost of the network on a batch: half the squared error, summed over the
    outputs, averaged over the n examples. X: (n, d0), Y: (n, d_last) -> a float."""
    errors = network_forward(params, X) - np.asarray(Y, dtype=np.float64)
    n = errors.shape[0]
    return float(0.5 * np.sum(errors ** 2) / n)


def numerical_gradient(loss_fn, params, h=H):
    """The slope of loss_fn(params) with respect to every entry of every array, by central
    differences: (loss at x + h - loss at x - h) / 2h, each entry nudged on its own.

    loss_fn takes a params dict and returns a float. Returns {name: array of params[name]'s
    shape}. params is left as it was: the nudges happen on a copy of one array at a time.
    """
    grads = {}
    for name in params:
        def loss_of_one_array(value, name=name):
            return loss_fn({**params, name: value})
        grads[name] = _array_gradient(loss_of_one_array, params[name], h)
    return grads
