"""Lesson 10 reference: a multi-layer perceptron, forward and backward on mini-batches.

The network: `sizes = (d, h1, ..., k)`; hidden layers Z = A @ W + b then ReLU
(ReLU'(0) = 0); the last layer's Z are the logits, scored by softmax + cross-entropy
averaged over the batch. All knobs live in ONE flat vector `theta`, in the order
W1 (row by row), b1, W2, b2, ...; `unpack` and `pack` convert. Gradients are
returned in the same flat layout, so one numerical gradient checks them all.
"""

import numpy as np

from course.problems import DIGITS, digits_split, pack, unpack  # noqa: F401 (the spec uses the digits from here)


def init_params(sizes, rng):
    """He initialisation: W_l ~ Normal(0, sqrt(2 / d_in)), drawn layer by layer from rng;
    biases 0. Returns the flat theta."""
    layers = [(rng.normal(0.0, np.sqrt(2.0 / d_in), size=(d_in, d_out)), np.zeros(d_out))
              for d_in, d_out in zip(sizes[:-1], sizes[1:])]
    return pack(layers)


def softmax(logits):
    """Row-wise softmax, stable for any logits: subtract each row's max first. (n, k) -> (n, k)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy_backward(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    logits: (n, k), labels: (n,) ints -> loss (float), dlogits (n, k) = (P - onehot) / n."""
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(n), labels].mean())
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), labels] -= 1.0
    return loss, dlogits / n


def softmax_mse_backward(logits, labels):
    """Softmax followed by the course's squared error against one-hot targets, and its gradient.

    logits: (n, k), labels: (n,) ints, n >= 1 -> loss (float), dlogits (n, k)."""
    n = logits.shape[0]
    P = softmax(logits)
    Y = np.zeros_like(P)
    Y[np.arange(n), labels] = 1.0
    loss = float(0.5 * np.sum((P - Y) ** 2) / n)
    dP = (P - Y) / n
    # through softmax: each logit moves every probability of its row
    return loss, P * (dP - np.sum(dP * P, axis=1, keepdims=True))


def mlp_forward(theta, sizes, X):
    """The logits of the network for a batch X (n, sizes[0]) -> (n, sizes[-1])."""
    layers = unpack(theta, sizes)
    A = X
    for W, b in layers[:-1]:
        A = np.maximum(A @ W + b, 0.0)
    W, b = layers[-1]
    return A @ W + b


def mlp_backward(theta, sizes, X, labels):
    """Mean cross-entropy loss of the batch and its gradient with respect to theta.

    Returns (loss, gradient) with gradient shaped like theta, in unpack's layout."""
    layers = unpack(theta, sizes)
    inputs, pre = [], []  # per layer: its input A and its Z, what the backward pass needs
    A = X
    for index, (W, b) in enumerate(layers):
        Z = A @ W + b
        inputs.append(A)
        pre.append(Z)
        A = np.maximum(Z, 0.0) if index < len(layers) - 1 else Z
    loss, dZ = cross_entropy_backward(A, labels)
    grads = [None] * len(layers)
    for index in reversed(range(len(layers))):
        W, _ = layers[index]
        grads[index] = (inputs[index].T @ dZ, dZ.sum(axis=0))
        if index > 0:
            dZ = (dZ @ W.T) * (pre[index - 1] > 0)
    return loss, pack(grads)


def accuracy(theta, sizes, X, labels):
    """The fraction of examples whose largest logit is at the right label."""
    return float(np.mean(mlp_forward(theta, sizes, X).argmax(axis=1) == labels))


def train(X, labels, sizes, epochs, batch_size, learning_rate, seed):
    """Mini-batch gradient descent.

    rng = default_rng(seed); theta = init_params(sizes, rng); then each epoch draws
    order = rng.permutation(n) and steps theta -= learning_rate * gradient on the
    consecutive batches order[0:batch_size], order[batch_size:2 * batch_size], ...
    Returns (theta, losses) with one loss per step, each the loss of its batch before
    the step."""
    rng = np.random.default_rng(seed)
    theta = init_params(sizes, rng)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch_size):
            batch = order[start:start + batch_size]
            loss, gradient = mlp_backward(theta, sizes, X[batch], labels[batch])
            theta = theta - learning_rate * gradient
            losses.append(loss)
    return theta, np.array(losses)
