"""The course's problems: the data sets and starting networks the lessons, the exercises and
the grader all use, in plain numpy (nothing here plots, so the grader can import it).

- lesson 5's toy problem: TOY_X, TOY_Y, init_params, toy_params;
- lesson 7's data: make_dataset;
- lesson 10's digits and flat parameters: DIGITS, digits_split, unpack, pack.

The lessons' modules hand these out under the same names (course.numerical_gradient,
course.training, course.whole_picture).
"""

from functools import lru_cache

import numpy as np

TOY_X = np.array([[0.35, 0.7], [1.0, -0.5], [-0.8, 0.3], [0.1, -1.2]])
TOY_Y = np.array([[0.5], [0.9], [0.1], [0.3]])


def init_params(sizes, seed=0, scale=1.0):
    """Seeded parameters for layer sizes like (2, 3, 1): W_k ~ N(0, scale^2 / d_in), b_k ~ N(0, 0.1^2).

    Returns {"W1": (d0, d1), "b1": (d1,), "W2": (d1, d2), ...}, float64, in layer order."""
    rng = np.random.default_rng(seed)
    params = {}
    for k, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{k}"] = rng.normal(0.0, scale / np.sqrt(d_in), size=(d_in, d_out))
        params[f"b{k}"] = rng.normal(0.0, 0.1, size=d_out)
    return params


def toy_params():
    """The lesson's 2-3-1 sigmoid network (seed 5): 13 knobs, a fresh copy on every call."""
    return init_params((2, 3, 1), seed=5, scale=2.0)


def make_dataset(n=40, seed=7):
    """Two overlapping clouds of 2-d points with targets 0 and 1. X: (n, 2), Y: (n, 1)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    centres = np.array([[-0.8, -0.4], [0.8, 0.6]])
    X = centres[labels] + rng.normal(scale=0.7, size=(n, 2))
    return X, labels[:, None].astype(np.float64)


# The digits set the lesson and exercise 10's training check use.
DIGITS = {"sizes": (64, 128, 10), "epochs": 50, "batch_size": 16, "learning_rate": 0.1,
          "seed": 10, "required_accuracy": 0.95}

def unpack(theta, sizes):
    """[(W1, b1), (W2, b2), ...] as views into the flat theta, in the order W1 (row by row), b1,
    W2, b2, ... W_l: (sizes[l-1], sizes[l]), b_l: (sizes[l],)."""
    layers, start = [], 0
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        W = theta[start:start + d_in * d_out].reshape(d_in, d_out)
        start += d_in * d_out
        layers.append((W, theta[start:start + d_out]))
        start += d_out
    return layers


def pack(layers):
    """The flat vector of [(W1, b1), (W2, b2), ...], the inverse of unpack."""
    return np.concatenate([np.concatenate([W.ravel(), b.ravel()]) for W, b in layers])


@lru_cache(maxsize=1)
def digits_split(seed=0, test_size=450):
    """scikit-learn's bundled 8x8 digits (no download), pixels scaled to [0, 1], split by a
    seeded shuffle: X_train (1347, 64), y_train, X_test (450, 64), y_test."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:test_size], order[test_size:]
    return X[train], y[train], X[test], y[test]
