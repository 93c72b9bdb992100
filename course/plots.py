"""Plots the lessons draw. Each returns the matplotlib Figure it made."""

import matplotlib.pyplot as plt
import numpy as np

from course import given

ACTIVATIONS = {"sigmoid": given.sigmoid, "tanh": given.tanh, "relu": given.relu}
SLOPES = {"sigmoid": given.sigmoid_prime, "tanh": given.tanh_prime, "relu": given.relu_prime}
POINT = np.array([0.35, 0.7])  # the input the lesson follows (the published worked example's)


def plot_activations(z_max=5.0):
    """Each activation (top row) above its slope (bottom row), on z in [-z_max, z_max]."""
    z = np.linspace(-z_max, z_max, 401)
    fig, axes = plt.subplots(2, 3, figsize=(10, 5), sharex=True)
    for col, name in enumerate(ACTIVATIONS):
        top, bottom = axes[0, col], axes[1, col]
        top.plot(z, ACTIVATIONS[name](z), color="C0")
        top.set_title(name)
        if name == "relu":  # two flat pieces; at the kink the course's value, 0 (filled dot)
            bottom.plot(z[z < 0], SLOPES[name](z[z < 0]), color="C1")
            bottom.plot(z[z > 0], SLOPES[name](z[z > 0]), color="C1")
            bottom.plot([0], [1], "o", mfc="white", color="C1")
            bottom.plot([0], [0], "o", color="C1")
        else:
            bottom.plot(z, SLOPES[name](z), color="C1")
        bottom.set_xlabel("z")
        for ax in (top, bottom):
            ax.axhline(0, color="0.8", lw=0.8)
            ax.axvline(0, color="0.8", lw=0.8)
    axes[0, 0].set_ylabel("activation a(z)")
    axes[1, 0].set_ylabel("slope a'(z)")
    fig.tight_layout()
    return fig


def plot_slope_at(name, z0, width=2.0):
    """The activation near z0 with its tangent line, whose slope is a'(z0)."""
    f, slope = ACTIVATIONS[name], SLOPES[name](np.array(z0))
    z = np.linspace(z0 - 2 * width, z0 + 2 * width, 200)
    zt = np.linspace(z0 - width, z0 + width, 2)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(z, f(z), label=name)
    ax.plot(zt, f(np.array(z0)) + slope * (zt - z0), "--", label=f"tangent, slope {float(slope):.4f}")
    ax.plot([z0], [f(np.array(z0))], "ko")
    ax.set_xlabel("z")
    ax.set_ylabel(f"{name}(z)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def neuron_output(x, w, b, activation):
    """z and a for one neuron with inputs x (2,), weights w (2,), bias b."""
    z = float(np.dot(x, w) + b)
    return z, float(ACTIVATIONS[activation](np.array(z)))


def draw_neuron(ax, w, b, activation, extent=3.0):
    """Colour the input plane (x1, x2) by the neuron's output; mark the followed input."""
    grid = np.linspace(-extent, extent, 121)
    x1, x2 = np.meshgrid(grid, grid)
    a = ACTIVATIONS[activation](w[0] * x1 + w[1] * x2 + b)
    limits = {"sigmoid": (0, 1), "tanh": (-1, 1), "relu": (0, max(1.0, float(a.max())))}
    image = ax.imshow(a, origin="lower", extent=(-extent, extent, -extent, extent),
                      cmap="viridis", vmin=limits[activation][0], vmax=limits[activation][1])
    if np.any(w != 0):
        ax.contour(x1, x2, w[0] * x1 + w[1] * x2 + b, levels=[0.0], colors="white",
                   linestyles="--")
    z, out = neuron_output(POINT, w, b, activation)
    ax.plot(*POINT, "r*", markersize=12)
    ax.set_title(f"{activation}: at x = (0.35, 0.7), z = {z:.4f}, a = {out:.4f}")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return image


def plot_neuron(w1=0.2, w2=0.2, b=0.0, activation="sigmoid"):
    """A neuron with two inputs, as a picture over the input plane."""
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    image = draw_neuron(ax, np.array([w1, w2]), b, activation)
    fig.colorbar(image, ax=ax, label="output a")
    fig.tight_layout()
    return fig
