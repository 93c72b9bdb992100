"""Lesson 10's helpers: the digits, the flat-parameter tools, the lesson's example networks and
the numbers a learner's functions must reproduce on them, a gradient check on random
architectures, the trained digit network, and the plots of it (loss curve, confusion matrix,
first-layer weights, one digit's prediction), plus the digit explorer widget.

Exercise 10's graded functions (softmax, cross_entropy_backward, mlp_forward, mlp_backward,
train) are not handed out here under their names: the module uses the reference versions
privately, to print results, never to return an answer to call.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from autograder.reference.mlp import (DIGITS, accuracy, count_knobs, digits_split,  # noqa: F401
                                      init_params, pack, unpack)
from autograder.reference.mlp import cross_entropy_backward as _cross_entropy_backward
from autograder.reference.mlp import mlp_backward as _mlp_backward
from autograder.reference.mlp import mlp_forward as _mlp_forward
from autograder.reference.mlp import softmax as _softmax
from autograder.reference.mlp import train as _train
from course.chain_rule import figure_image
from course.gradcheck import gradient_check, numerical_gradient

EXAMPLE_LABELS = (0, 2)


def example(sizes, seed=16):
    """The lesson's example network and batch, for layer sizes like (5, 4, 3, 3), with seed 16
    unless told otherwise:

        rng = np.random.default_rng(seed)
        theta = init_params(sizes, rng)
        X = rng.normal(size=(2, sizes[0]))
        labels = np.array([0, 2])

    Returns (theta, X, labels)."""
    rng = np.random.default_rng(seed)
    theta = init_params(sizes, rng)
    X = rng.normal(size=(2, sizes[0]))
    return theta, X, np.array(EXAMPLE_LABELS)


def _rounded(a, digits=4):
    return np.round(np.asarray(a, dtype=float), digits).tolist()


def _name(sizes):
    return "-".join(map(str, sizes))


EXPECTED_NETWORKS = [(5, 4, 3), (5, 4, 3, 3), (5, 3)]
TRAIN_EXAMPLE = {"n": 10, "sizes": (3, 4, 2), "epochs": 2, "batch_size": 4, "learning_rate": 0.5,
                 "seed": 0}


def _train_example():
    """10 examples (seed 2), label 1 where the first input is positive; train()'s arguments."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(TRAIN_EXAMPLE["n"], 3))
    labels = (X[:, 0] > 0).astype(np.int64)
    t = TRAIN_EXAMPLE
    return X, labels, t["sizes"], t["epochs"], t["batch_size"], t["learning_rate"], t["seed"]


def expected_numbers(name):
    """Print what exercise 10's function `name` must return on the lesson's examples
    (built by `example(sizes)`; for train, by the recipe printed)."""
    if name == "mlp_forward":
        for sizes in EXPECTED_NETWORKS:
            theta, X, _ = example(sizes)
            print(f"{_name(sizes)}, example({sizes}): logits {_rounded(_mlp_forward(theta, sizes, X))}")
    elif name == "cross_entropy_backward":
        cases = [(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), np.array([0, 2])),
                 (np.array([[1000.0, 0.0, -1000.0]]), np.array([1]))]
        for logits, labels in cases:
            loss, dlogits = _cross_entropy_backward(logits, labels)
            print(f"logits {logits.tolist()}, labels {labels.tolist()}:\n"
                  f"    loss {loss:.4f}, dlogits {_rounded(dlogits)}")
    elif name == "mlp_backward":
        for sizes in EXPECTED_NETWORKS:
            theta, X, labels = example(sizes)
            loss, gradient = _mlp_backward(theta, sizes, X, labels)
            print(f"{_name(sizes)}, example({sizes}): loss {loss:.4f}, gradient of {gradient.size} entries")
            for index, (dW, db) in enumerate(unpack(gradient, sizes), start=1):
                print(f"    dW{index} first row {_rounded(dW[0])}, db{index} {_rounded(db)}")
    elif name == "train":
        args = _train_example()
        theta, losses = _train(*args)
        t = TRAIN_EXAMPLE
        print(f"rng = np.random.default_rng(2); X = rng.normal(size=({t['n']}, 3)); "
              f"labels = (X[:, 0] > 0).astype(int)")
        print(f"train(X, labels, {t['sizes']}, epochs={t['epochs']}, batch_size={t['batch_size']}, "
              f"learning_rate={t['learning_rate']}, seed={t['seed']}):")
        print(f"    losses {_rounded(losses)}")
        print(f"    theta[:6] {_rounded(theta[:6])}")
    else:
        raise ValueError(f"no expected numbers for {name!r}")


