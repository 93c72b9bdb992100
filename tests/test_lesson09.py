"""Lesson 9 and exercise 9: the published worked example's figures, lesson 5's network
backpropagated, and the lesson's prose bound to its stored outputs."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.reference import chain_rule as ref
from autograder.reference import numerical_gradient as ng
from autograder.reference.neuron import sigmoid
from course.gradcheck import PASS_LINE, worst_relative_error

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "lessons" / "09_chain_rule.ipynb"
EXERCISES = [ROOT / "solutions" / "09_chain_rule" / "09_chain_rule_exercise.ipynb",
             ROOT / "exercises" / "09_chain_rule" / "09_chain_rule_exercise.ipynb"]


def _cells(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    outputs = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                        for o in c.get("outputs", []) if o.get("output_type") == "stream")
    return markdown, code, outputs


def test_worked_example_figures():
    s = ref.WORKED_EXAMPLE
    hidden, y, delta, W1_new, W2_new, after = ref.worked_example_step(**s)
    assert np.round(hidden, 4).tolist() == [0.5523, 0.5781]
    assert round(float(hidden @ s["W2"]), 4) == 0.6860           # the article says 0.702
    assert round(0.3 * 0.57 + 0.9 * 0.59, 3) == 0.702             # from its rounded outputs
    assert round(y, 4) == 0.6651
    assert round(delta, 4) == -0.0368
    assert round((0.5 - 0.67) * 0.67 * 0.33, 4) == -0.0376        # y rounded to 0.67 first
    assert round(2 * delta, 4) == -0.0735                         # the delta of the no-half loss
    assert round(W1_new[0, 0], 6) == 0.199045                     # the article says 0.200945
    assert round(after, 4) == 0.6596                             # the article says about 0.61
    # The article's rule w_old - step * delta * input with its delta (a wish) climbs the loss.
    x, W2 = s["x"], s["W2"]
    wish_hidden = delta * W2[0] * hidden[0] * (1 - hidden[0])
    assert round(0.2 - wish_hidden * x[0], 6) == 0.200955


def _toy_backprop(params, X, Y):
    A1 = sigmoid(X @ params["W1"] + params["b1"])
    A2 = sigmoid(A1 @ params["W2"] + params["b2"])
    dZ2 = (A2 - Y) / len(X) * A2 * (1 - A2)
    dZ1 = dZ2 @ params["W2"].T * A1 * (1 - A1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def test_lesson5_network_backprop_matches_its_numerical_gradient_and_the_plain_mean_doubles_it():
    params = ng.toy_params()
    X, Y = ng.TOY_X, ng.TOY_Y
    backprop = _toy_backprop(params, X, Y)
    nudged = ng.numerical_gradient(lambda p: ng.network_loss(p, X, Y), params)
    assert ng.max_relative_error(backprop, nudged) < PASS_LINE
    plain = ng.numerical_gradient(lambda p: np.mean((ng.network_forward(p, X) - Y) ** 2), params)
    for name in backprop:
        np.testing.assert_allclose(plain[name], 2 * backprop[name], rtol=1e-6)


def test_lesson_prose_states_the_figures_its_cells_print():
    markdown, _, outputs = _cells(LESSON)
    for figure in ["0.5523", "0.5781", "0.6860", "0.702", "0.6651", "0.6686", "-0.0368", "-0.0376",
                   "+0.000955", "0.199045", "0.6596", "0.200955", "0.75", "2.000000"]:
        assert figure in outputs, figure
    for figure in ["0.5523", "0.5781", "0.6860", "0.6651", "0.6686", "-0.0368", "-0.0376",
                   "0.000955", "0.199045", "0.6596", "0.200955", "0.75"]:
        assert figure in markdown, figure
    assert "PASS" in outputs and "(pass line" in outputs and "tolerance" not in outputs


def test_lesson_uses_the_course_gradient_check_and_states_no_pass_line_of_its_own():
    markdown, code, _ = _cells(LESSON)
    assert "from course.gradcheck import" in code
    assert "cr.numerical_gradient" not in code and "cr.gradient_check" not in code
    assert "lesson 4's pass line" in markdown
    assert not re.search(r"(tolerance|pass line|threshold|tiny)[^\n]{0,40}\d+(\.\d+)?e-?\d", markdown)


@pytest.mark.parametrize("path", [LESSON, *EXERCISES], ids=lambda p: p.parent.name + "/" + p.name)
def test_no_authoring_labels_reach_learners(path):
    text = path.read_text()
    assert not re.search(r"seed[ _]?0\d\d", text, re.I), "a source document's label leaks"
    assert "seed001" not in text.lower()


# ---------------------------------------------------------------- issue 15: derive, don't copy

def _code_cells(path=LESSON):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("inputs", [(-2.0, 1.5, 4.0, 0.5), (0.7, -1.2, 0.3, 2.0), (1.1, 2.5, -0.4, -3.0)])
def test_graph_gates_match_nudging_on_both_sides_of_the_max(inputs):
    from course import chain_rule as cr
    from course.gradcheck import numerical_gradient
    _, nodes = cr.graph_backward(cr.graph_forward(*inputs))
    analytic = np.array([nodes[k] for k in "abcd"])
    assert worst_relative_error(analytic, numerical_gradient(cr.graph_f, np.array(inputs))) < PASS_LINE


def test_graph_section_states_what_its_cells_print():
    markdown, _, outputs = _cells(LESSON)
    for printed in ["p = -3.0, q = 1.0, m = 1.5, f = 1.5", "df/db = -3.0 + 1.0 = -2.0",
                    "graph  relative error about zero", "b, one path relative error 0.33",
                    "points lost per extra hour on the chapter: -6.00",
                    "dW[0, 1] = 0.7000", "[[0.9, 0.7], [0.4, -1.4]]", "[[0.65, 0.475], [-0.3, 0.5]]",
                    "[0.5, -0.1]", "sum: -0.01640906"]:
        assert printed in outputs, printed
    for stated in ["-3 + 1 = -2", "2.25", "= 0.7", "about 6 points", "-0.01640906"]:
        assert stated in markdown, stated


def test_graph_figure_shows_values_in_nodes_and_gradients_on_edges():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course import chain_rule as cr
    fig = cr.plot_graph(**cr.GRAPH_INPUTS)
    texts = [t.get_text() for t in fig.axes[0].texts]
    values = cr.graph_forward(**cr.GRAPH_INPUTS)
    edges, nodes = cr.graph_backward(values)
    labels = sorted(t.get_text() for t in fig.axes[0].texts if t.get_bbox_patch() is not None)
    assert labels == sorted(f"{g:g}" for g in edges.values())       # one red label per edge
    assert all(f"{v:g}" in texts for v in values.values())          # every node's value
    assert "grad -3 + 1 = -2" in texts
    plt.close(fig)


def test_no_complete_backward_pass_in_the_lesson():
    """Lesson 5's network and the worked example's step are exercises (9 and 10): the lesson shows one
    knob by its paths and a skeleton, never a cell that computes every layer's gradients."""
    for cell in _code_cells():
        src = cell.source
        assert not ("dZ1" in src and "dW1" in src and "dW2" in src), src
        assert "W2 * hidden * (1 - hidden)" not in src, src     # every hidden delta of the worked example
        assert "np.outer(" not in src, src
