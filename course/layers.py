"""Plots and a widget for lesson 2 (layers and the forward pass).
Each function that draws returns the matplotlib Figure it made."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from course.given import sigmoid
from course.widgets import explorer

# The lesson's toy 2-3-1 network: two inputs, three hidden neurons, one output, sigmoid everywhere.
TOY_W1 = np.array([[0.2, 0.3, -0.4], [0.2, 0.3, 0.5]])
TOY_B1 = np.array([0.0, 0.0, 0.1])
TOY_W2 = np.array([[0.3], [0.9], [-0.5]])
TOY_B2 = np.array([0.0])
TOY_PARAMS = (TOY_W1, TOY_B1, TOY_W2, TOY_B2)


def toy_forward(x1, x2):
    """The toy network's (Z1, A1, Z2, A2) for one input (x1, x2), each row-shaped (1, width):
    the numbers the picture writes in its nodes, layer by layer."""
    traced = [np.array([[x1, x2]])]
    for W, b in zip(TOY_PARAMS[::2], TOY_PARAMS[1::2]):
        traced.append(traced[-1] @ W + b)
        traced.append(sigmoid(traced[-1]))
    return tuple(traced[1:])


def _matrix_box(ax, left, rows, cols, label, colour, cell=0.5):
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(Rectangle((left + c * cell, -r * cell), cell, cell, facecolor=colour,
                                   edgecolor="white", lw=1.5))
    ax.text(left + cols * cell / 2, 0.75, label, ha="center", va="bottom", fontsize=11)
    ax.text(left + cols * cell / 2, -rows * cell - 0.05, f"({rows}, {cols})" if rows > 1 or label != "b"
            else f"({cols},)", ha="center", va="top", fontsize=10, color="0.3")
    return left + cols * cell


def plot_layer_shapes(n=4, d_in=2, d_out=3):
    """The shapes in Z = X @ W + b drawn as grids: one row of X and of Z per example."""
    fig, ax = plt.subplots(figsize=(8, 2.6))
    right = _matrix_box(ax, 0.0, n, d_in, "X (inputs)", "#9ecae1")
    ax.text(right + 0.3, -0.6, "@", fontsize=16, ha="center", va="center")
    right = _matrix_box(ax, right + 0.6, d_in, d_out, "W (weights)", "#fdae6b")
    ax.text(right + 0.3, -0.6, "+", fontsize=16, ha="center", va="center")
    right = _matrix_box(ax, right + 0.6, 1, d_out, "b", "#a1d99b")
    ax.text(right + 0.3, -0.6, "=", fontsize=16, ha="center", va="center")
    _matrix_box(ax, right + 0.6, n, d_out, "Z", "#bcbddc")
    ax.set_xlim(-0.3, right + 0.6 + d_out * 0.5 + 0.3)
    ax.set_ylim(-n * 0.5 - 0.5, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def _node_positions(sizes):
    positions = []
    for layer, width in enumerate(sizes):
        ys = -(np.arange(width) - (width - 1) / 2) * 1.4
        positions.append([(layer * 3.0, y) for y in ys])
    return positions


def draw_network(ax, x1, x2):
    """The toy network as circles and arrows; weights as line colour and width, values in nodes."""
    Z1, A1, Z2, A2 = toy_forward(x1, x2)
    values = [np.array([x1, x2]), A1[0], A2[0]]
    positions = _node_positions([2, 3, 1])
    for layer, W in enumerate([TOY_W1, TOY_W2]):
        for i, start in enumerate(positions[layer]):
            for j, end in enumerate(positions[layer + 1]):
                w = W[i, j]
                ax.plot([start[0], end[0]], [start[1], end[1]], color="C3" if w < 0 else "C0",
                        lw=0.5 + 3 * abs(w), zorder=1)
                # First layer: labels near the hidden end, where the six links have spread apart
                # (near the inputs they bunch up); second layer: halfway along each link.
                t = 0.7 if layer == 0 else 0.5
                mid = ((1 - t) * start[0] + t * end[0], (1 - t) * start[1] + t * end[1])
                ax.text(*mid, f"{w:+.1f}", fontsize=8, ha="center", va="center",
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"), zorder=2)
    names = [["x1", "x2"], ["h1", "h2", "h3"], ["out"]]
    for layer, nodes in enumerate(positions):
        for k, (px, py) in enumerate(nodes):
            v = values[layer][k]
            shade = plt.cm.viridis(float(np.clip(v, 0, 1)))
            ax.add_patch(plt.Circle((px, py), 0.42, facecolor=shade, edgecolor="k", zorder=3))
            ax.text(px, py, f"{v:.4f}", ha="center", va="center", fontsize=9, zorder=4,
                    color="white" if v < 0.6 else "black")
            ax.text(px, py + 0.52, names[layer][k], ha="center", va="bottom", fontsize=9)
    for k, b in enumerate(TOY_B1):
        px, py = positions[1][k]
        ax.text(px, py - 0.52, f"b = {b:+.1f}", ha="center", va="top", fontsize=8, color="0.3")
    px, py = positions[2][0]
    ax.text(px, py - 0.52, f"b = {TOY_B2[0]:+.1f}", ha="center", va="top", fontsize=8, color="0.3")
    ax.set_xlim(-0.8, 6.8)
    ax.set_ylim(-2.4, 2.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"input ({x1:.2f}, {x2:.2f}) -> output {A2[0, 0]:.4f}")


def plot_toy_network(x1=0.35, x2=0.7):
    """The 2-3-1 toy network with every activation written in its node."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    draw_network(ax, x1, x2)
    fig.tight_layout()
    return fig