def check_backward(backward=None, seed=2024, trials=3):
    """Gradient-check a backward pass on `trials` random architectures, batches and weights.

    backward(theta, sizes, X, labels) -> (loss, gradient), as exercise 10's mlp_backward; without
    one, the course's own. Each line compares every entry with the numerical gradient of the
    same function's loss and prints the worst relative error against the pass line."""
    backward = backward or _mlp_backward
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        hidden = rng.integers(2, 7, size=int(rng.integers(2, 5)))
        sizes = tuple(int(s) for s in hidden) + (int(rng.integers(2, 5)),)
        theta = init_params(sizes, rng) + rng.normal(0.0, 0.1, size=count_knobs(sizes))
        n = int(rng.integers(1, 9))
        X, labels = rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)
        _, gradient = backward(theta, sizes, X, labels)
        numeric = numerical_gradient(lambda t: backward(t, sizes, X, labels)[0], theta)
        gradient_check(f"{_name(sizes)}, n={n}", gradient, numeric)


def train_digits():
    """The lesson's digit network, trained with DIGITS's settings on digits_split()'s training
    set. Returns (theta, losses): one loss per mini-batch step."""
    X_train, y_train, _, _ = digits_split()
    d = DIGITS
    return _train(X_train, y_train, d["sizes"], d["epochs"], d["batch_size"], d["learning_rate"],
                  d["seed"])


def predict(theta, sizes, X):
    """The class each example's largest logit points at: (n,) ints."""
    return _mlp_forward(theta, sizes, X).argmax(axis=1)


def plot_digits(X, labels, count=10):
    """The first `count` digits of X as 8 x 8 pictures, with their labels: each pixel's value as
    brightness, black 0 (no ink), white 1 (the most ink)."""
    fig, axes = plt.subplots(1, count, figsize=(1.1 * count, 1.5))
    for ax, x, label in zip(axes, X, labels):
        ax.imshow(x.reshape(8, 8), cmap="gray", vmin=0, vmax=1)
        ax.set_title(str(label))
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_loss_curve(losses, steps_per_epoch):
    """Every step's batch loss (light) and each epoch's average (dark), on a log scale."""
    losses = np.asarray(losses)
    epochs = len(losses) // steps_per_epoch
    per_epoch = losses[:epochs * steps_per_epoch].reshape(epochs, steps_per_epoch).mean(axis=1)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(np.arange(len(losses)) / steps_per_epoch, losses, color="C0", alpha=0.25, lw=0.7,
            label="each mini-batch")
    ax.plot(np.arange(1, epochs + 1), per_epoch, "o-", color="C0", ms=3, label="epoch average")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    ax.legend()
    fig.tight_layout()
    return fig


def confusion_matrix(predicted, labels, k=10):
    """counts[i, j] = how many examples of true class i were predicted as class j."""
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def plot_confusion(counts):
    """The confusion matrix as a picture with its counts written in."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.imshow(np.log1p(counts), cmap="Blues")
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if i == j else "C3")
    ax.set_xticks(range(counts.shape[1]))
    ax.set_yticks(range(counts.shape[0]))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(f"test set: {np.trace(counts)} of {counts.sum()} right")
    fig.tight_layout()
    return fig


def plot_first_layer(theta, sizes, count=32):
    """The weights into the first `count` hidden neurons, each as an 8 x 8 picture:
    red pixels push that neuron up, blue pixels push it down."""
    W1 = unpack(theta, sizes)[0][0]
    limit = np.max(np.abs(W1[:, :count]))
    rows = int(np.ceil(count / 8))
    fig, axes = plt.subplots(rows, 8, figsize=(8, rows * 1.05))
    for index, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if index < count:
            ax.imshow(W1[:, index].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    fig.suptitle("weights into hidden neurons 0 to %d (red: positive, blue: negative)" % (count - 1),
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_prediction(theta, sizes, x, label):
    """One digit (brightness = pixel value, as in plot_digits) and the network's probability
    for each class."""
    p = _softmax(_mlp_forward(theta, sizes, x[None, :]))[0]
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 2.6), gridspec_kw={"width_ratios": [1, 2.4]})
    left.imshow(x.reshape(8, 8), cmap="gray", vmin=0, vmax=1)
    left.set_title(f"true digit: {label}")
    left.axis("off")
    right.bar(range(10), p, color=["C2" if d == label else "C0" for d in range(10)])
    right.set_xticks(range(10))
    right.set_ylim(0, 1)
    right.set_ylabel("probability")
    right.set_title(f"network says {int(p.argmax())} ({p.max():.1%})")
    fig.tight_layout()
    return fig


def digit_explorer(theta, sizes, X, labels, index=0):
    """A slider over the test set's indices; each digit and the network's probabilities for it."""
    slider = widgets.IntSlider(value=index, min=0, max=len(X) - 1, description="test index")
    picture = widgets.Image(format="png")

    def redraw(_change=None):
        figure_image(plot_prediction(theta, sizes, X[slider.value], labels[slider.value]), picture)

    slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([slider, picture])
