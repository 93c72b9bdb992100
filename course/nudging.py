"""Plots and a widget for lesson 4 (slopes by nudging). Each function that draws returns its Figure."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course.given import sigmoid, sigmoid_prime
from course.stored import load
from course.widgets import explorer

X0 = 1.0  # the point whose slope the lesson estimates: sigmoid'(1) = 0.196612...


def chord_slope(f, a, b):
    """The slope of the straight line through the curve's points (a, f(a)) and (b, f(b))."""
    return float((f(np.array(b)) - f(np.array(a))) / (b - a))


def plot_secants(h=0.5, x0=X0):
    """The sigmoid near x0 with its tangent (the true slope) and the two nudging estimates:
    the forward secant through x0 and x0 + h, and the central one through x0 - h and x0 + h."""
    f, slope = sigmoid, float(sigmoid_prime(x0))
    z = np.linspace(x0 - 2.5, x0 + 2.5, 300)
    forward, central = chord_slope(f, x0, x0 + h), chord_slope(f, x0 - h, x0 + h)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(z, f(z), color="0.2", lw=2, label="sigmoid")
    span = np.array([x0 - 2.0, x0 + 2.0])
    y0 = float(f(x0))
    ax.plot(span, y0 + slope * (span - x0), color="C2", lw=1.5,
            label=f"true slope     {slope:.6f}")
    ax.plot(span, y0 + forward * (span - x0), "--", color="C0",
            label=f"forward, h = {h:.3g}: {forward:.6f}")
    ax.plot(span, float(f(x0 - h)) + central * (span - (x0 - h)), ":", color="C3", lw=2,
            label=f"central, h = {h:.3g}: {central:.6f}")
    ax.plot([x0, x0 + h], [y0, float(f(x0 + h))], "o", color="C0")
    ax.plot([x0 - h, x0 + h], [float(f(x0 - h)), float(f(x0 + h))], "s", color="C3", mfc="none")
    ax.set_xlim(z[0], z[-1])
    ax.set_ylim(-0.05, 1.1)
    ax.set_xlabel("z")
    ax.set_ylabel("sigmoid(z)")
    ax.set_title(f"estimating the slope of the sigmoid at z = {x0:g}")
    ax.legend(loc="lower right", fontsize=9, prop={"family": "monospace", "size": 8})
    fig.tight_layout()
    return fig


def secant_explorer(h=0.5, x0=X0):
    """A slider for log10(h); the secant picture and the two estimates' errors follow it."""
    slider = widgets.FloatSlider(value=float(np.log10(h)), min=-2.0, max=0.3, step=0.05,
                                 description="log10(h)", style={"description_width": "initial"})
    exact = float(sigmoid_prime(x0))

    def draw(values):
        step = 10.0 ** values["log10(h)"]
        forward = chord_slope(sigmoid, x0, x0 + step)
        central = chord_slope(sigmoid, x0 - step, x0 + step)
        return (f"h = {step:.4g}: forward error <b>{abs(forward - exact):.2e}</b>, "
                f"central error <b>{abs(central - exact):.2e}</b>"), plot_secants(step, x0)

    return explorer({"log10(h)": slider}, draw)


def stored_errors_at(h):
    """(forward error, central error) of the slope estimates of sigmoid'(1) at the nudge h, read
    from the points plot_error_vs_h draws (h must be one of them: a power of ten from 1e-14 to 1
    is)."""
    errors = load("lesson04_error_vs_h")
    k = int(np.argmin(np.abs(np.log10(errors["hs"]) - np.log10(h))))
    if not np.isclose(errors["hs"][k], h, rtol=1e-9):
        raise ValueError(f"h = {h:g} is not one of the plotted nudges")
    return float(errors["forward_errors"][k]), float(errors["central_errors"][k])


def plot_error_vs_h():
    """Absolute error of the forward and central estimates of sigmoid'(1) against h, log-log,
    h growing from left to right, with guide lines of slope -1 (round-off) and 1 and 2
    (truncation) drawn just below or above the curves they describe. The errors are stored:
    57 steps h from 1e-14 to 1, each estimate computed as exercise 4's nudging_errors does."""
    errors = load("lesson04_error_vs_h")
    x0, hs, forward, central = (errors[key] for key in ("x0", "hs", "forward_errors", "central_errors"))
    floor = 1e-18  # errors of exactly 0 cannot be drawn on a log axis
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.loglog(hs, np.maximum(forward, floor), "o-", color="C0", ms=3, label="forward difference")
    ax.loglog(hs, np.maximum(central, floor), "s-", color="C3", ms=3, label="central difference")
    truncation = np.array([1e-4, 0.3])
    ax.loglog(truncation, 0.002 * truncation, "--", color="C0", lw=1.2)
    ax.text(1.5e-4, 1.2e-7, "slope 1", ha="left", va="top", color="C0")
    truncation = np.array([1e-3, 0.3])
    ax.loglog(truncation, 0.0006 * truncation ** 2, "--", color="C3", lw=1.2)
    ax.text(2e-2, 2e-9, "slope 2", ha="left", va="center", color="C3")
    roundoff = np.array([1e-14, 1e-9])
    ax.loglog(roundoff, 1e-16 / roundoff, ":", color="0.3", lw=1.5)
    ax.text(1e-12, 1e-2, "round-off: slope -1", ha="left", va="bottom", color="0.3")
    ax.set_xlabel("nudge size h")
    ax.set_ylabel("|estimate - true slope|")
    ax.set_ylim(1e-13, 1)
    ax.set_title(f"error of the slope estimate of the sigmoid at z = {x0:g}")
    ax.legend(loc="lower left")
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    return fig
