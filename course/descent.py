"""Lesson 6's plots and widget: gradient descent on one knob and on a two-knob bowl.

Each plot function returns the matplotlib Figure it made; the widget redraws one of them.
The runs are drawn from the bowl's exact path: along each knob, every step multiplies the distance
to the bottom by the same factor (lesson section "Why a step can overshoot"). What exercise 6's
functions return on the lesson's own numbers is stored with the course (`results()`).
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course.stored import load
from course.widgets import explorer

# The lesson's two-knob bowl: gentle along knob 1, steep along knob 2, bottom at (2, 1).
BOWL_A = np.array([0.5, 4.0])
BOWL_C = np.array([2.0, 1.0])
START = np.array([-2.0, 2.5])
RATES = {"too small": 0.02, "about right": 0.2, "too large": 0.27}


def results():
    """What exercise 6's functions return on the lesson's numbers: "one_knob_history" (the run of
    5 steps at learning rate 0.1 from 0 on (w - 3)^2), "start_loss" and "start_gradient" (the
    bowl at START), "step_factors" ({RATES label: one factor per knob})."""
    return load("lesson06_descent")


def exact_path(learning_rate, steps, a=BOWL_A, c=BOWL_C, start=START):
    """Where descent on the bowl sum_i a_i (theta_i - c_i)^2 stands after 0, 1, ..., steps steps,
    from the closed form theta_t = c + factor^t (start - c), with factor = 1 - 2 a lr per knob.

    Returns (path of shape (steps + 1, k), factors of shape (k,))."""
    factors = 1.0 - 2.0 * np.asarray(a) * learning_rate
    t = np.arange(steps + 1)[:, None]
    return c + factors ** t * (np.asarray(start, dtype=float) - c), factors


def run(learning_rate, steps=30, start=START):
    """Path and losses of a run on the lesson's bowl: loss_t = sum_i a_i (factor_i^t d_i)^2,
    with d the start's distance to the bottom."""
    path, factors = exact_path(learning_rate, steps, start=start)
    t = np.arange(steps + 1)[:, None]
    return path, (BOWL_A * (factors ** t * (start - BOWL_C)) ** 2).sum(axis=1)


def verdict(losses):
    """A one-word judgement of a run from its losses: a bowl's loss only rises once a knob
    overshoots further each step, so a last step that raised it means the run diverges."""
    rose = losses[-1] > losses[0] or (len(losses) > 1 and losses[-1] > losses[-2])
    if not np.all(np.isfinite(losses)) or rose:
        return "diverges"
    if losses[-1] > 0.01 * losses[0]:
        return "too slow"
    return "converges"


def compare_with_lesson(learning_rate, steps, history, losses, factors):
    """Whether a learner's run of `steps` steps on the bowl from START (minimise's history,
    losses_along's losses, step_factor's factors) is the run lesson 6 shows: the same losses at
    every step as the closed form, and each step scaling the distance to the bottom by the
    factors. A sentence."""
    history, losses, factors = (np.asarray(v, dtype=float) for v in (history, losses, factors))
    _, expected = run(learning_rate, steps=steps)
    same_losses = losses.shape == expected.shape and np.allclose(losses, expected, rtol=1e-9, atol=1e-12)
    same_steps = (history.ndim == 2 and len(history) > 2 and factors.shape == BOWL_A.shape
                  and np.allclose((history[1] - BOWL_C) * factors, history[2] - BOWL_C, rtol=1e-9, atol=1e-12))
    if same_losses and same_steps:
        return "as in lesson 6"
    wrong = [what for what, ok in (("the losses", same_losses), ("the factors", same_steps)) if not ok]
    return f"NOT what lesson 6 shows ({' and '.join(wrong)} differ): look again"


def print_walk(w0=0.0, learning_rate=0.1, steps=5, bottom=3.0):
    """The one-knob walk on L(w) = (w - bottom)^2 as a table: each row's w, loss, slope, and the
    move -learning_rate * slope that takes w to the next row (on the last row: the next step's)."""
    w = w0
    print(f"{'step':>4} {'w':>9} {'loss':>9} {'slope':>9} {'next move':>10}")
    for t in range(steps + 1):
        loss, slope = (w - bottom) ** 2, 2 * (w - bottom)
        move = -learning_rate * slope
        print(f"{t:>4} {w:>9.4f} {loss:>9.4f} {slope:>9.4f} {move:>+10.4f}")
        w = w + move


def plot_one_knob(w0=0.0, learning_rate=0.1, steps=5, bottom=3.0):
    """The parabola L(w) = (w - bottom)^2 with the points a descent run visits."""
    ws = exact_path(learning_rate, steps, np.array([1.0]), np.array([bottom]), np.array([w0]))[0][:, 0]
    grid = np.linspace(min(ws.min(), bottom - 3.5), max(ws.max(), bottom + 3.5), 300)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(grid, (grid - bottom) ** 2, color="0.3")
    ax.plot(ws, (ws - bottom) ** 2, "o-", color="C3", ms=5, label=f"learning rate {learning_rate}")
    for t, w in enumerate(ws[:3]):
        ax.annotate(f"step {t}", (w, (w - bottom) ** 2), textcoords="offset points", xytext=(6, 4),
                    fontsize=8)
    ax.set_xlabel("knob w")
    ax.set_ylabel(f"loss (w - {bottom:g})^2")
    ax.legend()
    fig.tight_layout()
    return fig


