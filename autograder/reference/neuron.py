"""Lesson 1 reference: activations, their slopes, and a single neuron."""

import numpy as np


def sigmoid(z):
    """1 / (1 + e^-z), computed without overflow for any z. Same shape as z."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(z):
    """Hyperbolic tangent, squashing z into (-1, 1)."""
    return np.tanh(z)


def relu(z):
    """max(z, 0) entrywise."""
    return np.maximum(z, 0.0)


def sigmoid_prime(z):
    """Slope of the sigmoid at z: s * (1 - s) with s = sigmoid(z)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_prime(z):
    """Slope of tanh at z: 1 - t^2 with t = tanh(z)."""
    t = tanh(z)
    return 1.0 - t ** 2


def relu_prime(z):
    """Slope of ReLU at z: 1 where z > 0, else 0 (the course's convention: ReLU'(0) = 0)."""
    return (z > 0).astype(np.float64)


def weighted_sum(X, w, b):
    """z = X @ w + b for a batch. X: (n, d), w: (d,), b: float -> z: (n,)."""
    return X @ w + b


def neuron(X, w, b, activation):
    """A neuron's outputs on a batch: activation(X @ w + b). Shape (n,)."""
    return activation(weighted_sum(X, w, b))
