"""Lesson 10's helpers: the digits, the flat-parameter tools, the lesson's example networks and
the numbers a learner's functions must reproduce on them, a gradient check on random
architectures, the trained digit network, and the plots of it (loss curve, confusion matrix,
first-layer weights, one digit's prediction), plus the digit explorer widget.

Exercise 10's graded functions (softmax, cross_entropy_backward, mlp_forward, mlp_backward,
train) are not here: what they return on the lesson's examples, and the digit network a correct
train() gives, are results stored with the course.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course.costs import knob_count
from course.gradcheck import gradient_check, numerical_gradient
from course.problems import DIGITS, digits_split, pack, unpack  # noqa: F401 (handed out to exercise 10)
from course.stored import load
from course.widgets import explorer


def init_params(sizes, rng):
    """He initialisation: W_l ~ Normal(0, sqrt(2 / d_in)), drawn layer by layer from rng;
    biases 0. Returns the flat theta of knob_count(sizes) entries."""
    return pack([(rng.normal(0.0, np.sqrt(2.0 / d_in), size=(d_in, d_out)), np.zeros(d_out))
                 for d_in, d_out in zip(sizes[:-1], sizes[1:])])


def accuracy(scores, labels):
    """The fraction of examples the network gets right. scores: (n, k), one row per example (its
    logits or its probabilities: the largest entry is the network's answer), labels: (n,) ints;
    or the answers themselves, (n,) ints. -> a float."""
    scores = np.asarray(scores)
    predicted = scores.argmax(axis=1) if scores.ndim == 2 else scores
    return float(np.mean(predicted == np.asarray(labels)))


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
    numbers = load("lesson10_expected")
    if name not in numbers:
        raise ValueError(f"no expected numbers for {name!r}")
    print(numbers[name])


def random_networks(seed=2024, trials=3):
    """`trials` random architectures, each with weights and a batch: 1 to 3 hidden layers of 2 to
    6 neurons, 2 to 4 classes, batches of 1 to 8. Yields (sizes, theta, X, labels)."""
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        hidden = rng.integers(2, 7, size=int(rng.integers(2, 5)))
        sizes = tuple(int(s) for s in hidden) + (int(rng.integers(2, 5)),)
        theta = init_params(sizes, rng) + rng.normal(0.0, 0.1, size=knob_count(sizes))
        n = int(rng.integers(1, 9))
        yield sizes, theta, rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)


def check_label(sizes, X):
    """How check_backward names one network's line: its sizes and batch size."""
    return f"{_name(sizes)}, n={len(X)}"


def check_backward(backward=None, seed=2024, trials=3):
    """Gradient-check a backward pass on `trials` random architectures, batches and weights
    (random_networks(seed, trials)).

    backward(theta, sizes, X, labels) -> (loss, gradient), as exercise 10's mlp_backward. Each
    line compares every entry with the numerical gradient of the same function's loss and prints
    the worst relative error against the pass line. Without a backward pass: the same lines for
    a correct one, from its gradients on the default networks, stored with the course."""
    if backward is None:
        for label, gradient, numeric in load("lesson10_backward_checks"):
            gradient_check(label, gradient, numeric)
        return
    for sizes, theta, X, labels in random_networks(seed, trials):
        _, gradient = backward(theta, sizes, X, labels)
        numeric = numerical_gradient(lambda t: backward(t, sizes, X, labels)[0], theta)
        gradient_check(check_label(sizes, X), gradient, numeric)


def trained_digits():
    """The lesson's digit network as a correct exercise 10 train() leaves it, with DIGITS's
    settings on digits_split()'s training set, stored with the course: {"theta", "losses" (one
    per mini-batch step), "test_probabilities" (450, 10): its softmax for every test digit,
    "train_predicted" (1347,): the digit it picks for every training digit}."""
    return load("lesson10_digits")


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


def plot_prediction(p, x, label):
    """One digit x (brightness = pixel value, as in plot_digits) and the network's probability
    p (10,) for each class."""
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


def digit_explorer(probabilities, X, labels, index=0):
    """A slider over the test set's indices; each digit and the network's probabilities for it
    (probabilities: (n, 10), one row per digit of X)."""
    slider = widgets.IntSlider(value=index, min=0, max=len(X) - 1, description="test index")

    def draw(values):
        i = values["index"]
        return plot_prediction(probabilities[i], X[i], labels[i])

    return explorer({"index": slider}, draw, readout=False)
