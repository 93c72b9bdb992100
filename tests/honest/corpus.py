"""The honest corpus: correct submissions written the way real learners write them.

Every case starts from a correct submission (`correct_notebook` in tests/support/synthetic.py: the
released notebook with the solution code in the learner's cells) and changes only its form:
IPython in the answer cells (`%%time`, `%%capture`, `display(...)`), chatter and progress
output, cells of the learner's own (scratch work, a plot saved to the current folder, a
trailing expression, shell escapes, timing magics), loops instead of vectorised code, other
correct formulas, numpy scalars and 0-d arrays, dict and tuple subclasses. Each one deserves
full marks, and stock nbgrader in a real kernel gives them; tests/test_honest_corpus.py grades
the corpus with both engines and fails on any difference in any cell's score.

`build(case, release_dir)` returns the submission's files as {file name: bytes}.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import nbformat

from autograder import notebooks
from notebook_edits import cell, replace, several
from support.synthetic import correct_notebook


@dataclass(frozen=True)
class Case:
    student: str
    assignment: str
    what: str
    change: Callable  # (notebook) -> None, edits in place
    files: tuple = ()  # (name, text) of files handed in beside the notebook


def answer_cells(nb):
    """The code answer cells (a written answer is markdown: no IPython there)."""
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]


def every_answer(prefix="", suffix=""):
    """Each answer cell wrapped: prefix before the learner's code, suffix after it."""
    def change(nb):
        for c in answer_cells(nb):
            c.source = prefix + c.source.rstrip("\n") + suffix
    return change


def own_cell(after, cell_id, code):
    """A cell of the learner's own (no nbgrader metadata) after the cell `after`."""
    def change(nb):
        index = nb.cells.index(cell(nb, after))
        new = nbformat.v4.new_code_cell(code)
        new["id"] = cell_id  # fixed, so the file is the same on every run
        nb.cells.insert(index + 1, new)
    return change


# ------------------------------------------------------------------ sources

FORMULAS_01 = several(
    replace("sigmoid", "def sigmoid(z):\n    # the same curve, written with tanh: no overflow\n"
                       "    return 0.5 * (1 + np.tanh(z / 2))\n"),
    replace("tanh", "def tanh(z):\n    return 2 * sigmoid(2 * z) - 1\n"),
    replace("relu", "def relu(z):\n    return np.where(z > 0, z, 0.0)\n"),
    replace("sigmoid_prime", "def sigmoid_prime(z):\n    t = np.tanh(z / 2)\n    return 0.25 * (1 - t * t)\n"),
    replace("tanh_prime", "def tanh_prime(z):\n    return 1 - np.tanh(z) * np.tanh(z)\n"),
    replace("relu_prime", "def relu_prime(z):\n    return np.where(z > 0, 1.0, 0.0)\n"),
    replace("weighted_sum", "def weighted_sum(X, w, b):\n    z = np.zeros(X.shape[0])\n"
                            "    for i in range(X.shape[0]):\n        for j in range(X.shape[1]):\n"
                            "            z[i] += X[i, j] * w[j]\n    return z + b\n"),
)

NEURON_LOOP = replace("neuron", "def neuron(X, w, b, activation):\n    out = np.zeros(len(X))\n"
                                "    for i in range(len(X)):\n"
                                "        out[i] = activation(X[i] @ w + b)  # one example at a time\n"
                                "    return out\n")

LOOPS_03 = several(
    replace("mse", "def mse(Y_hat, Y):\n    total = 0.0\n    for i in range(len(Y)):\n"
                   "        total += 0.5 * np.sum((Y_hat[i] - Y[i]) ** 2)\n"
                   "    print('mse of', len(Y), 'examples')  # chatter\n"
                   "    return total / len(Y)\n"),
    replace("log_sum_exp", "def log_sum_exp(Z):\n    return np.logaddexp.reduce(Z, axis=1)\n"),
    replace("softmax", "def softmax(Z):\n    P = np.empty(Z.shape)\n    for i, row in enumerate(Z):\n"
                       "        e = np.exp(row - row.max())\n        P[i] = e / e.sum()\n    return P\n"),
    replace("cross_entropy", "def cross_entropy(Z, Y):\n    log_p = Z - log_sum_exp(Z)[:, None]\n"
                             "    return np.mean(-np.sum(Y * log_p, axis=1))  # a numpy float\n"),
)

ZERO_D_03 = replace("mse", "def mse(Y_hat, Y):\n    return np.array(0.5 * np.sum((Y_hat - Y) ** 2) / len(Y))\n")

