"""Lesson 8's helpers: a small seeded network, the picture of its wishes, the averaging
plot, the cost of a sweep, and the wish explorer widget.

The wishes shown are what exercise 8's functions compute on toy_network()'s examples, stored
with the course."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course import costs
from course.stored import load
from course.widgets import explorer


def toy_network(seed=8):
    """A 4-3-2 sigmoid network and six examples: four pixel brightnesses in, two outputs.

    Target [1, 0] means "the left two pixels are brighter", [0, 1] the right two."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.uniform(size=(6, 4)), 2)
    left = X[:, :2].sum(axis=1) > X[:, 2:].sum(axis=1)
    Y = np.stack([left, ~left], axis=1).astype(float)
    return {"X": X, "Y": Y,
            "W1": np.round(rng.normal(0.0, 1.0, size=(4, 3)), 2), "b1": np.round(rng.normal(0.0, 0.5, size=3), 2),
            "W2": np.round(rng.normal(0.0, 1.0, size=(3, 2)), 2), "b2": np.round(rng.normal(0.0, 0.5, size=2), 2)}


def example_wishes(example):
    """Every wish of one example of toy_network(): "x" (its pixels), "y" (targets), "a1", "a2"
    (activations), "out_wish", "hidden_wish", "input_wish" (wishes on activations), "wish_z2",
    "wish_z1" (on weighted sums), "W1_wish", "W2_wish" (on the weights of both layers)."""
    return load("lesson08_wishes")[example]


def _layer_y(count):
    """Heights of a layer's neurons, and the gap between them: 0.8 for four, 1.1 for fewer."""
    gap = min(1.1, 2.4 / max(count - 1, 1))
    return (np.arange(count)[::-1] - (count - 1) / 2) * gap, gap


def plot_wishes(example=0):
    """The network for one example: fill = activation (dark 0, bright 1), green arrow = the
    wish on each hidden and output activation (up: wants higher), edge colour = the wish on
    each weight (blue: raise it, red: lower it), edge width = its size. The pixels' wishes are
    printed in grey without arrows: pixels are data, not knobs."""
    w = example_wishes(example)
    xs = [0.0, 2.0, 4.0]
    layers = [(w["x"], w["input_wish"]), (w["a1"], w["hidden_wish"]), (w["a2"], w["out_wish"])]
    ys, gaps = zip(*[_layer_y(len(a)) for a, _ in layers])
    fig, ax = plt.subplots(figsize=(8.6, 5.0))
    biggest = max(np.max(np.abs(w["W1_wish"])), np.max(np.abs(w["W2_wish"])), 1e-12)
    for li, W_wish in enumerate([w["W1_wish"], w["W2_wish"]]):
        for i in range(W_wish.shape[0]):
            for j in range(W_wish.shape[1]):
                v = W_wish[i, j]
                ax.plot([xs[li], xs[li + 1]], [ys[li][i], ys[li + 1][j]], zorder=1,
                        color="C0" if v > 0 else "C3", lw=0.4 + 5 * abs(v) / biggest, alpha=0.8)
    # One length scale for every arrow, chosen so that no arrow reaches halfway to the next neuron.
    scale = min(0.42 * gaps[li] / max(np.max(np.abs(layers[li][1])), 1e-12) for li in (1, 2))
    for li, (acts, wish) in enumerate(layers):
        for i, (a, v) in enumerate(zip(acts, wish)):
            y = ys[li][i]
            ax.add_patch(plt.Circle((xs[li], y), 0.22, fc=plt.cm.gray(a), ec="0.4", zorder=2))
            ax.text(xs[li], y - 0.27, f"{a:.2f}", ha="center", va="top", fontsize=8)
            if li == 0:
                ax.text(xs[li] - 0.3, y, f"{v:+.3f}", ha="right", va="center", fontsize=8, color="0.5")
                continue
            ax.annotate("", xy=(xs[li] + 0.4, y + v * scale), xytext=(xs[li] + 0.4, y),
                        arrowprops={"arrowstyle": "-|>", "lw": 1.5, "color": "C2",
                                    "shrinkA": 0, "shrinkB": 0})
            ax.text(xs[li] + 0.5, y, f"{v:+.3f}", va="center", fontsize=8, color="C2")
    for j, t in enumerate(w["y"]):
        ax.text(xs[2] + 1.05, ys[2][j], f"target {t:g}", va="center", fontsize=9)
    top = max(np.max(y) for y in ys) + 0.45
    for x, label in zip(xs, ["pixels (data; wishes in grey)", "hidden layer", "output layer"]):
        ax.text(x, top, label, ha="center", fontsize=10)
    ax.set_xlim(-1.0, 5.8)
    ax.set_ylim(-top + 0.1, top + 0.25)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"Example {example}: green arrows = wishes on activations; "
                 "edges: blue = raise this weight, red = lower it", fontsize=10)
    key = fig.colorbar(plt.cm.ScalarMappable(cmap="gray", norm=plt.Normalize(0, 1)), ax=ax,
                       orientation="horizontal", fraction=0.04, pad=0.02, shrink=0.35)
    key.set_label("fill = activation or pixel value: dark 0, bright 1", fontsize=8)
    key.ax.tick_params(labelsize=7)
    key.outline.set_edgecolor("0.4")
    return fig


