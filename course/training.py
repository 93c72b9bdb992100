"""Lesson 7's data, plots, timings and widget: training the toy network with numerical gradients.

Each plot function returns the matplotlib Figure it made; the widget redraws one of them. The
network's forward pass, loss and numerical gradient are course.given's (computed another way than
exercise 5's: every nudged network at once). The training
runs shown, and what exercise 7's functions give on the lesson's data, are results stored with
the course (`lesson_results()`, `training_run(learning_rate, batch_size)`).
"""

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course.costs import knob_count, nudging_passes
from course.given import network_forward, network_loss, numerical_gradient
from course.numerical_gradient import as_vector, from_vector  # noqa: F401 (lesson 7 steps all knobs as one vector)
from course.problems import init_params, make_dataset
from course.stored import load
from course.widgets import explorer

SIZES = (2, 3, 1)
PARAM_SEED = 7
LEARNING_RATE = 4.0  # the lesson's runs: large, because the toy network's slopes are small (about 0.01)
EPOCHS = 40  # every stored run: forty epochs from toy_problem()'s parameters, epoch e shuffled with seed e
RATE_CHOICES = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 40.0)  # the widget's learning rates
BATCH_SIZES = (1, 2, 4, 8, 16, 40)  # and its batch sizes

# Measured once on the machine that built the course (2 cores, numpy 2.4, Python 3.11), with a
# mini-batch of 32 examples: (layer sizes, seconds per forward pass, seconds per numerical gradient).
# The last network's gradient was not run (it would take seconds); lesson 7 predicts it instead.
MEASURED = [
    ((2, 3, 1), 4.3e-5, 0.0011),
    ((2, 16, 1), 4.3e-5, 0.0059),
    ((16, 16, 4), 4.5e-5, 0.0348),
    ((64, 16, 10), 5.1e-5, 0.1254),
    ((64, 32, 16, 10), 8.1e-5, 0.4840),
    ((784, 16, 16, 10), 1.22e-4, None),
]


def batch_count(n, batch_size):
    """Mini-batches per epoch: the last one may be partial, so ceil(n / batch_size)."""
    return -(-n // batch_size)


def toy_problem(n=40, seed=7):
    """The lesson's data (n examples) and the 2-3-1 network's starting parameters."""
    X, Y = make_dataset(n, seed)
    return X, Y, init_params(SIZES, seed=PARAM_SEED)


def lesson_results():
    """What exercise 7's functions give on toy_problem()'s data: "order" (shuffled_order(40, 0))
    and "batches" (the (Xb, Yb) of minibatch(X, Y, order, k, 12) for k = 0, 1, 2, 3)."""
    stored = load("lesson07_training")
    return {"order": stored["order"], "batches": stored["batches"]}


def training_run(learning_rate=LEARNING_RATE, batch_size=8):
    """A run of EPOCHS epochs of mini-batch steps (exercise 7's train_epoch, epoch e shuffled with
    seed e) from toy_problem()'s parameters, for one of RATE_CHOICES and BATCH_SIZES.

    Returns (params after training, losses of shape (EPOCHS + 1,)): losses[0] is the loss on all
    the data before training, losses[e] the loss after epoch e."""
    runs = load("lesson07_training")["runs"]
    if (learning_rate, batch_size) not in runs:
        raise ValueError(f"no stored run for learning rate {learning_rate} and batch size "
                         f"{batch_size}: the learning rate is one of {RATE_CHOICES}, the batch "
                         f"size one of {BATCH_SIZES}")
    return runs[learning_rate, batch_size]


def accuracy(params, X, Y):
    """Fraction of examples on the right side of 0.5."""
    return float(np.mean((network_forward(params, X) > 0.5) == (Y > 0.5)))


def plot_dataset(X, Y, params=None, ax=None, title="the data"):
    """The examples (colour = target), over the network's output as a shaded background if given."""
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(4.6, 4))
    if params is not None:
        grid = np.linspace(-3.2, 3.2, 121)
        g1, g2 = np.meshgrid(grid, grid)
        out = network_forward(params, np.column_stack([g1.ravel(), g2.ravel()])).reshape(g1.shape)
        ax.contourf(g1, g2, out, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.35)
        ax.contour(g1, g2, out, levels=[0.5], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=Y[:, 0], cmap="coolwarm", vmin=0, vmax=1, edgecolors="k", s=30)
    ax.set_xlim(-3.2, 3.2)
    ax.set_ylim(-3.2, 3.2)
    ax.set_xlabel("input 1")
    ax.set_ylabel("input 2")
    ax.set_title(title)
    if own:
        fig.tight_layout()
        return fig
    return ax.figure