def toy_network_explorer(x1=0.35, x2=0.7):
    """Sliders for the toy network's two inputs; the picture and a read-out follow them."""
    style = {"description_width": "initial"}
    controls = {
        "x1": widgets.FloatSlider(value=x1, min=-3, max=3, step=0.05, description="input x1", style=style),
        "x2": widgets.FloatSlider(value=x2, min=-3, max=3, step=0.05, description="input x2", style=style),
    }

    def draw(values):
        v1, v2 = values["x1"], values["x2"]
        Z1, A1, Z2, A2 = toy_forward(v1, v2)
        return ("Z1 = " + ", ".join(f"{z:.4f}" for z in Z1[0]) + " &rarr; A1 = "
                + ", ".join(f"{a:.4f}" for a in A1[0])
                + f"; Z2 = {Z2[0, 0]:.4f} &rarr; <b>output {A2[0, 0]:.4f}</b>"), plot_toy_network(v1, v2)

    return explorer(controls, draw)


def plot_parameter_counts(sizes=(784, 16, 16, 10)):
    """Weights and biases per layer of a dense network, as bars with their counts written on."""
    layers = list(zip(sizes[:-1], sizes[1:]))
    weights = [a * b for a, b in layers]
    biases = [b for _, b in layers]
    labels = [f"{a} -> {b}" for a, b in layers]
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    at = np.arange(len(layers))
    ax.bar(at - 0.2, weights, width=0.4, color="#fdae6b", label="weights (d_in x d_out)")
    ax.bar(at + 0.2, biases, width=0.4, color="#a1d99b", label="biases (d_out)")
    for k, (w, b) in enumerate(zip(weights, biases)):
        ax.text(k - 0.2, w, f"{w:,}", ha="center", va="bottom", fontsize=9)
        ax.text(k + 0.2, b, f"{b:,}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(at, labels)
    ax.set_xlabel("layer (d_in -> d_out)")
    ax.set_yscale("log")
    ax.set_ylim(1, max(weights) * 8)
    ax.set_ylabel("number of knobs (log scale)")
    ax.set_title(f"{'-'.join(map(str, sizes))}: {sum(weights) + sum(biases):,} knobs in all")
    ax.legend(loc="upper right", fontsize=9)
    fig.tight_layout()
    return fig