def _contours(ax, extent=(-3.5, 4.5, -1.5, 3.5)):
    w1 = np.linspace(extent[0], extent[1], 161)
    w2 = np.linspace(extent[2], extent[3], 121)
    g1, g2 = np.meshgrid(w1, w2)
    loss = BOWL_A[0] * (g1 - BOWL_C[0]) ** 2 + BOWL_A[1] * (g2 - BOWL_C[1]) ** 2
    ax.contour(g1, g2, loss, levels=[0.25, 1, 2.5, 5, 10, 17, 30, 50], colors="0.7", linewidths=0.8)
    ax.plot(*BOWL_C, "k+", ms=12)
    ax.set_xlim(extent[:2])
    ax.set_ylim(extent[2:])
    ax.set_xlabel("knob 1")
    ax.set_ylabel("knob 2")


def _draw_path(ax, history, colour):
    shown = history[np.all(np.abs(history) < 50, axis=1)]
    ax.plot(shown[:, 0], shown[:, 1], "o-", color=colour, ms=3, lw=1)
    ax.plot(*history[0], "s", color=colour, ms=6)


def plot_bowl(learning_rate=0.05, steps=30):
    """The two-knob bowl as contour lines (same loss along each line) and one run across it."""
    history, losses = run(learning_rate, steps)
    fig, ax = plt.subplots(figsize=(6, 4))
    _contours(ax)
    _draw_path(ax, history, "C0")
    ax.set_title(f"learning rate {learning_rate}: loss {losses[0]:.1f} -> {losses[-1]:.4f} "
                 f"in {steps} steps")
    fig.tight_layout()
    return fig


def plot_learning_rates(rates=RATES, steps=30):
    """One contour panel per learning rate, and every run's loss curve (log scale) on the right."""
    fig, axes = plt.subplots(1, len(rates) + 1, figsize=(4 * (len(rates) + 1), 3.6))
    for (label, lr), ax, colour in zip(rates.items(), axes, ["C0", "C2", "C3"]):
        history, losses = run(lr, steps)
        _contours(ax)
        _draw_path(ax, history, colour)
        ax.set_title(f"{label}: learning rate {lr}")
        axes[-1].semilogy(losses, color=colour, label=f"{lr} ({verdict(losses)})")
    axes[-1].set_xlabel("step")
    axes[-1].set_ylabel("loss (log scale)")
    axes[-1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_run(learning_rate, steps=30):
    """One run: the path on the contour plot and its loss curve (what the widget shows)."""
    history, losses = run(learning_rate, steps)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    _contours(left)
    _draw_path(left, history, "C3")
    left.set_title(f"learning rate {learning_rate:.3g}: {verdict(losses)}")
    right.semilogy(losses, "o-", ms=3, color="C3")
    right.set_xlabel("step")
    right.set_ylabel("loss (log scale)")
    right.set_title(f"loss after {steps} steps: {losses[-1]:.3g}")
    fig.tight_layout()
    return fig


def plot_step_factors(a=BOWL_A, max_rate=0.3):
    """1 - 2 a lr against the learning rate, per knob; outside the band [-1, 1] a run diverges."""
    lrs = np.linspace(0, max_rate, 301)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.axhspan(-1, 1, color="C2", alpha=0.12, label="|factor| < 1: gets closer")
    for i, ai in enumerate(a):
        ax.plot(lrs, 1 - 2 * ai * lrs, label=f"knob {i + 1} (a = {ai:g})")
    for label, lr in RATES.items():
        ax.axvline(lr, color="0.6", ls=":", lw=1)
        ax.text(lr, 1.25, label, rotation=90, fontsize=8, va="bottom", ha="right")
    ax.set_ylim(-1.6, 1.6)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("distance factor per step")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def learning_rate_explorer(learning_rate=0.05, steps=30):
    """A learning-rate slider (log scale) and a steps slider over the two-knob bowl."""
    style = {"description_width": "initial"}
    controls = {
        "rate": widgets.FloatLogSlider(value=learning_rate, base=10, min=-2.5, max=-0.45, step=0.05,
                                       description="learning rate", readout_format=".3f", style=style),
        "steps": widgets.IntSlider(value=steps, min=1, max=150, description="steps", style=style),
    }

    def draw(values):
        _, losses = run(values["rate"], values["steps"])
        factors = exact_path(values["rate"], 0)[1]
        return ((f"distance factors per step: knob 1 {factors[0]:+.3f}, knob 2 "
                 f"{factors[1]:+.3f}; loss {losses[0]:.1f} &rarr; {losses[-1]:.3g}: "
                 f"<b>{verdict(losses)}</b>"), plot_run(values["rate"], values["steps"]))

    return explorer(controls, draw)
