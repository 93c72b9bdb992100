"""Lesson 8 reference: wishes, the three ways to grant them, and passing them backward.

Sign convention: a WISH is MINUS a gradient. For one example's cost
C = 0.5 * sum_j (a_j - y_j)^2 the output neuron j wishes its activation moved by
y_j - a_j (= -dC/da_j): positive means "I want to be higher". Every function here
returns wishes; a gradient-descent step moves each knob by (step size) * wish.
Layers are sigmoid, Z = A_prev @ W + b, batches are rows.
"""

import numpy as np

from autograder.reference.neuron import sigmoid


def forward(X, W1, b1, W2, b2):
    """Two sigmoid layers. Returns Z1, A1 (n, h) and Z2, A2 (n, k)."""
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    return Z1, A1, Z2, sigmoid(Z2)


def cost(A, Y):
    """Each example's cost 0.5 * sum_j (a_j - y_j)^2, shape (n,)."""
    return 0.5 * np.sum((A - Y) ** 2, axis=1)


def output_wishes(A, Y):
    """How much, and which way, each output neuron wants its activation to move: Y - A.

    A, Y: (n, k) -> (n, k)."""
    return Y - A


def weighted_sum_wishes(wish_A, Z):
    """Wishes on each sigmoid neuron's weighted sum z: wish_A * sigmoid'(Z).

    A neuron whose activation wants to move by w can only get there by moving z, and
    z moves the activation by sigmoid'(z) per unit. wish_A, Z: (n, k) -> (n, k)."""
    s = sigmoid(Z)
    return wish_A * s * (1.0 - s)


def three_wishes(A_prev, W, wish_Z):
    """The three ways to grant the wishes wish_Z (n, d_out) of a layer Z = A_prev @ W + b.

    Returns, per example:
      bias (n, d_out):            each bias should move by its neuron's wish,
      weights (n, d_in, d_out):   weight [i, j] by a_prev_i * wish_j (bright inputs move most),
      previous (n, d_in):         the previous layer's activations by sum_j W[i, j] * wish_j."""
    bias = wish_Z.copy()
    weights = A_prev[:, :, None] * wish_Z[:, None, :]
    previous = wish_Z @ W.T
    return bias, weights, previous


def propagate_wishes(wish_Z, W, Z_prev):
    """The previous layer's wishes on its weighted sums: (wish_Z @ W.T) * sigmoid'(Z_prev).

    wish_Z: (n, d_out), W: (d_in, d_out), Z_prev: (n, d_in) -> (n, d_in)."""
    return weighted_sum_wishes(wish_Z @ W.T, Z_prev)


def tanh_propagate_wishes(wish_Z, W, Z_prev):
    """Wishes on the weighted sums of a previous layer of tanh neurons (A_prev = tanh(Z_prev)).

    wish_Z: (n, d_out), W: (d_in, d_out), Z_prev: (n, d_in) -> (n, d_in)."""
    return (wish_Z @ W.T) * (1.0 - np.tanh(Z_prev) ** 2)


def average_wishes(bias_wishes, weight_wishes):
    """The wishes of a batch, averaged over its examples (axis 0).

    bias_wishes: (n, d_out), weight_wishes: (n, d_in, d_out) -> (d_out,), (d_in, d_out)."""
    return bias_wishes.mean(axis=0), weight_wishes.mean(axis=0)


def network_wishes(X, Y, W1, b1, W2, b2):
    """Every knob's wish for a two-layer sigmoid network, averaged over the batch.

    This is minus the gradient of the mean cost. X: (n, d), Y: (n, k), W1: (d, h), b1: (h,),
    W2: (h, k), b2: (k,) -> wishes shaped like W1, b1, W2, b2."""
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)
    wish_Z2 = weighted_sum_wishes(output_wishes(A2, Y), Z2)
    bias2, weights2, _ = three_wishes(A1, W2, wish_Z2)
    wish_Z1 = propagate_wishes(wish_Z2, W2, Z1)
    bias1, weights1, _ = three_wishes(X, W1, wish_Z1)
    b1_wish, W1_wish = average_wishes(bias1, weights1)
    b2_wish, W2_wish = average_wishes(bias2, weights2)
    return W1_wish, b1_wish, W2_wish, b2_wish
