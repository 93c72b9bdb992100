"""Lesson 5's toy network, plots and widget: nudging every knob of the toy network.

The toy problem (TOY_X, TOY_Y, toy_params, from course.problems) is handed out here, to exercise
5 too. The network's forward pass, loss and numerical gradient come from course.given, which
computes them another way than exercise 5 asks for (every nudged network at once). Each plot
function returns the matplotlib Figure it made; the widget redraws one of them. The gradient
check (relative error, tiny, pass line) is course.gradcheck's, and every cost figure is
course.costs's.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course import costs, given, gradcheck
from course.gradcheck import PASS_LINE, WRONG_LINE
from course.problems import TOY_X, TOY_Y, toy_params
from course.stored import load
from course.widgets import explorer


def toy_loss(params):
    """The toy network's loss (lesson 3's cost) on the lesson's four examples, a function of the
    parameters only."""
    return given.network_loss(params, TOY_X, TOY_Y)


def plain_mean_loss(params):
    """The other convention: the plain mean of the squared errors, no half (scikit-learn's
    mean_squared_error, PyTorch's MSELoss). With one output it is exactly twice the course's cost."""
    return float(np.mean((given.network_forward(params, TOY_X) - TOY_Y) ** 2))


def toy_exact_gradient():
    """The exact slope of toy_loss at toy_params() for every knob, {name: array of its shape}.

    Computed by backpropagation (lesson 9 derives it) and stored with the course: lesson 5 uses
    it only as a far more precise yardstick than any nudge."""
    return load("lesson05_toy_gradient")


def knob_names(params):
    """Every knob as (array name, index), in the order numerical_gradient visits them."""
    return [(name, index) for name, p in params.items() for index in np.ndindex(p.shape)]


def knob_label(name, index):
    return f"{name}[{', '.join(map(str, index))}]"


def as_vector(grads):
    """Every knob's value (or slope) in knob_names order, as one flat array: two gradients side
    by side, or all of a network's knobs in one vector."""
    return np.array([grads[name][index] for name, index in knob_names(grads)])


def from_vector(vector, like):
    """The other way round: a dict shaped like `like`, its entries taken from `vector` in
    knob_names order (new arrays; `like` is not changed)."""
    arrays = {name: np.zeros(np.shape(p)) for name, p in like.items()}
    for value, (name, index) in zip(vector, knob_names(like), strict=True):
        arrays[name][index] = value
    return arrays


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


def forward_difference_gradient(loss_fn, params, h):
    """Forward differences (L(x + h) - L(x)) / h for every knob, shaped like params."""
    grads = {name: np.zeros_like(p) for name, p in params.items()}
    for name, index in knob_names(params):
        grads[name][index] = slopes_at(loss_fn, params, name, index, h)[0]
    return grads


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


def plot_knob_slice(loss_fn, params, name, index, h=0.3, width=1.5, exact=None):
    """The loss as one knob moves (others fixed), with the forward and central secant lines
    drawn through the current value, and the exact slope there if it is given."""
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
    if exact is not None:
        ax.plot(line, base + exact * (line - x0), ":", color="k", lw=1.2,
                label=f"exact slope at the black dot: {exact:+.5f}")
    ax.plot(line, base + forward * (line - x0), "--", color="C1",
            label=f"forward difference: slope {forward:+.5f}")
    ax.plot(line, base + central * (line - x0), "-", color="C2",
            label=f"central difference: slope {central:+.5f}")
    for x in (x0 - h, x0 + h):
        p[index] = x
        ax.plot([x], [loss_fn(params)], "o", color="C2")
    p[index] = x0
    ax.plot([x0], [base], "ko")
    ax.set_xlabel(f"value of {knob_label(name, index)} (now {x0:.4f})")
    ax.set_ylabel("loss")
    ax.set_title(f"nudging {knob_label(name, index)} by h = {h:g}")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def plot_relative_errors(reference, estimates, pass_line=PASS_LINE):
    """Each knob's relative error against `reference`, one marker style per estimate, log scale."""
    knobs = knob_names(reference)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for (label, grads), marker in zip(estimates.items(), "os^v"):
        errors = [gradcheck.number_relative_error(reference[n][i], grads[n][i]) for n, i in knobs]
        ax.semilogy(range(len(knobs)), np.maximum(errors, 1e-13), marker, label=label)
    ax.axhline(pass_line, color="C3", ls="--", label=f"pass line (lesson 4): {pass_line:g}")
    ax.axhline(WRONG_LINE, color="0.3", ls=":", label=f"wrong line (lesson 4): {WRONG_LINE:g}")
    ax.set_xticks(range(len(knobs)), [knob_label(*k) for k in knobs], rotation=60, fontsize=8)
    ax.set_ylabel("relative error")
    ax.set_ylim(1e-13, 10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    return fig


def network_name(sizes):
    return "-".join(map(str, sizes))


def print_cost_table(layer_sizes):
    """Per network: knobs, forward passes for one gradient by nudging, and backprop's cost."""
    print(f"{'network':>14} {'knobs':>8} {'forward passes':>15} {'backprop, in':>15}")
    print(f"{'':>14} {'':>8} {'by nudging':>15} {'forward passes':>15}")
    for sizes in layer_sizes:
        print(f"{network_name(sizes):>14} {costs.knob_count(sizes):>8,} "
              f"{costs.nudging_passes(sizes):>15,} {costs.backprop_passes(sizes):>15.2f}")


def multiply_adds_per_pass(sizes):
    """Multiply-adds in one forward pass, per example: one per weight."""
    return sum(d_in * d_out for d_in, d_out in zip(sizes[:-1], sizes[1:]))


def fitted_exponent(x, y):
    """The slope of the straight line that fits log y against log x best: y grows like x ** slope."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def growth(layer_sizes):
    """Three ways to measure the price of one numerical gradient, against the knob count.

    Returns {label: (knobs, values)}. The last is the course's stored stopwatch table
    (course.training.MEASURED, measured once with a batch of 32; lesson 7 shows it), so no
    wall-clock time is taken here."""
    from course.training import MEASURED
    knobs = np.array([costs.knob_count(s) for s in layer_sizes])
    passes = np.array([costs.nudging_passes(s) for s in layer_sizes])
    arithmetic = passes * np.array([multiply_adds_per_pass(s) for s in layer_sizes])
    timed = [(costs.knob_count(s), seconds) for s, _, seconds in MEASURED if seconds is not None]
    return {"forward passes per gradient": (knobs, passes),
            "multiply-adds per gradient, per example": (knobs, arithmetic),
            "seconds per gradient, measured (lesson 7)": tuple(map(np.array, zip(*timed)))}


def print_growth(layer_sizes):
    """The fitted exponent of each measure of the price (it grows like knobs ** exponent), and
    how much longer one forward pass took for the largest timed network than for the smallest."""
    from course.training import MEASURED
    for label, (knobs, values) in growth(layer_sizes).items():
        print(f"{label:<42} grows like knobs ** {fitted_exponent(knobs, values):.2f} "
              f"({knobs.min():,} to {knobs.max():,} knobs)")
    timed = [(sizes, one_pass) for sizes, one_pass, seconds in MEASURED if seconds is not None]
    (small, small_pass), (big, big_pass) = timed[0], timed[-1]
    print(f"one forward pass (lesson 7's table): {network_name(big)} has "
          f"{costs.knob_count(big) / costs.knob_count(small):.0f} times the knobs of "
          f"{network_name(small)} and took {big_pass / small_pass:.1f} times as long")


def plot_cost(layer_sizes):
    """The three measures of growth(), log-log: the course's numbers as dots, beside reference
    lines of slope 1 and slope 2 drawn from the smallest network."""
    fig, axes = plt.subplots(1, 3, figsize=(11, 4))
    for ax, (label, (knobs, values)) in zip(axes, growth(layer_sizes).items()):
        guide = np.geomspace(knobs.min(), knobs.max(), 2)
        for slope, style, colour in [(1, ":", "C2"), (2, "--", "C3")]:
            ax.loglog(guide, values[0] * (guide / knobs[0]) ** slope, style, color=colour, lw=1.8,
                      label=f"slope {slope}: x{10 ** slope} per x10 knobs")
        ax.loglog(knobs, values, "o", color="C0", ms=7, label="this course's numbers")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("knobs (weights and biases)")
        ax.set_xlim(knobs.min() / 3, knobs.max() * 4)
        low, high = values.min(), values[0] * (knobs.max() / knobs[0]) ** 2
        ax.set_ylim(low / 10, high * 30)
        ax.legend(fontsize=7, loc="upper left")
    rows = list(zip(layer_sizes, *growth(layer_sizes)["forward passes per gradient"]))
    for number, (sizes, k, v) in enumerate(rows):
        last = number == len(rows) - 1  # the last label goes to the left, inside the axes
        axes[0].annotate(network_name(sizes), (k, v), textcoords="offset points",
                         xytext=(-6, 5) if last else (5, -4), fontsize=7,
                         ha="right" if last else "left", va="bottom" if last else "top")
    fig.tight_layout()
    return fig


class CountingLoss:
    """Wraps a loss function and counts the forward passes it makes: one per call, or one per
    network when it is handed a stack of them (course.given's numerical_gradient does that)."""

    def __init__(self, loss_fn):
        self.loss_fn = loss_fn
        self.calls = 0

    def __call__(self, params):
        losses = self.loss_fn(params)
        self.calls += np.size(losses)  # a stack of networks is one forward pass each
        return losses


def knob_explorer():
    """Pick a knob of the toy network and a step size h; see the loss along that knob and both
    slope estimates, each judged against the exact slope (toy_exact_gradient())."""
    loss_fn, params, exact = toy_loss, toy_params(), toy_exact_gradient()
    options = [(knob_label(n, i), (n, i)) for n, i in knob_names(params)]
    controls = {"knob": widgets.Dropdown(options=options, value=options[0][1], description="knob"),
                "log_h": widgets.FloatSlider(value=-0.5, min=-11, max=0, step=0.5, description="log10(h)")}

    def draw(values):
        name, index = values["knob"]
        h = 10.0 ** values["log_h"]
        forward, central = slopes_at(loss_fn, params, name, index, h)
        true = exact[name][index]
        return ((f"h = {h:.1e}: forward {forward:+.10f}, central {central:+.10f}, "
                 f"exact {true:+.10f}; relative error against the exact slope: forward "
                 f"{gradcheck.number_relative_error(forward, true):.1e}, "
                 f"central {gradcheck.number_relative_error(central, true):.1e}"
                 + ("<br>(the picture draws h = 0.001: a smaller step would be invisible)"
                    if h < 1e-3 else "")),
                plot_knob_slice(loss_fn, params, name, index, h=max(h, 1e-3), exact=true))

    return explorer(controls, draw)
