"""Lesson 10's helpers: the digits, the flat-parameter tools, and the plots of a trained
network (loss curve, confusion matrix, first-layer weights, one digit's prediction),
plus the digit explorer widget."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from autograder.reference.mlp import (DIGITS, accuracy, count_knobs, digits_split,  # noqa: F401
                                      init_params, mlp_forward, pack, softmax, unpack)
from course.chain_rule import figure_image


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
    p = softmax(mlp_forward(theta, sizes, x[None, :]))[0]
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
