"""Working tools the later lessons and exercises lean on, built another way than the exercises
build theirs.

    from course.given import sigmoid, sigmoid_prime, tanh, tanh_prime, relu, relu_prime
    from course.given import network_forward, network_loss, numerical_gradient

The activations and their slopes each take `z`, a number or a numpy array of any shape, and
return float64 values of the same shape: an array for an array or a list (a 0-d array for a 0-d
array), a number for a number. They follow lesson 1's conventions (the sigmoid never overflows,
however large |z| is; ReLU's slope at its kink is 0), but they are computed along other routes
than lesson 1's formulas: the sigmoid through the softplus function, its slope as
sigmoid(z) * sigmoid(-z), tanh's slope as 1 / cosh^2, ReLU with a choice and its slope with
numpy's step function. Exercise 1 asks for lesson 1's own formulas.

The network tools work on a sigmoid network whose parameters live in a dict of arrays in layer
order, "W1" (d0, d1), "b1" (d1,), "W2" (d1, d2), "b2" (d2,), and so on; they also take a whole
*stack* of such networks at once (every array with one more axis in front, one network per
entry). That is how `numerical_gradient` works: it builds every nudged copy of the parameters
as one stack and asks the loss for all their losses in a single call, so its loss must be a
stack-aware one such as `lambda p: network_loss(p, X, Y)`. Exercise 5 asks for the opposite
way round: one knob at a time, nudged in place and put back, with any loss function.
"""

import numpy as np

from course.gradcheck import H

__all__ = ["sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
           "network_forward", "network_loss", "numerical_gradient"]

TOGETHER = 256  # how many knobs numerical_gradient nudges in one call of the loss, by default


def _as_floats(z):
    """z as a float64 array (0-d for a number); the caller gives back the same kind it got."""
    return np.asarray(z, dtype=np.float64)


def _like(z, values):
    """values (float64, z's shape) as an array if z was an array or a list, else as a number."""
    values = np.asarray(values, dtype=np.float64)
    if isinstance(z, np.ndarray) or values.ndim > 0:
        return values
    return np.float64(values)


def _softplus(x):
    """log(1 + e^x), which numpy computes as logaddexp(0, x) without overflow for any x."""
    return np.logaddexp(0.0, x)


def sigmoid(z):
    """The sigmoid 1 / (1 + e^-z) entrywise, in (0, 1). z: any shape -> same shape.

    Computed as e^(-softplus(-z)): 1 / (1 + e^-z) = e^(-log(1 + e^-z)). Nothing overflows, so
    sigmoid(1000) is 1.0 and sigmoid(-1000) is 0.0, with no warning.
    """
    return _like(z, np.exp(-_softplus(-_as_floats(z))))


def sigmoid_prime(z):
    """Slope of the sigmoid at z. z: any shape -> same shape.

    Computed as sigmoid(z) * sigmoid(-z), the same number as s * (1 - s), both factors through
    the softplus: e^(-softplus(-z) - softplus(z)). Largest at z = 0 (0.25), close to 0 where the
    sigmoid saturates (large |z|).
    """
    x = _as_floats(z)
    return _like(z, np.exp(-(_softplus(-x) + _softplus(x))))


def tanh(z):
    """Hyperbolic tangent entrywise, in (-1, 1). z: any shape -> same shape."""
    return _like(z, np.tanh(_as_floats(z)))


def tanh_prime(z):
    """Slope of tanh at z. z: any shape -> same shape. Equal to 1 at z = 0.

    Computed as 1 / cosh(z)^2, the same number as 1 - tanh(z)^2; cosh overflows to infinity for
    |z| above about 710, where the slope is 0.0.
    """
    with np.errstate(over="ignore"):
        return _like(z, 1.0 / np.cosh(_as_floats(z)) ** 2)


def relu(z):
    """z where z > 0, else 0, entrywise. z: any shape -> same shape."""
    x = _as_floats(z)
    return _like(z, np.where(x > 0, x, 0.0))


