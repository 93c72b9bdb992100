"""Plots and a widget for lesson 3 (loss). Each function that draws returns its Figure."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course.widgets import explorer


def plot_loss_curves():
    """Loss of one prediction p for a target of 1: half squared error against cross-entropy."""
    p = np.linspace(0.001, 1.0, 500)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(p, 0.5 * (p - 1.0) ** 2, label="half squared error  0.5 (p - 1)^2")
    ax.plot(p, -np.log(p), label="cross-entropy  -log p")
    for value in (0.9, 0.5, 0.1):
        ax.plot([value], [-np.log(value)], "o", color="C1")
        ax.annotate(f"p = {value}: {-np.log(value):.2f}", (value, -np.log(value)),
                    textcoords="offset points", xytext=(8, 6), fontsize=9)
    ax.set_xlabel("probability the network gives the right answer, p")
    ax.set_ylabel("loss")
    ax.set_ylim(0, 5)
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


def plot_softmax(z, p, labels=None):
    """Scores z of one example (left) and the probabilities p that softmax made of them (right)."""
    z, p = np.asarray(z, dtype=float), np.asarray(p, dtype=float)
    labels = labels or [f"class {k}" for k in range(len(z))]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    left.bar(labels, z, color="C0")
    left.axhline(0, color="0.6", lw=0.8)
    left.margins(y=0.15)  # room for the value written above the tallest bar
    left.set_title("scores z (any real numbers)")
    right.bar(labels, p, color="C1")
    right.set_ylim(0, 1)
    right.set_title("softmax(z): positive, sum to 1")
    for k, (zk, pk) in enumerate(zip(z, p)):
        left.text(k, zk, f"{zk:g}", ha="center", va="bottom" if zk >= 0 else "top", fontsize=9)
        right.text(k, pk, f"{pk:.3f}", ha="center", va="bottom", fontsize=9)
    fig.tight_layout()
    return fig


def landscape_data(n=20, seed=3):
    """A small seeded data set for the landscape: y = 1.5 x - 0.5 plus noise, x in [-2, 2]."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2, 2, size=n))
    y = 1.5 * x - 0.5 + rng.normal(0, 0.4, size=n)
    return x, y


def landscape_cost(w, b, x, y):
    """MSE cost of the straight line y_hat = w x + b on (x, y); w and b may be grids."""
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    errors = w[..., None] * x + b[..., None] - y
    return 0.5 * np.sum(errors ** 2, axis=-1) / len(x)


def plot_landscape(w=0.0, b=1.0):
    """Left: the data and the line for knobs (w, b). Right: the cost over all (w, b), with
    the chosen point marked. The cost is the height of the landscape at that point."""
    x, y = landscape_data()
    ws, bs = np.meshgrid(np.linspace(-1, 4, 121), np.linspace(-3, 2, 121))
    cost = landscape_cost(ws, bs, x, y)
    here = float(landscape_cost(w, b, x, y))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(x, y, "o", color="0.3", label="examples")
    grid = np.linspace(-2.2, 2.2, 2)
    left.plot(grid, w * grid + b, color="C3", label=f"y_hat = {w:.2f} x {b:+.2f}")
    for xi, yi in zip(x, y):
        left.plot([xi, xi], [yi, w * xi + b], color="C3", lw=0.6, alpha=0.6)
    left.set_xlabel("x")
    left.set_ylabel("y")
    left.set_ylim(-6, 6)
    left.legend(loc="upper left", fontsize=9)
    left.set_title(f"cost = {here:.4f}")
    image = right.contourf(ws, bs, cost, levels=np.geomspace(0.05, 20, 25), cmap="viridis",
                           extend="both", norm=plt.matplotlib.colors.LogNorm())
    right.contour(ws, bs, cost, levels=[0.1, 0.25, 0.5, 1, 2, 4, 8], colors="white",
                  linewidths=0.6)
    best = np.unravel_index(np.argmin(cost), cost.shape)
    right.plot(ws[best], bs[best], "P", color="white", mec="black", markersize=12,
               label="lowest cost on the grid")  # black edge: visible on the legend's white too
    right.plot([w], [b], "r*", markersize=14, label="your knobs", clip_on=False)  # whole at an edge
    right.set_xlabel("knob w (slope)")
    right.set_ylabel("knob b (intercept)")
    # below the axes: inside, it would hide the star wherever the knobs put it
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=9)
    right.set_title("cost over the two knobs")
    bar = fig.colorbar(image, ax=right, label="cost (log colour scale)")
    bar.set_ticks([0.1, 0.3, 1, 3, 10], labels=["0.1", "0.3", "1", "3", "10"])
    fig.tight_layout()
    return fig


def landscape_explorer(w=0.0, b=1.0):
    """Sliders for the two knobs of the straight-line model; the read-out and picture follow."""
    style = {"description_width": "initial"}
    controls = {
        "w": widgets.FloatSlider(value=w, min=-1, max=4, step=0.05, description="knob w", style=style),
        "b": widgets.FloatSlider(value=b, min=-3, max=2, step=0.05, description="knob b", style=style),
    }
    x, y = landscape_data()

    def draw(values):
        vw, vb = values["w"], values["b"]
        cost = float(landscape_cost(vw, vb, x, y))
        return (f"y_hat = {vw:.2f} x {vb:+.2f}: cost over {len(x)} examples <b>{cost:.4f}</b>",
                plot_landscape(vw, vb))

    return explorer(controls, draw)