def plot_average(knobs=((0, 0), (1, 0), (2, 1))):
    """Each example's wish on a few weights of the output layer (bars) and their average (black)."""
    per_example = np.array([[w["W2_wish"][k] for k in knobs] for w in load("lesson08_wishes")])
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    n, width = per_example.shape[0], 0.8 / per_example.shape[0]
    for e in range(n):
        ax.bar(np.arange(len(knobs)) + (e - (n - 1) / 2) * width, per_example[:, :][e], width,
               label=f"example {e}", color=plt.cm.viridis(e / max(n - 1, 1)))
    ax.hlines(per_example.mean(axis=0), np.arange(len(knobs)) - 0.4, np.arange(len(knobs)) + 0.4,
              color="k", lw=3, label="average")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xticks(np.arange(len(knobs)), [f"W2[{i}, {j}]" for i, j in knobs])
    ax.set_ylabel("wish (step direction)")
    ax.legend(fontsize=8, ncol=4, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout()
    return fig


def sweep_costs(sizes):
    """What one gradient costs, counted in multiplications (multiply-adds) per example.

    sizes: layer widths, e.g. (784, 16, 16, 10). A forward pass does one product per layer.
    The backward sweep does two per layer (wish_z @ W.T to pass wishes back, activation times
    wish for the weights) except at the first layer, whose inputs are data and need no wish.
    Nudging runs two forward passes per knob. The same counts as course.costs."""
    products = [d_in * d_out for d_in, d_out in zip(sizes[:-1], sizes[1:])]
    forward = sum(products)
    backward = 2 * forward - products[0]
    return {"knobs": costs.knob_count(sizes), "forward": forward, "backward": backward,
            "backprop": forward + backward, "backprop_passes": costs.backprop_passes(sizes),
            "nudging": costs.nudging_passes(sizes) * forward,
            "nudging_passes": costs.nudging_passes(sizes)}


def wish_explorer(example=0):
    """Pick an example of toy_network(); see every neuron's wish and every weight's wish for it."""
    chooser = widgets.Dropdown(options=list(range(len(load("lesson08_wishes")))), value=example,
                               description="example")

    def draw(values):
        w = example_wishes(values["example"])
        return ((f"inputs {np.round(w['x'], 2).tolist()}, outputs "
                 f"{np.round(w['a2'], 3).tolist()}, targets {w['y'].tolist()}: output wishes "
                 f"<b>{np.round(w['out_wish'], 3).tolist()}</b>"), plot_wishes(values["example"]))

    return explorer({"example": chooser}, draw)


def granting_verdict(costs):
    """Whether the average costs of exercise 8's Try it run (steps 0 to 10 of size 2 along the
    learner's network_wishes) are those of a right network_wishes. A sentence."""
    expected = load("lesson08_granting")
    costs = np.asarray(costs, dtype=float)
    if costs.shape == expected.shape and np.allclose(costs, expected, rtol=1e-6, atol=1e-9):
        return f"the cost fell from {expected[0]:.4f} to {expected[-1]:.4f}, as right wishes make it fall"
    got = f"{costs[-1]:.4f}" if costs.shape == expected.shape else f"{costs.size} costs, not {expected.size}"
    return (f"NOT the run of right wishes: after {expected.size - 1} steps the average cost should be "
            f"{expected[-1]:.4f}, yours is {got}: look again at network_wishes and the functions it calls")
