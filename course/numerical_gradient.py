"""Lesson 5's plots and widget: nudging every knob of the toy network.

Each plot function returns the matplotlib Figure it made; the widget redraws one of them.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from autograder.reference import numerical_gradient as ref
from course.gradcheck import PASS_LINE
from course.widgets import figure_png

TOY_X, TOY_Y = ref.TOY_X, ref.TOY_Y
toy_params = ref.toy_params
network_forward, network_loss = ref.network_forward, ref.network_loss
numerical_gradient, relative_error = ref.numerical_gradient, ref.relative_error
max_relative_error, count_knobs, init_params = ref.max_relative_error, ref.count_knobs, ref.init_params

THRESHOLD = PASS_LINE


def toy_loss(params):
    """The toy network's loss on the lesson's four examples (a function of the parameters only)."""
    return network_loss(params, TOY_X, TOY_Y)


def knob_names(params):
    """Every knob as (array name, index), in the order numerical_gradient visits them."""
    return [(name, index) for name, p in params.items() for index in np.ndindex(p.shape)]


def knob_label(name, index):
    return f"{name}[{', '.join(map(str, index))}]"


def print_gradient(grads, digits=6):
    """One line per knob: its name and its slope."""
    for name, index in knob_names(grads):
        print(f"{knob_label(name, index):>9}: {grads[name][index]:+.{digits}f}")


def slopes_at(loss_fn, params, name, index, h):
    """Forward and central difference estimates of one knob's slope (params restored)."""
    p = params[name]
    saved = p[index]
    base = loss_fn(params)
    p[index] = saved + h
    plus = loss_fn(params)
    p[index] = saved - h
    minus = loss_fn(params)
    p[index] = saved
    return (plus - base) / h, (plus - minus) / (2 * h)


def plot_gradient_bars(grads, title="the slope of the loss for every knob"):
    """A bar per knob: how much the loss rises per unit the knob is raised."""
    knobs = knob_names(grads)
    values = [grads[name][index] for name, index in knobs]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    colours = ["C3" if v > 0 else "C0" for v in values]
    ax.bar(range(len(values)), values, color=colours)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xticks(range(len(values)), [knob_label(*k) for k in knobs], rotation=60, fontsize=8)
    ax.set_ylabel("slope of the loss")
    ax.set_title(f"{title} (red: raising it raises the loss)")
    fig.tight_layout()
    return fig


def plot_knob_slice(loss_fn, params, name, index, h=0.3, width=1.5):
    """The loss as one knob moves (others fixed), with the forward and central secant lines."""
    p = params[name]
    x0 = float(p[index])
    xs = np.linspace(x0 - width, x0 + width, 201)
    losses = []
    for x in xs:
        p[index] = x
        losses.append(loss_fn(params))
    p[index] = x0
    forward, central = slopes_at(loss_fn, params, name, index, h)
    base = loss_fn(params)
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.plot(xs, losses, color="k", lw=1.5, label="loss as this knob moves")
    line = np.array([x0 - width / 2, x0 + width / 2])
    ax.plot(line, base + forward * (line - x0), "--", color="C1",
            label=f"forward difference: slope {forward:+.5f}")
    ax.plot(line, base + central * (line - x0), "-", color="C2",
            label=f"central difference: slope {central:+.5f}")
    for x, colour in [(x0 - h, "C2"), (x0 + h, "C2")]:
        p[index] = x
        ax.plot([x], [loss_fn(params)], "o", color=colour)
    p[index] = x0
    ax.plot([x0], [base], "ko")
    ax.set_xlabel(f"value of {knob_label(name, index)} (now {x0:.4f})")
    ax.set_ylabel("loss")
    ax.set_title(f"nudging {knob_label(name, index)} by h = {h:g}")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def plot_relative_errors(reference, estimates, threshold=THRESHOLD):
    """Each knob's relative error against `reference`, one marker style per estimate, log scale."""
    knobs = knob_names(reference)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for (label, grads), marker in zip(estimates.items(), "os^v"):
        errors = [relative_error(np.array(reference[n][i]), np.array(grads[n][i])) for n, i in knobs]
        ax.semilogy(range(len(knobs)), np.maximum(errors, 1e-13), marker, label=label)
    ax.axhline(threshold, color="C3", ls="--", label=f"pass line: {threshold:g}")
    ax.set_xticks(range(len(knobs)), [knob_label(*k) for k in knobs], rotation=60, fontsize=8)
    ax.set_ylabel("relative error")
    ax.set_ylim(1e-13, 10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    return fig


def cost_table(layer_sizes):
    """For each network, its knob count and the forward passes one numerical gradient takes."""
    rows = []
    for sizes in layer_sizes:
        knobs = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        rows.append(("-".join(map(str, sizes)), knobs, 2 * knobs))
    return rows


def print_cost_table(layer_sizes):
    print(f"{'network':>16} {'knobs':>9} {'forward passes per gradient':>29}")
    for name, knobs, passes in cost_table(layer_sizes):
        print(f"{name:>16} {knobs:>9,} {passes:>29,}")


def plot_cost(layer_sizes):
    """Forward passes per numerical gradient against the number of knobs (log-log)."""
    rows = cost_table(layer_sizes)
    fig, ax = plt.subplots(figsize=(6, 3.8))
    knobs = np.array([r[1] for r in rows])
    ax.loglog(knobs, 2 * knobs, "o-", color="C0")
    for name, k, passes in rows:
        ax.annotate(name, (k, passes), textcoords="offset points", xytext=(6, -10), fontsize=8)
    ax.set_xlabel("knobs (weights and biases)")
    ax.set_ylabel("forward passes for one gradient")
    ax.set_title("two forward passes per knob")
    fig.tight_layout()
    return fig


class CountingLoss:
    """Wraps a loss function and counts how often it is called (each call is one forward pass)."""

    def __init__(self, loss_fn):
        self.loss_fn = loss_fn
        self.calls = 0

    def __call__(self, params):
        self.calls += 1
        return self.loss_fn(params)


def knob_explorer(loss_fn=toy_loss, params=None):
    """Pick a knob and a step size h; see the loss along that knob and both slope estimates."""
    params = toy_params() if params is None else params
    options = [(knob_label(n, i), (n, i)) for n, i in knob_names(params)]
    knob = widgets.Dropdown(options=options, value=options[0][1], description="knob")
    log_h = widgets.FloatSlider(value=-0.5, min=-8, max=0, step=0.5, description="log10(h)")
    readout = widgets.HTML()
    picture = widgets.Image(format="png")

    def redraw(_change=None):
        name, index = knob.value
        h = 10.0 ** log_h.value
        forward, central = slopes_at(loss_fn, params, name, index, h)
        _, precise = slopes_at(loss_fn, params, name, index, 1e-5)
        readout.value = (f"h = {h:.1e}: forward {forward:+.8f}, central {central:+.8f}; "
                         f"relative error against central at h = 1e-5: forward "
                         f"{float(relative_error(np.array(forward), np.array(precise))):.1e}, "
                         f"central {float(relative_error(np.array(central), np.array(precise))):.1e}")
        picture.value = figure_png(plot_knob_slice(loss_fn, params, name, index, h=max(h, 1e-3)))

    knob.observe(redraw, names="value")
    log_h.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([knob, log_h]), readout, picture])