SCALARS_05 = several(
    replace("network_loss", "def network_loss(params, X, Y):\n"
                            "    return 0.5 * np.sum((network_forward(params, X) - Y) ** 2) / len(X)\n"),
    replace("max_relative_error", "def max_relative_error(grads_a, grads_b):\n    worst = np.float64(0)\n"
                                  "    for name in grads_a:\n"
                                  "        worst = max(worst, relative_error(grads_a[name], grads_b[name]).max())\n"
                                  "    return worst\n"),
)

LOOPS_06 = several(
    replace("minimise", "def minimise(gradient_fn, theta0, learning_rate, steps):\n"
                        "    theta0 = np.asarray(theta0, dtype=float)\n"
                        "    history = np.zeros((steps + 1, len(theta0)))\n"
                        "    history[0] = theta0\n    for t in range(steps):\n"
                        "        history[t + 1] = descent_step(history[t], gradient_fn(history[t]), learning_rate)\n"
                        "        if t % 10 == 0:\n            print(f'step {t}: {history[t + 1]}')\n"
                        "    return history\n"),
    replace("losses_along", "def losses_along(history, a, c):\n"
                            "    return np.array([bowl_loss(theta, a, c) for theta in history])\n"),
)

DICTS_07 = several(
    replace("mean_gradient", "from collections import OrderedDict\n\n"
                             "def mean_gradient(per_example):\n    total = OrderedDict()\n"
                             "    for g in per_example:\n        for name, value in g.items():\n"
                             "            total[name] = total.get(name, 0) + value\n"
                             "    return OrderedDict((name, v / len(per_example)) for name, v in total.items())\n"),
    replace("sgd_update", "from collections import defaultdict\n\n"
                          "def sgd_update(params, grads, learning_rate):\n    new = defaultdict(float)\n"
                          "    for name in params:\n        new[name] = params[name] - learning_rate * grads[name]\n"
                          "    return new\n"),
)

def _network_wishes_namedtuple(nb):
    source = cell(nb, "network_wishes").source
    body = source.replace("    return W1_wish, b1_wish, W2_wish, b2_wish",
                          "    return Wishes(W1_wish, b1_wish, W2_wish, b2_wish)")
    assert body != source, "the solution's network_wishes changed: update the honest corpus"
    cell(nb, "network_wishes").source = ("from collections import namedtuple\n\n"
                                         "Wishes = namedtuple('Wishes', 'W1 b1 W2 b2')\n\n" + body)


def _lists_08(nb):
    """three_wishes and average_wishes return lists: the wording never asks for a tuple."""
    for grade_id, old in [("three_wishes", "    return bias, weights, previous"),
                          ("average_wishes", "    return bias_wishes.mean(axis=0), weight_wishes.mean(axis=0)")]:
        source = cell(nb, grade_id).source
        assert old in source, f"the solution's {grade_id} changed: update the honest corpus"
        cell(nb, grade_id).source = source.replace(old, old.replace("return ", "return [") + "]")


BACKWARD_09 = several(
    replace("sigmoid_backward", "def sigmoid_backward(dA, Z):\n    t = np.tanh(Z / 2)\n"
                                "    return dA * 0.25 * (1 - t ** 2)\n"),
    replace("relu_backward", "def relu_backward(dA, Z):\n    return np.where(Z > 0, dA, 0.0)\n"),
)


def _chatty_train(nb):
    source = cell(nb, "train").source
    anchor = "            losses.append(loss)\n"
    assert anchor in source, "the solution's train changed: update the honest corpus"
    cell(nb, "train").source = source.replace(anchor, anchor + (
        "        if _ % 10 == 0:\n"
        "            scores = mlp_forward(theta, sizes, X)\n"
        "            print(f'epoch {_}: loss {loss:.3f}, accuracy {accuracy(scores, labels):.3f}')\n"))


HELPERS_01 = (
    ("my_activations.py", "\"\"\"My own helpers for exercise 1.\"\"\"\nimport numpy as np\n\n\n"
     "def logistic(z):\n    # the same curve, written with tanh: no overflow\n"
     "    return 0.5 * (1 + np.tanh(np.asarray(z, dtype=float) / 2))\n"),
    ("my_notes.txt", "sigmoid'(z) = s (1 - s)\n"),
)


def _own_module(nb):
    """sigmoid and sigmoid_prime call a module handed in beside the notebook; a cell of the
    learner's own reads a text file handed in with it."""
    cell(nb, "sigmoid").source = ("from my_activations import logistic\n\n\n"
                                  "def sigmoid(z):\n    return logistic(z)\n")
    cell(nb, "sigmoid_prime").source = ("import my_activations\n\n\n"
                                        "def sigmoid_prime(z):\n    s = my_activations.logistic(z)\n"
                                        "    return s * (1 - s)\n")
    own_cell("sigmoid", "honest-notes", "with open('my_notes.txt') as notes:\n    print(notes.read())")(nb)


