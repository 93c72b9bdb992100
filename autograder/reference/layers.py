"""Lesson 2 reference: dense layers on batches, a two-layer forward pass that keeps
its cache, and parameter counts.

Convention throughout: a batch X has one example per row, shape (n, d_in); a layer's
weights W have shape (d_in, d_out) and its bias b shape (d_out,); Z = X @ W + b.
"""

from autograder.reference.neuron import sigmoid


def dense_forward(X, W, b):
    """A layer's pre-activation for a batch: Z = X @ W + b.

    X: (n, d_in), W: (d_in, d_out), b: (d_out,) -> Z: (n, d_out).
    """
    return X @ W + b


def two_layer_forward(X, W1, b1, W2, b2):
    """Forward pass of a two-layer network, sigmoid after each layer, keeping its cache.

    X: (n, d_in), W1: (d_in, d_hidden), b1: (d_hidden,), W2: (d_hidden, d_out), b2: (d_out,).
    Returns (Z1, A1, Z2, A2): Z1, A1 of shape (n, d_hidden), Z2, A2 of shape (n, d_out).
    A2 is the network's output; Z1, A1, Z2 are what the backward pass will need.
    """
    Z1 = dense_forward(X, W1, b1)
    A1 = sigmoid(Z1)
    Z2 = dense_forward(A1, W2, b2)
    A2 = sigmoid(Z2)
    return Z1, A1, Z2, A2


def count_parameters(sizes):
    """Number of weights and biases of a dense network with layer widths `sizes`.

    sizes: a list of ints, inputs first, e.g. [784, 16, 16, 10] -> 13002 (a Python int).
    Each layer from d_in to d_out has d_in * d_out weights and d_out biases.
    """
    total = 0
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        total += d_in * d_out + d_out
    return total

