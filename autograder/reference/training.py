"""Lesson 7 reference: train the 2-3-1 toy network with numerical gradients and mini-batches.

Parameters are dicts of arrays as in lesson 5 ("W1", "b1", "W2", "b2", ...), sigmoid after every
layer; the loss is the course's cost (half the squared error, averaged over examples: lesson 5's
network_loss); the gradient is lesson 5's numerical gradient (central differences).
"""

import numpy as np

from autograder.reference.numerical_gradient import init_params, network_forward, network_loss, numerical_gradient
from course.gradcheck import H
from course.problems import make_dataset  # noqa: F401 (the spec and tests use it from here)

__all__ = ["init_params", "network_forward", "network_loss", "numerical_gradient"]


def shuffled_order(n, seed):
    """The order in which an epoch visits n examples: a permutation of 0..n-1 from default_rng(seed)."""
    return np.random.default_rng(seed).permutation(n)


def batch_count(n, batch_size):
    """Mini-batches per epoch: the last one may be partial, so ceil(n / batch_size)."""
    return -(-n // batch_size)


def minibatch(X, Y, order, k, batch_size):
    """Mini-batch k (from 0): the rows order[k * batch_size:(k + 1) * batch_size] of X and Y.

    X: (n, d), Y: (n, m), order: (n,) -> (Xb, Yb) of shapes (b, d), (b, m); b = batch_size,
    except for the last batch, which holds whatever is left.
    """
    rows = order[k * batch_size:(k + 1) * batch_size]
    return X[rows], Y[rows]


def mean_gradient(per_example):
    """The average of a list of gradient dicts (same keys and shapes): {name: mean array}."""
    return {name: np.mean([g[name] for g in per_example], axis=0) for name in per_example[0]}


def sgd_update(params, grads, learning_rate):
    """One descent step for every parameter array: {name: params[name] - learning_rate * grads[name]}."""
    return {name: p - learning_rate * grads[name] for name, p in params.items()}


def train_epoch(params, X, Y, batch_size, learning_rate, seed, h=H):
    """One pass over the data in mini-batches (order from shuffled_order(n, seed)); new params.

    For each batch: the numerical gradient of the batch's cost (averaged over its examples), then
    one sgd_update.
    params are not changed; the returned dict holds new arrays.
    """
    order = shuffled_order(len(X), seed)
    batches = (len(X) + batch_size - 1) // batch_size  # the last batch may be partial
    for k in range(batches):
        Xb, Yb = minibatch(X, Y, order, k, batch_size)
        current = {name: p.copy() for name, p in params.items()}  # nudged in place, put back
        grads = numerical_gradient(lambda p: network_loss(p, Xb, Yb), current, h)
        params = sgd_update(params, grads, learning_rate)
    return params


def train(params, X, Y, epochs, batch_size, learning_rate, seed, h=H):
    """Train for several epochs; epoch e shuffles with seed + e.

    Returns (params after training, losses of shape (epochs + 1,)): losses[0] is the loss on all of
    X, Y before training, losses[e] the loss after epoch e.
    """
    losses = [network_loss(params, X, Y)]
    for epoch in range(epochs):
        params = train_epoch(params, X, Y, batch_size, learning_rate, seed + epoch, h)
        losses.append(network_loss(params, X, Y))
    return params, np.array(losses)
