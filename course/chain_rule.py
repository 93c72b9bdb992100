"""Lesson 9's helpers: the chain picture, the saturation plot, the gradient-check scatter and
table, the published worked example's network, and the chain explorer widget."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course.given import sigmoid
from course.gradcheck import numerical_gradient
from course.stored import load
from course.widgets import explorer


def _box(ax, xpos, label, value, colour):
    ax.add_patch(plt.Rectangle((xpos - 0.3, 0.55), 0.6, 0.7, fc=colour, ec="0.3"))
    ax.text(xpos, 1.05, label, ha="center", va="center", fontsize=12)
    ax.text(xpos, 0.75, f"{value:.4f}", ha="center", va="center", fontsize=10)


def _num(value):
    """Five decimals, or two significant digits when five decimals would print as zero."""
    return f"{value:.5f}" if value == 0 or abs(value) >= 5e-5 else f"{value:.1e}"


def chain_values(x, y, w1, b1, w2, b2):
    """The chain x -> z1 -> a1 -> z2 -> y_hat -> E for one example (all numbers): its values
    (z1, a1, z2, y_hat, E) and its six local slopes, in the order the chain meets them
    backwards: dE/dy_hat, dy_hat/dz2, dz2/dw2, dz2/da1, da1/dz1, dz1/dw1."""
    z1 = w1 * x + b1
    a1 = float(sigmoid(z1))
    z2 = w2 * a1 + b2
    y_hat = float(sigmoid(z2))
    values = (z1, a1, z2, y_hat, 0.5 * (y_hat - y) ** 2)
    return values, (y_hat - y, y_hat * (1 - y_hat), a1, w2, a1 * (1 - a1), x)


def chain_products(factors):
    """dE/dw1 and dE/dw2 as the products of chain_values's local slopes along each path."""
    dE_dyhat, dyhat_dz2, dz2_dw2, dz2_da1, da1_dz1, dz1_dw1 = factors
    return (dE_dyhat * dyhat_dz2 * dz2_da1 * da1_dz1 * dz1_dw1, dE_dyhat * dyhat_dz2 * dz2_dw2)


def plot_chain(x=1.5, y=0.2, w1=0.8, b1=0.1, w2=-1.5, b2=0.3):
    """The chain from w1 to the loss E for one example: each quantity's value in a box, each
    link's local slope in red, tied to its arrow, and the products that give dE/dw2 and dE/dw1."""
    (z1, a1, z2, y_hat, loss), f = chain_values(x, y, w1, b1, w2, b2)
    dE_dyhat, dyhat_dz2, dz2_dw2, dz2_da1, da1_dz1, dz1_dw1 = f
    nodes = [("w1", w1), ("z1", z1), ("a1", a1), ("z2", z2), ("y_hat", y_hat), ("E", loss)]
    slopes = [f"dz1/dw1 = x\n= {dz1_dw1:.4f}", f"da1/dz1 = a1(1-a1)\n= {da1_dz1:.4f}",
              f"dz2/da1 = w2\n= {dz2_da1:.4f}", f"dy_hat/dz2 =\ny_hat(1-y_hat) = {dyhat_dz2:.4f}",
              f"dE/dy_hat = y_hat - y\n= {dE_dyhat:.4f}"]
    fig, ax = plt.subplots(figsize=(11, 3.6))
    for i, (label, value) in enumerate(nodes):
        _box(ax, i, label, value, "#fde9c9" if label in ("w1", "E") else "#dbe9f6")
    for i, text in enumerate(slopes):
        ax.annotate("", xy=(i + 0.7, 0.9), xytext=(i + 0.3, 0.9),
                    arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 1.5})
        ax.plot([i + 0.5, i + 0.5], [0.36, 0.86], color="C3", lw=0.8)
        ax.text(i + 0.5, 0.3, text, ha="center", va="top", fontsize=9, color="C3")
    dw1, dw2 = chain_products(f)
    ax.text(2.5, -0.45, f"dE/dw2 = {dE_dyhat:.4f} x {dyhat_dz2:.4f} x a1 ({dz2_dw2:.4f}) = {_num(dw2)}"
            f"\ndE/dw1 = {dE_dyhat:.4f} x {dyhat_dz2:.4f} x {dz2_da1:.4f} x {da1_dz1:.4f} x "
            f"{dz1_dw1:.4f} = {_num(dw1)}", ha="center", va="top", fontsize=10)
    ax.set_xlim(-0.5, 5.5)
    ax.set_ylim(-0.85, 1.4)
    ax.axis("off")
    ax.set_title(f"The chain from w1 to the loss E (x = {x}, b1 = {b1}, w2 = {w2}, b2 = {b2}, "
                 f"target y = {y})")
    fig.tight_layout()
    return fig


