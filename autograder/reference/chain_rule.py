"""Lesson 9 reference: the chain rule, deltas, and the backward pass of each piece.

Sign convention: every `d...` here is a gradient, the slope of the loss with
respect to that quantity (lesson 8's wish is minus this). The one exception is
`worked_example_step`'s `output_delta`, which follows the published worked example:
(t - y) * y * (1 - y).
"""

import numpy as np

from autograder.reference.neuron import sigmoid


def chain_forward(x, w1, b1, w2, b2):
    """A 1-1-1 chain on each example: z1, a1, z2, y_hat, all of x's shape (n,)."""
    z1 = w1 * x + b1
    a1 = sigmoid(z1)
    z2 = w2 * a1 + b2
    y_hat = sigmoid(z2)
    return z1, a1, z2, y_hat


def chain_loss(x, y, w1, b1, w2, b2):
    """Each example's loss E = 0.5 * (y_hat - y)^2, shape (n,)."""
    return 0.5 * (chain_forward(x, w1, b1, w2, b2)[3] - y) ** 2


def chain_factors(x, y, w1, b1, w2, b2):
    """The six local slopes of the chain, each of shape (n,):
    dE/dy_hat, dy_hat/dz2, dz2/dw2, dz2/da1, da1/dz1, dz1/dw1."""
    z1, a1, z2, y_hat = chain_forward(x, w1, b1, w2, b2)
    return (y_hat - y, y_hat * (1.0 - y_hat), a1, w2 * np.ones_like(x),
            a1 * (1.0 - a1), x.copy())


def chain_backward(x, y, w1, b1, w2, b2):
    """Per-example gradients of E = 0.5 (y_hat - y)^2 for the 1-1-1 sigmoid chain.

    x, y: (n,); w1, b1, w2, b2: floats -> (dw1, db1, dw2, db2), each (n,)."""
    a1 = sigmoid(w1 * x + b1)
    y_hat = sigmoid(w2 * a1 + b2)
    delta2 = (y_hat - y) * y_hat * (1.0 - y_hat)       # dE/dz2
    delta1 = delta2 * w2 * a1 * (1.0 - a1)             # dE/dz1
    return delta1 * x, delta1, delta2 * a1, delta2


def sigmoid_backward(dA, Z):
    """dZ = dA * sigmoid'(Z). dA, Z: same shape -> dZ of that shape."""
    s = sigmoid(Z)
    return dA * s * (1.0 - s)


def relu_backward(dA, Z):
    """dZ = dA where Z > 0, else 0 (ReLU'(0) = 0). dA, Z: same shape."""
    return dA * (Z > 0)


def dense_backward(dZ, X, W):
    """Backward pass of Z = X @ W + b, given dZ = dL/dZ (n, d_out).

    Returns dX (n, d_in) = dZ @ W.T, dW (d_in, d_out) = X.T @ dZ,
    db (d_out,) = dZ summed over the batch."""
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def output_delta(A, Y):
    """dL/dZ for a sigmoid output layer A = sigmoid(Z) under lesson 3's cost (loss.mse).

    A, Y: (n, k) -> (n, k) = (A - Y) * A * (1 - A) / n."""
    return (A - Y) * A * (1.0 - A) / A.shape[0]


def neuron_backward(X, w, b, y):
    """Gradients of L = mean over examples of 0.5 (sigmoid(X @ w + b) - y)^2.

    X: (n, d), w: (d,), b: float, y: (n,) -> dw (d,), db (float)."""
    a = sigmoid(X @ w + b)
    delta = (a - y) * a * (1.0 - a) / X.shape[0]
    return X.T @ delta, float(np.sum(delta))


def worked_example_step(x, t, W1, W2, step):
    """The published worked example's computation: one example through a bias-free sigmoid
    network d-m-1, then one gradient step.

    x: (d,), t: float, W1: (d, m), W2: (m,), step: float. Loss E = 0.5 (t - y)^2.
    Returns hidden (m,), output (float), output_delta (float) = (t - y) y (1 - y),
    W1_new (d, m), W2_new (m,), output_after (float, the output with the new weights)."""
    hidden = sigmoid(x @ W1)
    output = float(sigmoid(hidden @ W2))
    # gradients (dE/d...), as everywhere else in this exercise
    dz_out = (output - t) * output * (1.0 - output)
    dz_hidden = dz_out * W2 * hidden * (1.0 - hidden)
    W2_new = W2 - step * dz_out * hidden
    W1_new = W1 - step * np.outer(x, dz_hidden)
    output_after = float(sigmoid(sigmoid(x @ W1_new) @ W2_new))
    # the published delta is a wish, (t - y) y (1 - y): minus the gradient
    return hidden, output, float(-dz_out), W1_new, W2_new, output_after


# The published worked example (a widely shared blog post): its inputs, target and weights.
WORKED_EXAMPLE = {
    "x": np.array([0.35, 0.7]),
    "t": 0.5,
    "W1": np.array([[0.2, 0.3], [0.2, 0.3]]),  # column j: the weights into hidden neuron j
    "W2": np.array([0.3, 0.9]),
    "step": 1.0,
}


def divide_backward(dQ, A, B):
    """Backward pass of the divide gate Q = A / B, entry by entry.

    dQ, A, B: arrays of one shape, B nowhere 0 -> (dA, dB), each of that shape."""
    return dQ / B, -dQ * A / B ** 2