def relu_prime(z):
    """Slope of ReLU at z: 1.0 where z > 0, else 0.0. z: any shape -> same shape.

    numpy's step function, np.heaviside, with the value 0 at the kink: the course's convention
    (ReLU'(0) = 0, lesson 1).
    """
    return _like(z, np.heaviside(_as_floats(z), 0.0))


def _layers(params):
    """(W, b) of every layer, in order: W1, b1, then W2, b2, ... as many as params holds."""
    count = sum(1 for name in params if name.startswith("W"))
    return [(np.asarray(params[f"W{k}"], dtype=np.float64), np.asarray(params[f"b{k}"], dtype=np.float64))
            for k in range(1, count + 1)]


def network_forward(params, X):
    """The outputs of a sigmoid network (or of a stack of them) for a batch, one example per row.

    params: {"W1": (d0, d1), "b1": (d1,), "W2": (d1, d2), ...}, as many layers as it holds;
    X: (n, d0) -> (n, d_last). A stack of K networks, "W1": (K, d0, d1), "b1": (K, d1), ...,
    gives (K, n, d_last): each network's outputs for the same batch.
    """
    a = np.asarray(X, dtype=np.float64)
    for W, b in _layers(params):
        a = sigmoid(np.matmul(a, W) + np.expand_dims(b, -2))
    return a


def network_loss(params, X, Y):
    """Lesson 3's cost of the network on a batch: half the squared error, summed over the
    outputs, averaged over the n examples. X: (n, d0), Y: (n, d_last) -> a float; for a stack of
    K networks (see network_forward), the K costs as an array of shape (K,)."""
    errors = network_forward(params, X) - np.asarray(Y, dtype=np.float64)
    costs = np.einsum("...ij,...ij->...", errors, errors) / (2 * errors.shape[-2])
    return float(costs) if costs.ndim == 0 else costs


def _stack(params, rows):
    """A stack of networks from rows of all-knobs-in-one vectors: {name: (K, *params[name].shape)}."""
    stacked, start = {}, 0
    for name, p in params.items():
        size = np.size(p)
        stacked[name] = rows[:, start:start + size].reshape((len(rows),) + np.shape(p))
        start += size
    return stacked


_STACK_NEEDED = ("course.given's numerical_gradient hands the loss a stack of {k} networks at once and "
                 "needs their {k} losses back; it got {got}. Give it a loss built on course.given's "
                 "network_loss, such as lambda p: network_loss(p, X, Y). (Your own exercise 5 "
                 "numerical_gradient takes any loss.)")


def numerical_gradient(loss_fn, params, h=H, together=TOGETHER):
    """The slope of the loss with respect to every entry of every array, by central differences:
    (loss with the knob at x + h - loss with it at x - h) / 2h, for every knob.

    Every nudged network is built as a copy, `together` knobs at a time, and loss_fn gets them
    all in one call: a stack of 2 * together networks (see network_forward), the first half
    nudged up, the second half nudged down, one knob each. loss_fn must return their losses as
    an array of shape (2 * together,): `lambda p: network_loss(p, X, Y)` does. Returns {name:
    array of params[name]'s shape}; params is never touched.
    """
    knobs = np.concatenate([np.ravel(np.asarray(p, dtype=np.float64)) for p in params.values()])
    slopes = np.empty(knobs.size)
    for start in range(0, knobs.size, together):
        count = min(together, knobs.size - start)
        nudges = np.zeros((count, knobs.size))
        nudges[np.arange(count), np.arange(start, start + count)] = h
        stack = _stack(params, np.concatenate([knobs + nudges, knobs - nudges]))
        try:
            losses = np.asarray(loss_fn(stack), dtype=np.float64)
        except (ValueError, TypeError) as exc:
            raise ValueError(_STACK_NEEDED.format(k=2 * count, got=f"an error ({exc})")) from None
        if losses.shape != (2 * count,):
            raise ValueError(_STACK_NEEDED.format(k=2 * count, got=f"an array of shape {losses.shape}"))
        slopes[start:start + count] = (losses[:count] - losses[count:]) / (2 * h)
    return {name: block[0].copy() for name, block in _stack(params, slopes[np.newaxis]).items()}