def plot_saturation(w2=-1.5, b2=0.3, y=0.2, marks=()):
    """How the hidden neuron's slope a1(1 - a1) throttles dE/db1 as z1 moves away from 0.

    marks: (z1, label) pairs drawn as dots on both curves."""
    def curves(z1):
        a1 = 1.0 / (1.0 + np.exp(-z1))
        y_hat = 1.0 / (1.0 + np.exp(-(w2 * a1 + b2)))
        delta2 = (y_hat - y) * y_hat * (1 - y_hat)
        return a1 * (1 - a1), np.abs(delta2 * w2 * a1 * (1 - a1))

    z1 = np.linspace(-10, 10, 401)
    slope, grad = curves(z1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True)
    top.plot(z1, slope, color="C0")
    top.set_ylabel("hidden slope\na1(1 - a1)")
    bottom.plot(z1, grad, color="C1")
    bottom.set_ylabel("size of the hidden\nbias gradient |dE/db1|")
    for z, label in marks:
        s, g = curves(np.array(z))
        top.plot(z, s, "o", color="k", ms=4)
        bottom.plot(z, g, "o", color="k", ms=4)
        far = z > 5  # near the right edge: write the label to the left of the dot
        side = {"xytext": (-6, 8) if far else (6, 8), "ha": "right" if far else "left",
                "textcoords": "offset points", "fontsize": 9}
        top.annotate(f"{label}: {s:.2g}", (z, s), **side)
        bottom.annotate(f"{g:.2g}", (z, g), **side)
    bottom.set_xlabel("hidden pre-activation z1")
    top.set_title(f"A saturated neuron passes almost no gradient back\n(the chain with w2 = {w2}, "
                  f"b2 = {b2}, target y = {y})", fontsize=10)
    fig.tight_layout()
    return fig


def plot_gradient_check(analytic, numeric, title="backprop vs nudging"):
    """Each gradient entry as a point (numerical, backprop): all on the diagonal when they agree."""
    a, n = np.ravel(analytic), np.ravel(numeric)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    lim = 1.1 * max(np.max(np.abs(a)), np.max(np.abs(n)), 1e-12)
    ax.plot([-lim, lim], [-lim, lim], color="0.8", lw=1)
    ax.plot(n, a, "o", ms=5)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_xlabel("numerical gradient (central differences)")
    ax.set_ylabel("backprop gradient (formula)")
    ax.set_title(f"{title}: {a.size} entries")
    fig.tight_layout()
    return fig


def print_side_by_side(backprop, numeric, digits=8):
    """One line per knob of two gradient dicts (same names and shapes): backprop beside nudging."""
    print(f"{'knob':>9}  {'backprop':>{digits + 5}}  {'nudging':>{digits + 5}}")
    for name, g in backprop.items():
        for index in np.ndindex(g.shape):
            label = f"{name}[{', '.join(map(str, index))}]"
            print(f"{label:>9}  {g[index]:+.{digits}f}  {numeric[name][index]:+.{digits}f}")


def worked_example_after_step():
    """The published worked example after one gradient step of size 1 on every weight, as a
    correct exercise 9 worked_example_step computes it, stored with the course: {"W1_new" (2, 2),
    "W2_new" (2,), "output_after", "step"}."""
    return load("lesson09_worked_step")


