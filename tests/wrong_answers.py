"""Wrong answers learners write, by family, that the catalogue does not hold.

The misconception catalogue (autograder/specs) names the mistakes a check explains; this corpus
is the rest: shape and batch bugs (a squeeze, a sum over the batch, a reshape where a transpose was
needed, the wrong axis, a bias as a column), conventions the wording states (the seed honoured, `h`
honoured, any key names, soft targets, every step taken), and numerics (an exp that overflows).
Each entry says whether the visible checks must catch it (`visible=True`: the wording's cases
expose it, so a learner never sees PASS for it) or only the hidden tests (the trigger is an edge
the wording does not spell out). tests/test_wrong_answers.py feeds every entry through both.

Run as a script for the table: `.venv/bin/python tests/wrong_answers.py`.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograder.reference import layers, loss, mlp, neuron, nudging, numerical_gradient, training, wishes


@dataclass(frozen=True)
class Wrong:
    assignment: str
    function: str
    family: str
    what: str
    fn: Callable
    visible: bool = True


def _sigmoid_overflows(z):
    """exp(z) / (1 + exp(z)): inf / inf = nan once z > 709."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(z) / (1.0 + np.exp(z))


def _two_layer_overflowing(X, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = _sigmoid_overflows(Z1)
    Z2 = A1 @ W2 + b2
    return Z1, A1, Z2, _sigmoid_overflows(Z2)


def _minimise_stops_at_bottom(gradient_fn, theta0, learning_rate, steps):
    theta = np.array(theta0, dtype=np.float64)
    history = [theta]
    for _ in range(steps):
        gradient = gradient_fn(theta)
        if np.all(gradient == 0):
            break
        theta = theta - learning_rate * gradient
        history.append(theta)
    return np.array(history)


def _losses_along_axis0(history, a, c):
    return np.sum(a * (history - c) ** 2, axis=0)


def _train_epoch_seed_zero(params, X, Y, batch_size, learning_rate, seed, h=1e-5):
    return training.train_epoch(params, X, Y, batch_size, learning_rate, 0, h)


def _train_epoch_full_batches_only(params, X, Y, batch_size, learning_rate, seed, h=1e-5):
    order = training.shuffled_order(len(X), seed)
    for k in range(len(X) // batch_size):
        Xb, Yb = training.minibatch(X, Y, order, k, batch_size)
        current = {name: p.copy() for name, p in params.items()}
        grads = training.numerical_gradient(lambda p: training.network_loss(p, Xb, Yb), current, h)
        params = training.sgd_update(params, grads, learning_rate)
    return params


def _sgd_numbered_keys(params, grads, learning_rate):
    out = {}
    for i in range(1, len(params) // 2 + 1):
        for name in (f"W{i}", f"b{i}"):
            out[name] = params[name] - learning_rate * grads[name]
    return out


def _numerical_gradient_fixed_h(loss_fn, params, h=1e-5):
    return numerical_gradient.numerical_gradient(loss_fn, params, 1e-5)


def _numerical_gradient_numbered_keys(loss_fn, params, h=1e-5):
    """Only the arrays named W1, b1, W2, b2, ... (a KeyError where there are none)."""
    grads = numerical_gradient.numerical_gradient(loss_fn, params, h)
    return {name: grads[name] for i in range(1, len(params) // 2 + 1) for name in (f"W{i}", f"b{i}")}


def _cross_entropy_one_hot_only(Z, Y):
    log_p = Z - loss.log_sum_exp(Z)[:, None]
    return float(-np.mean(log_p[np.arange(len(Z)), np.argmax(Y, axis=1)]))


def _cross_entropy_gradient_one_hot_only(Z, Y):
    G = loss.softmax(Z)
    G[np.arange(len(Z)), np.argmax(Y, axis=1)] -= 1.0
    return G / len(Z)


def _huber_gradient_one_sided_cap(Y_hat, Y, delta):
    """The cap applied above only: np.minimum(r, delta)."""
    return np.minimum(Y_hat - Y, delta) / len(Y)


def _huber_gradient_cap_on_the_prediction(Y_hat, Y, delta):
    """The prediction clipped instead of the error."""
    return (np.clip(Y_hat, -delta, delta) - Y) / len(Y)


def _divide_backward_summed_over_batch(dQ, A, B):
    """The local slopes' chain rule right, then each gradient summed over the examples."""
    dA, dB = dQ / B, -dQ * A / B ** 2
    return np.broadcast_to(dA.sum(axis=0), dA.shape).copy(), np.broadcast_to(dB.sum(axis=0), dB.shape).copy()


def _softmax_mse_overflowing(logits, labels):
    """Softmax without the row maximum subtracted: nan for logits of 1000."""
    with np.errstate(over="ignore", invalid="ignore"):
        P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    Y = np.eye(logits.shape[1])[labels]
    dP = (P - Y) / len(P)
    return float(0.5 * np.sum((P - Y) ** 2) / len(P)), P * (dP - np.sum(dP * P, axis=1, keepdims=True))


def _softmax_mse_labels_as_columns(logits, labels):
    """The one-hot targets built with the classes down the columns: np.eye(k)[:, labels].T read wrong."""
    P = mlp.softmax(logits)
    Y = np.zeros_like(P)
    Y[:, labels[0]] = 1.0  # every example given the first example's class
    dP = (P - Y) / len(P)
    return float(0.5 * np.sum((P - Y) ** 2) / len(P)), P * (dP - np.sum(dP * P, axis=1, keepdims=True))


def _tanh_propagate_through_the_wrong_array(wish_Z, W, Z_prev):
    """tanh's slope taken at the weighted sums of the layer in front (the wishes' own z), broadcast."""
    passed = wish_Z @ W.T
    return passed * (1.0 - np.tanh(np.resize(wish_Z, passed.shape)) ** 2)


def _three_wishes_batch_summed(A_prev, W, wish_Z):
    bias, _, previous = wishes.three_wishes(A_prev, W, wish_Z)
    summed = A_prev.T @ wish_Z
    return bias, np.broadcast_to(summed, (len(A_prev),) + summed.shape).copy(), previous


def _three_wishes_reshaped(A_prev, W, wish_Z):
    bias, _, previous = wishes.three_wishes(A_prev, W, wish_Z)
    n, d_in, d_out = len(A_prev), A_prev.shape[1], wish_Z.shape[1]
    weights = (wish_Z[:, :, None] * A_prev[:, None, :]).reshape(n, d_in, d_out)
    return bias, weights, previous


def _average_wishes_axis1(bias_wishes, weight_wishes):
    return bias_wishes.mean(axis=1), weight_wishes.mean(axis=1)


def _propagate_reshaped(wish_Z, W, Z_prev):
    return wishes.weighted_sum_wishes(wish_Z @ W.reshape(W.shape[::-1]), Z_prev)


def _train_variant(full_batches_only=False, fresh_rng_each_epoch=False):
    """mlp.train written with one of two slips: the last, partial batch skipped, or a new
    generator from the seed every epoch (so every epoch visits the examples in the same order)."""
    def train(X, labels, sizes, epochs, batch_size, learning_rate, seed):
        rng = np.random.default_rng(seed)
        theta = mlp.init_params(sizes, rng)
        losses = []
        stop = X.shape[0] - batch_size + 1 if full_batches_only else X.shape[0]
        for _ in range(epochs):
            order = (np.random.default_rng(seed) if fresh_rng_each_epoch else rng).permutation(X.shape[0])
            for start in range(0, stop, batch_size):
                batch = order[start:start + batch_size]
                value, gradient = mlp.mlp_backward(theta, sizes, X[batch], labels[batch])
                theta = theta - learning_rate * gradient
                losses.append(value)
        return theta, np.array(losses)
    return train


def _mlp_backward_relu_slope_one_at_zero(theta, sizes, X, labels):
    layers_ = mlp.unpack(theta, sizes)
    inputs, pre, A = [], [], X
    for index, (W, b) in enumerate(layers_):
        Z = A @ W + b
        inputs.append(A)
        pre.append(Z)
        A = np.maximum(Z, 0.0) if index < len(layers_) - 1 else Z
    value, dZ = mlp.cross_entropy_backward(A, labels)
    grads = [None] * len(layers_)
    for index in reversed(range(len(layers_))):
        W, _ = layers_[index]
        grads[index] = (inputs[index].T @ dZ, dZ.sum(axis=0))
        if index > 0:
            dZ = (dZ @ W.T) * (pre[index - 1] >= 0)
    return value, mlp.pack(grads)


def _derivative_check_unguarded(f, f_prime, x, h):
    a, b = f_prime(x), nudging.central_difference(f, x, h)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.nanmax(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))))


def _sigmoid_prime_nudged(z):
    h = 1e-7
    return (neuron.sigmoid(z + h) - neuron.sigmoid(z)) / h


WRONG = [
    Wrong("01_neuron", "relu_prime", "convention", "slope 1 at z = 0 (z >= 0)",
          lambda z: (np.asarray(z) >= 0).astype(np.float64)),
    Wrong("01_neuron", "tanh", "numerics", "computed in float32, returned as float64",
          lambda z: np.tanh(np.asarray(z, dtype=np.float32)).astype(np.float64)),
    Wrong("01_neuron", "sigmoid_prime", "numerics", "a forward difference instead of the formula",
          _sigmoid_prime_nudged),
    Wrong("04_nudging", "swish_prime", "convention", "the sigmoid's slope with z where s belongs: s + z * s * (1 - z)",
          lambda z: neuron.sigmoid(z) + z * neuron.sigmoid(z) * (1.0 - z)),
    Wrong("04_nudging", "swish_prime", "convention", "the slope of z * sigmoid(z) taken as sigmoid(z) * (1 + z)",
          lambda z: neuron.sigmoid(z) * (1.0 + z)),
    Wrong("04_nudging", "derivative_check", "numerics", "no 0 / 0 guard, the nan hidden by np.nanmax",
          _derivative_check_unguarded),
    Wrong("10_whole_picture", "mlp_backward", "convention", "ReLU's slope taken as 1 at Z = 0 (Z >= 0)",
          _mlp_backward_relu_slope_one_at_zero),
    Wrong("02_layers", "dense_forward", "squeeze", "np.squeeze(X @ W + b)",
          lambda X, W, b: np.squeeze(X @ W + b)),
    Wrong("02_layers", "dense_forward", "batch", "the bias as a column: X @ W + b[:, None]",
          lambda X, W, b: X @ W + b[:, None]),
    Wrong("02_layers", "dense_forward", "transpose", "X @ W.T.reshape(W.shape) + b",
          lambda X, W, b: X @ W.T.reshape(W.shape) + b),
    Wrong("02_layers", "two_layer_forward", "squeeze", "every result squeezed",
          lambda *args: tuple(np.squeeze(r) for r in layers.two_layer_forward(*args))),
    Wrong("02_layers", "two_layer_forward", "numerics", "sigmoid as exp(z) / (1 + exp(z)): nan past z = 709",
          _two_layer_overflowing, visible=False),
    Wrong("03_loss", "cross_entropy", "convention", "for one-hot targets only (the target's column picked)",
          _cross_entropy_one_hot_only),
    Wrong("03_loss", "cross_entropy_gradient", "convention", "for one-hot targets only",
          _cross_entropy_gradient_one_hot_only),
    Wrong("03_loss", "huber_gradient", "convention", "the error capped above only: np.minimum(r, delta)",
          _huber_gradient_one_sided_cap),
    Wrong("03_loss", "huber_gradient", "convention", "the prediction clipped instead of the error",
          _huber_gradient_cap_on_the_prediction),
    Wrong("05_numerical_gradient", "numerical_gradient", "convention", "h ignored (always 1e-5)",
          _numerical_gradient_fixed_h),
    Wrong("05_numerical_gradient", "numerical_gradient", "convention", "keys assumed to be W1, b1, W2, b2, ...",
          _numerical_gradient_numbered_keys),
    Wrong("06_descent", "minimise", "convention", "stops early once the gradient is exactly zero",
          _minimise_stops_at_bottom),
    Wrong("06_descent", "decayed_bowl_gradient", "convention", "the penalty counted on the first knob only",
          lambda theta, a, c, decay: 2.0 * a * (theta - c) + decay * theta * (np.arange(len(theta)) == 0)),
    Wrong("06_descent", "decayed_bowl_gradient", "convention", "the decay multiplying the bowl's slope too",
          lambda theta, a, c, decay: (1.0 + decay) * 2.0 * a * (theta - c) + decay * theta),
    Wrong("06_descent", "losses_along", "axis", "summed over axis 0 (the knobs kept)", _losses_along_axis0),
    Wrong("07_training", "train_epoch", "convention", "the seed ignored (always 0)", _train_epoch_seed_zero),
    Wrong("07_training", "train_epoch", "batch", "the last, partial batch skipped", _train_epoch_full_batches_only),
    Wrong("07_training", "sgd_update", "convention", "keys assumed to be W1, b1, W2, b2, ...", _sgd_numbered_keys),
    Wrong("08_wishes", "three_wishes", "batch", "the weight wishes summed over the batch", _three_wishes_batch_summed),
    Wrong("08_wishes", "three_wishes", "transpose", "the weight wishes built (n, d_out, d_in), then reshaped",
          _three_wishes_reshaped),
    Wrong("08_wishes", "propagate_wishes", "transpose", "W reshaped where it needed a transpose",
          _propagate_reshaped),
    Wrong("08_wishes", "average_wishes", "axis", "averaged over axis 1", _average_wishes_axis1),
    Wrong("08_wishes", "tanh_propagate_wishes", "transpose", "W reshaped where it needed a transpose",
          lambda wish_Z, W, Z_prev: (wish_Z @ W.reshape(W.shape[::-1])) * (1.0 - np.tanh(Z_prev) ** 2)),
    Wrong("08_wishes", "tanh_propagate_wishes", "convention", "the slope of the wrong layer (tanh of wish_Z, resized)",
          _tanh_propagate_through_the_wrong_array),
    Wrong("09_chain_rule", "divide_backward", "batch", "each gradient summed over the examples",
          _divide_backward_summed_over_batch),
    Wrong("09_chain_rule", "divide_backward", "convention", "the slope in B turned upside down: -dQ * B / A ** 2",
          lambda dQ, A, B: (dQ / B, -dQ * B / A ** 2)),
    Wrong("10_whole_picture", "softmax_mse_backward", "numerics", "softmax without the row maximum: nan at 1000",
          _softmax_mse_overflowing),
    Wrong("10_whole_picture", "softmax_mse_backward", "batch", "every example given the first example's class",
          _softmax_mse_labels_as_columns),
    Wrong("10_whole_picture", "train", "batch", "the last, partial batch skipped",
          _train_variant(full_batches_only=True)),
    Wrong("10_whole_picture", "train", "convention", "a fresh generator (the same order) every epoch",
          _train_variant(fresh_rng_each_epoch=True)),
]


if __name__ == "__main__":
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_wrong_answers import format_table, measure
    print(format_table(measure()))