def plot_before_after(X, Y, before, after):
    """The network's output over the input plane before and after training."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    plot_dataset(X, Y, before, axes[0], f"before: loss {network_loss(before, X, Y):.4f}")
    plot_dataset(X, Y, after, axes[1], f"after: loss {network_loss(after, X, Y):.4f}")
    fig.tight_layout()
    return fig


def plot_loss_curves(runs):
    """Loss per epoch for each labelled run: {label: losses}."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for label, losses in runs.items():
        ax.plot(losses, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss on all examples")
    ax.set_ylim(0, None)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_training(learning_rate=LEARNING_RATE, batch_size=8):
    """One training run (training_run): loss curve and the trained network's output (what the
    widget shows)."""
    X, Y, _ = toy_problem()
    trained, losses = training_run(learning_rate, batch_size)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.8))
    left.plot(losses, color="C0")
    left.set_xlabel("epoch")
    left.set_ylabel("loss on all examples")
    left.set_ylim(0, max(0.15, 1.05 * float(np.nanmax(losses[np.isfinite(losses)]))))
    steps = EPOCHS * batch_count(len(X), batch_size)
    left.set_title(f"learning rate {learning_rate:.3g}, batch size {batch_size}: {steps} steps")
    plot_dataset(X, Y, trained, right, f"after: loss {losses[-1]:.4f}, "
                                       f"accuracy {accuracy(trained, X, Y):.0%}")
    fig.tight_layout()
    return fig


def predicted_seconds(sizes, seconds_per_pass):
    """One numerical gradient's time: the forward passes it needs (2 per knob) x one pass's time."""
    return nudging_passes(sizes) * seconds_per_pass


def print_measured():
    """The pre-measured table, with the forward-pass count and the predicted gradient time."""
    print(f"{'network':>16} {'knobs':>7} {'passes':>7} {'one pass':>9} {'predicted':>10} {'measured':>9}")
    for sizes, forward, gradient in MEASURED:
        shown = f"{gradient:.4f}s" if gradient is not None else "-"
        print(f"{'-'.join(map(str, sizes)):>16} {knob_count(sizes):>7,} {nudging_passes(sizes):>7,} "
              f"{forward * 1e6:>7.0f}us {predicted_seconds(sizes, forward):>9.4f}s {shown:>9}")


def fitted_exponent():
    """The power p in seconds ~ knobs^p, fitted (least squares on log-log) to the measured gradients."""
    measured = [(knob_count(sizes), gradient) for sizes, _, gradient in MEASURED if gradient is not None]
    knobs, seconds = np.log(np.array(measured, dtype=float)).T
    return float(np.polyfit(knobs, seconds, 1)[0])


def plot_measured():
    """Seconds per numerical gradient against knobs (log-log): measured points, the prediction,
    and reference lines of slope 1 (time in proportion to the knobs) and 2 (to their square)."""
    knobs = np.array([knob_count(s) for s, _, _ in MEASURED])
    predicted = np.array([predicted_seconds(s, f) for s, f, _ in MEASURED])
    measured = [(k, g) for k, (_, _, g) in zip(knobs, MEASURED) if g is not None]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    k0, t0 = measured[0]
    line = np.geomspace(knobs[0], knobs[-1], 50)
    ax.loglog(line, t0 * (line / k0), ":", color="C2", label="slope 1: time in proportion to knobs")
    ax.loglog(line, t0 * (line / k0) ** 2, ":", color="C1", label="slope 2: time with knobs squared")
    ax.loglog(knobs, predicted, "--", color="0.5", label="predicted: 2 x knobs x one forward pass")
    ax.loglog(*zip(*measured), "o", color="C0",
              label=f"measured (fitted slope {fitted_exponent():.2f})")
    ax.loglog(knobs[-1:], predicted[-1:], "*", color="C3", ms=14, label="784-16-16-10 (predicted)")
    for (sizes, _, _), k, p in zip(MEASURED, knobs, predicted):
        ax.annotate("-".join(map(str, sizes)), (k, p), textcoords="offset points", xytext=(6, -12),
                    fontsize=7, ha="left", va="top")
    ax.set_xlim(knobs[0] / 2, knobs[-1] * 6)
    ax.set_ylim(predicted[0] / 3, 100)
    ax.set_xlabel("knobs")
    ax.set_ylabel("seconds per gradient (batch of 32)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def time_numerical_gradient(sizes, batch=32, seed=0):
    """Wall-clock seconds for one forward pass and one numerical gradient of a fresh network."""
    rng = np.random.default_rng(seed)
    params = init_params(sizes, seed=seed)
    X, Y = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    def loss(p):
        return network_loss(p, X, Y)

    start = time.perf_counter()
    for _ in range(200):
        loss(params)
    forward = (time.perf_counter() - start) / 200
    start = time.perf_counter()
    numerical_gradient(loss, params, 1e-5, together=1)  # one knob per loss call, as exercise 5 does
    return forward, time.perf_counter() - start


def training_explorer(learning_rate=LEARNING_RATE, batch_size=8):
    """Sliders for the learning rate and the batch size; the loss curve and the trained network."""
    style = {"description_width": "initial"}
    controls = {
        "rate": widgets.SelectionSlider(options=list(RATE_CHOICES), value=learning_rate,
                                        description="learning rate", style=style),
        "size": widgets.SelectionSlider(options=list(BATCH_SIZES), value=batch_size,
                                        description="batch size", style=style),
    }
    return explorer(controls, lambda values: plot_training(values["rate"], values["size"]), readout=False)