def plot_worked_example_network(x, W1, W2, hidden, output, target):
    """The published worked example's 2-2-1 network: weights on the edges, computed values in the
    nodes."""
    fig, ax = plt.subplots(figsize=(7, 4))
    pos_in = [(0, 2.5), (0, 0.5)]
    pos_h = [(2, 2.5), (2, 0.5)]
    pos_out = (4, 1.5)
    for i, p in enumerate(pos_in):
        for j, q in enumerate(pos_h):
            ax.plot([p[0], q[0]], [p[1], q[1]], color="0.6", zorder=1)
            t = 0.5 if i == j else 0.22
            name = f"w{i + 1}{j + 1} = " if i == j == 0 else ""
            ax.text(p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]) + 0.12,
                    f"{name}{W1[i, j]:g}", color="C2", fontsize=10, ha="center")
    for j, q in enumerate(pos_h):
        ax.plot([q[0], pos_out[0]], [q[1], pos_out[1]], color="0.6", zorder=1)
        ax.text((q[0] + pos_out[0]) / 2, (q[1] + pos_out[1]) / 2 + 0.12, f"{W2[j]:g}",
                color="C2", fontsize=10, ha="center")
    for p, label in zip(pos_in, [f"x1 = {x[0]:g}", f"x2 = {x[1]:g}"]):
        ax.add_patch(plt.Circle(p, 0.38, fc="#fde9c9", ec="0.3", zorder=2))
        ax.text(*p, label, ha="center", va="center", fontsize=9, zorder=3)
    for j, p in enumerate(pos_h):
        ax.add_patch(plt.Circle(p, 0.38, fc="#dbe9f6", ec="0.3", zorder=2))
        ax.text(*p, f"h{j + 1}\n{hidden[j]:.4f}", ha="center", va="center", fontsize=9, zorder=3)
    ax.add_patch(plt.Circle(pos_out, 0.38, fc="#dbe9f6", ec="0.3", zorder=2))
    ax.text(*pos_out, f"y\n{output:.4f}", ha="center", va="center", fontsize=9, zorder=3)
    ax.text(pos_out[0] + 0.55, pos_out[1], f"target {target:g}", va="center", fontsize=10)
    ax.set_xlim(-0.6, 5.6)
    ax.set_ylim(-0.2, 3.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The published worked example: sigmoid everywhere, no biases")
    fig.tight_layout()
    return fig


def chain_explorer(x=1.5, y=0.2, w1=0.8, w2=-1.5):
    """Sliders for the chain's input, target and two weights; the chain picture and a
    read-out comparing each backprop gradient with a nudge."""
    style = {"description_width": "initial"}
    controls = {
        "x": widgets.FloatSlider(value=x, min=-3, max=3, step=0.1, description="input x", style=style),
        "y": widgets.FloatSlider(value=y, min=0, max=1, step=0.05, description="target y", style=style),
        "w1": widgets.FloatSlider(value=w1, min=-4, max=4, step=0.1, description="weight w1", style=style),
        "w2": widgets.FloatSlider(value=w2, min=-4, max=4, step=0.1, description="weight w2", style=style),
    }

    def draw(v):
        dw1, dw2 = chain_products(chain_values(v["x"], v["y"], v["w1"], 0.1, v["w2"], 0.3)[1])
        nudge = numerical_gradient(
            lambda p: chain_values(v["x"], v["y"], p[0], 0.1, p[1], 0.3)[0][-1],
            np.array([v["w1"], v["w2"]]))
        return ((f"dE/dw1: chain rule <b>{dw1:.6f}</b>, nudge {nudge[0]:.6f} &nbsp;|&nbsp; "
                 f"dE/dw2: chain rule <b>{dw2:.6f}</b>, nudge {nudge[1]:.6f}"),
                plot_chain(v["x"], v["y"], v["w1"], 0.1, v["w2"], 0.3))

    return explorer(controls, draw, rows=[["x", "y"], ["w1", "w2"]])


# A small computational graph: f = (a * b + c) * max(b, d). b feeds two gates.
GRAPH_INPUTS = {"a": -2.0, "b": 1.5, "c": 4.0, "d": 0.5}


def graph_forward(a, b, c, d):
    """Every node's value of f = (a * b + c) * max(b, d): p = a * b, q = p + c, m = max(b, d),
    f = q * m."""
    p = a * b
    q = p + c
    m = max(b, d)
    return {"a": a, "b": b, "c": c, "d": d, "p": p, "q": q, "m": m, "f": q * m}


def graph_f(inputs):
    """f as a function of the array [a, b, c, d], for numerical_gradient."""
    return graph_forward(*(float(v) for v in inputs))["f"]


def graph_backward(v):
    """The gradient df/d(node) on every edge and every node, gate by gate from f down.

    Each gate sends back its local derivative times the gradient that reached it (the upstream
    gradient); a node that feeds two gates adds what comes back along both edges.
    Returns (edges, nodes): edges[(source, gate)] and nodes[name]."""
    edges, nodes = {}, {"f": 1.0}
    # f = q * m: a multiply gate sends each input the *other* input times the upstream gradient
    edges["q", "f"], edges["m", "f"] = v["m"] * nodes["f"], v["q"] * nodes["f"]
    nodes["q"], nodes["m"] = edges["q", "f"], edges["m", "f"]
    # m = max(b, d): a max gate routes the whole upstream gradient to the larger input
    edges["b", "m"] = nodes["m"] if v["b"] >= v["d"] else 0.0
    edges["d", "m"] = nodes["m"] if v["d"] > v["b"] else 0.0
    # q = p + c: an add gate passes the upstream gradient to both inputs unchanged
    edges["p", "q"] = edges["c", "q"] = nodes["q"]
    nodes["p"], nodes["c"], nodes["d"] = edges["p", "q"], edges["c", "q"], edges["d", "m"]
    # p = a * b: multiply again
    edges["a", "p"], edges["b", "p"] = v["b"] * nodes["p"], v["a"] * nodes["p"]
    nodes["a"] = edges["a", "p"]
    # b feeds two gates: the gradients from both add
    nodes["b"] = edges["b", "p"] + edges["b", "m"]
    return edges, nodes


_GRAPH_POS = {"a": (0, 3.0), "b": (0, 1.6), "d": (0, 0.0), "c": (2.4, 1.15),
              "p": (2.4, 2.45), "m": (2.4, 0.0), "q": (4.6, 1.9), "f": (6.6, 1.0)}
_GRAPH_LABEL = {"p": "p = a × b", "q": "q = p + c", "m": "m = max(b, d)", "f": "f = q × m"}


def plot_graph(a=-2.0, b=1.5, c=4.0, d=0.5):
    """The graph of f = (a * b + c) * max(b, d): every node with its value (black) and its
    gradient df/d(node) (red); every edge labelled in red with the gradient it carries back."""
    v = graph_forward(a, b, c, d)
    edges, nodes = graph_backward(v)
    fig, ax = plt.subplots(figsize=(10, 4.6))
    for (source, gate), grad in edges.items():
        (x0, y0), (x1, y1) = _GRAPH_POS[source], _GRAPH_POS[gate]
        ax.annotate("", xy=(x1 - 0.45 * np.sign(x1 - x0), y1), xytext=(x0 + 0.45, y0),
                    arrowprops={"arrowstyle": "->", "color": "0.45", "lw": 1.3})
        xm, ym = x0 + 0.55 * (x1 - x0), y0 + 0.55 * (y1 - y0)
        ax.text(xm, ym, f"{grad:g}", color="C3", fontsize=11, ha="center", va="center",
                bbox={"fc": "white", "ec": "C3", "boxstyle": "round,pad=0.2", "lw": 0.8})
    for name, (x, y) in _GRAPH_POS.items():
        gate = name in _GRAPH_LABEL
        ax.add_patch(plt.Rectangle((x - 0.45, y - 0.32), 0.9, 0.64, fc="#dbe9f6" if gate else "#fde9c9",
                                   ec="0.3", zorder=2))
        ax.text(x, y + 0.1, name, ha="center", va="center", fontsize=12, zorder=3)
        ax.text(x, y - 0.14, f"{v[name]:g}", ha="center", va="center", fontsize=10, zorder=3)
        under = f"{_GRAPH_LABEL.get(name, '')}\n" if gate else ""
        grad = (f"grad {edges['b', 'p']:g} + {edges['b', 'm']:g} = {nodes['b']:g}" if name == "b"
                else f"grad {nodes[name]:g}")
        ax.text(x, y - 0.38, under + grad, ha="center", va="top", fontsize=9, color="0.2",
                zorder=3)
    ax.set_xlim(-0.9, 7.4)
    ax.set_ylim(-0.95, 3.5)
    ax.axis("off")
    ax.set_title("f = (a × b + c) × max(b, d): values in the boxes, gradients df/d(...) in red "
                 "on the edges", fontsize=11)
    fig.tight_layout()
    return fig