def _scratch(nb):
    """Cells of the learner's own in exercise 2: scratch work, a plot, shell escapes, timings, notes."""
    own_cell("dense_forward", "honest-scratch", "# does it work?\n"
             "dense_forward(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4)).shape")(nb)
    index = [c.get("id") for c in nb.cells].index("honest-scratch")
    for cell_id, code in [
            ("honest-plot", "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
             "z = np.linspace(-5, 5, 50)\nfig, ax = plt.subplots()\nax.plot(z, sigmoid(z))\n"
             "plt.savefig('my_sigmoid.png')\nplt.show()"),
            ("honest-shell", "!ls\n!pip list | head -3\nfiles = !ls\nprint(type(files).__name__)"),
    ]:
        index += 1
        new = nbformat.v4.new_code_cell(code)
        new["id"] = cell_id
        nb.cells.insert(index, new)
    own_cell("two_layer_forward", "honest-timing", "%%timeit -n1 -r1\n"
             "two_layer_forward(np.ones((5, 2)), np.ones((2, 3)), np.zeros(3), np.ones((3, 1)), np.zeros(1))")(nb)
    own_cell("count_parameters", "honest-notes", "from IPython.display import Markdown, HTML\n"
             "display(Markdown('**my notes**: Z = X @ W + b'), HTML('<i>two layers done</i>'))\n"
             "%time n = count_parameters([2, 3, 1])\nprint('knobs', n)")(nb)


CASES = [
    # IPython in every answer cell, every assignment
    *[Case("time_magic", a, "every answer cell starts with %%time", every_answer("%%time\n"))
      for a in notebooks.assignments()],
    Case("display_chatter", "01_neuron", "answer cells start with display('working on it'), end with print",
         every_answer("display('working on it')\n", "\nprint('cell done')\n")),
    Case("capture", "03_loss", "every answer cell starts with %%capture", every_answer("%%capture\n")),
    Case("line_magics", "06_descent", "%time and %who in the answer cells, loops with progress output",
         several(LOOPS_06, every_answer("%time 1 + 1\n", "\n%who_ls\n"))),
    # cells of the learner's own
    Case("scratch_cells", "02_layers", "scratch cells: a trailing expression, a saved inline plot, "
         "shell escapes, %%timeit, Markdown and HTML displays", _scratch),
    # other correct code
    Case("other_formulas", "01_neuron", "tanh-based sigmoid, np.where relu, a loop for weighted_sum",
         FORMULAS_01),
    Case("loops_03", "03_loss", "loops, np.logaddexp, a numpy float from cross_entropy, chatter", LOOPS_03),
    Case("numpy_scalars", "05_numerical_gradient", "network_loss and max_relative_error return numpy floats",
         SCALARS_05),
    Case("tanh_backward", "09_chain_rule", "sigmoid_backward via tanh, relu_backward via np.where",
         BACKWARD_09),
    # values that must cross the pipe exactly
    Case("neuron_loop", "01_neuron", "neuron applies the activation one example (a scalar) at a time",
         NEURON_LOOP),
    Case("zero_d", "03_loss", "mse returns a 0-d array", ZERO_D_03),
    Case("dict_subclasses", "07_training", "mean_gradient returns an OrderedDict, sgd_update a defaultdict",
         DICTS_07),
    Case("namedtuple", "08_wishes", "network_wishes returns a namedtuple", _network_wishes_namedtuple),
    Case("lists", "08_wishes", "three_wishes and average_wishes return lists, not tuples", _lists_08),
    # files handed in beside the notebook, as stock nbgrader finds them
    Case("own_module", "01_neuron", "sigmoid imports a module handed in beside the notebook; a cell "
         "reads a text file handed in with it", _own_module, HELPERS_01),
    # a given helper used while graded
    Case("chatty_train", "10_whole_picture", "train prints the loss and the given accuracy() every 10 epochs",
         _chatty_train),
]


def build(case, release_dir):
    """{file name: bytes} for the case's submission folder."""
    nb = copy.deepcopy(correct_notebook(case.assignment, release_dir))
    case.change(nb)
    files = {name: text.encode() for name, text in case.files}
    return {f"{case.assignment}_exercise.ipynb": nbformat.writes(nb).encode(), **files}


if __name__ == "__main__":  # list the corpus
    for c in CASES:
        print(f"{c.student:18} {c.assignment:22} {c.what}")
