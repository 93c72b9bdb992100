"""Lesson 3 reference: how wrong a network's output is, and the gradient of that with
respect to the output.

Y_hat, Z and Y have one example per row, shape (n, k). Every cost is an average over the
n examples, so its gradient carries a factor 1/n.
MSE convention: cost = (1/n) * sum over examples of 0.5 * sum over outputs of (y_hat - y)^2.
"""

import numpy as np


def mse(Y_hat, Y):
    """Mean over examples of half the summed squared error. Y_hat, Y: (n, k) -> float."""
    n = Y.shape[0]
    return float(0.5 * np.sum((Y_hat - Y) ** 2) / n)


def mse_gradient(Y_hat, Y):
    """Gradient of mse with respect to Y_hat: (Y_hat - Y) / n. Shape (n, k)."""
    return (Y_hat - Y) / Y.shape[0]


def log_sum_exp(Z):
    """log(sum_j exp(Z[i, j])) for each row i, without overflow. Z: (n, k) -> (n,)."""
    m = np.max(Z, axis=1)
    return m + np.log(np.sum(np.exp(Z - m[:, None]), axis=1))


def softmax(Z):
    """Each row of scores turned into probabilities: exp(Z) / row sum, computed stably. (n, k)."""
    return np.exp(Z - log_sum_exp(Z)[:, None])


def cross_entropy(Z, Y):
    """Mean over examples of -sum_j Y[i, j] * log softmax(Z)[i, j], from the scores Z.

    Z: (n, k) scores (logits), Y: (n, k) targets whose rows sum to 1 (one-hot) -> float.
    log softmax(Z) = Z - log_sum_exp(Z) stays finite where softmax itself rounds to 0.
    """
    log_p = Z - log_sum_exp(Z)[:, None]
    return float(-np.sum(Y * log_p) / Z.shape[0])


def cross_entropy_gradient(Z, Y):
    """Gradient of cross_entropy with respect to the scores Z: (softmax(Z) - Y) / n. (n, k)."""
    return (softmax(Z) - Y) / Z.shape[0]


def huber(Y_hat, Y, delta):
    """The Huber cost: per entry 0.5 r^2 where |r| <= delta and delta (|r| - delta / 2) beyond,
    r = Y_hat - Y, summed over the outputs and averaged over the n examples. (n, k) -> float."""
    r = np.abs(Y_hat - Y)
    return float(np.sum(np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta))) / Y.shape[0])


def huber_gradient(Y_hat, Y, delta):
    """Gradient of huber with respect to Y_hat: the error, capped to [-delta, delta], over n. (n, k)."""
    return np.clip(Y_hat - Y, -delta, delta) / Y.shape[0]
