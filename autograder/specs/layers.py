"""Exercise 2 (layers and the forward pass): graded functions, their cases, and known mistakes."""

from functools import partial

import numpy as np

from autograder.reference import layers as ref
from autograder.reference.neuron import sigmoid
from autograder.specs import sections
from course.check_inputs import whole_number
from course.checking import Case, GradedFunction, Mistake

ASSIGNMENT = "02_layers"
_section = sections(ASSIGNMENT)

LAYER = _section("Three neurons side by side: a layer")
BATCH = _section("A batch is a stack of rows")
TOY = _section("The 2-3-1 network, traced with numbers")
COUNT = _section("Counting the knobs")

# The lesson's toy network (2 inputs, 3 hidden neurons, 1 output).
TOY_X = np.array([[0.35, 0.7]])
TOY_W1 = np.array([[0.2, 0.3, -0.4], [0.2, 0.3, 0.5]])
TOY_B1 = np.array([0.0, 0.0, 0.1])
TOY_W2 = np.array([[0.3], [0.9], [-0.5]])
TOY_B2 = np.array([0.0])


# ------------------------------------------------------------------ cases

DENSE_NAMES = ("X", "W", "b")
FORWARD_NAMES = ("X", "W1", "b1", "W2", "b2")


def _dense_visible():
    X = np.array([[0.35, 0.7], [1.0, -1.0], [0.0, 0.0]])
    X4 = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 3.0]])
    W4 = np.array([[0.5], [-1.0], [0.25]])
    return [Case((X, TOY_W1, TOY_B1), "X of shape (3, 2), the toy network's first layer W1, b1",
                 DENSE_NAMES),
            Case((X4, W4, np.array([0.1])), "4 examples, 3 inputs, one output neuron: Z of shape (4, 1)",
                 DENSE_NAMES)]


def _dense_args(rng, n, d_in, d_out, scale=1.0):
    return (rng.normal(size=(n, d_in)), scale * rng.normal(size=(d_in, d_out)),
            rng.normal(size=d_out))


def _dense_hidden(rng):
    cases = [Case(_dense_args(rng, n, d_in, d_out), f"random X ({n}, {d_in}), W ({d_in}, {d_out})",
                  DENSE_NAMES)
             for n, d_in, d_out in [(5, 3, 2), (1, 4, 3), (6, 1, 5), (2, 7, 1), (9, 4, 4)]]
    X, W, b = _dense_args(rng, 4, 3, 2)
    X[2] = 0.0
    cases.append(Case((X, W, b), "X with an all-zero row (its Z row must equal b)", DENSE_NAMES))
    return cases


def _forward_visible():
    X = np.array([[0.35, 0.7], [1.0, -1.0]])
    X4 = np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5], [-2.0, 1.0, 0.0], [0.0, 0.3, 1.2]])
    W1 = np.array([[0.5, -0.3, 0.1, 0.0, 0.2], [0.1, 0.2, -0.4, 0.3, 0.0], [-0.2, 0.0, 0.3, 0.1, 0.6]])
    W2 = np.array([[0.3, -0.1], [0.9, 0.2], [-0.5, 0.4], [0.0, 0.7], [0.2, -0.6]])
    return [Case((X, TOY_W1, TOY_B1, TOY_W2, TOY_B2),
                 "the toy 2-3-1 network on X = [[0.35, 0.7], [1, -1]]", FORWARD_NAMES),
            Case((X4, W1, np.array([0.0, 0.1, -0.1, 0.2, 0.0]), W2, np.array([0.1, -0.2])),
                 "a 3-5-2 network on 4 examples", FORWARD_NAMES)]


def _forward_args(rng, n, d_in, d_hidden, d_out, scale=1.0):
    return (rng.normal(size=(n, d_in)), scale * rng.normal(size=(d_in, d_hidden)),
            rng.normal(size=d_hidden), scale * rng.normal(size=(d_hidden, d_out)),
            rng.normal(size=d_out))


def _forward_hidden(rng):
    cases = [Case(_forward_args(rng, *shape), f"random network {shape[1]}-{shape[2]}-{shape[3]} "
                  f"on a batch of {shape[0]}", FORWARD_NAMES)
             for shape in [(5, 3, 4, 2), (1, 2, 3, 1), (8, 6, 2, 3), (3, 1, 5, 4)]]
    args = _forward_args(rng, 4, 3, 5, 2, scale=60.0)
    cases.append(Case(args, "large weights (|z| in the hundreds)", FORWARD_NAMES))
    X, *rest = _forward_args(rng, 3, 4, 3, 2)
    X[0] = 0.0
    cases.append(Case((X, *rest), "X with an all-zero row", FORWARD_NAMES))
    X, W1, b1, W2, b2 = _forward_args(rng, 3, 2, 4, 2)
    W1[:, 0], W2[:, 1] = [900.0, 0.0], 300.0  # z = 900 * x1 and |Z2| in the hundreds
    X[:, 0] = [1.0, -1.0, 2.0]
    cases.append(Case((X, W1, b1, W2, b2), "weighted sums beyond +-709, where exp overflows",
                      FORWARD_NAMES))
    return cases


def _count_visible():
    return [Case(([2, 3, 1],), "sizes = [2, 3, 1] (the toy network)", ("sizes",)),
            Case(([784, 16, 16, 10],), "sizes = [784, 16, 16, 10]", ("sizes",))]


def _count_hidden(rng):
    fixed = [[3, 5, 2], [1, 1], [4, 4], [10, 1], [64, 32, 32, 10], [5, 7, 3, 9, 2]]
    cases = [Case((sizes,), f"sizes = {sizes}", ("sizes",)) for sizes in fixed]
    sizes = [int(s) for s in rng.integers(1, 50, size=5)]
    cases.append(Case((sizes,), f"sizes = {sizes}", ("sizes",)))
    return cases


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


DENSE_MISTAKES = [
    _m("missing bias", "You returned X @ W; a layer adds its bias: Z = X @ W + b.", LAYER,
       lambda X, W, b: X @ W),
    _m("bias subtracted", "You computed X @ W - b; the bias is added.", LAYER,
       lambda X, W, b: X @ W - b),
    _m("examples as columns", "Your Z has one column per example; in this course each example is "
       "a row, so Z = X @ W + b has shape (n, d_out).", BATCH,
       lambda X, W, b: W.T @ X.T + b[:, None]),
    _m("applied the activation", "You squished Z through the sigmoid; dense_forward returns the "
       "pre-activation Z. The activation is a separate step.", LAYER,
       lambda X, W, b: sigmoid(X @ W + b)),
]


def _no_hidden_activation(X, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    Z2 = Z1 @ W2 + b2
    return Z1, Z1.copy(), Z2, sigmoid(Z2)


def _fed_z_forward(X, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    Z2 = Z1 @ W2 + b2
    return Z1, sigmoid(Z1), Z2, sigmoid(Z2)


def _no_output_activation(X, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    return Z1, A1, Z2, Z2.copy()


def _bias_after_activation(X, W1, b1, W2, b2):
    Z1 = X @ W1
    A1 = sigmoid(Z1) + b1
    Z2 = A1 @ W2
    return Z1, A1, Z2, sigmoid(Z2) + b2


FORWARD_MISTAKES = [
    _m("no activation on the hidden layer", "Your A1 equals Z1: the hidden layer's output is "
       "sigmoid(Z1). Without it, two layers collapse into one weighted sum.", TOY,
       _no_hidden_activation),
    _m("fed Z1 forward instead of A1", "Your second layer used Z1; it takes the hidden layer's "
       "activations: Z2 = A1 @ W2 + b2.", TOY, _fed_z_forward),
    _m("no activation on the output", "Your A2 equals Z2: in this network the output layer is a "
       "sigmoid too, A2 = sigmoid(Z2).", TOY, _no_output_activation),
    _m("bias added after the activation", "You computed sigmoid(X @ W) + b; the bias goes inside: "
       "sigmoid(X @ W + b).", TOY, _bias_after_activation),
]


def _layers(sizes):
    return list(zip(sizes[:-1], sizes[1:]))


COUNT_MISTAKES = [
    _m("forgot the biases", "You counted only the weights; each layer also has one bias per "
       "output neuron.", COUNT, lambda sizes: sum(a * b for a, b in _layers(sizes))),
    _m("counted neurons, not parameters", "You added up the layer widths; the knobs are the "
       "weights (d_in * d_out per layer) and the biases (d_out per layer).", COUNT,
       lambda sizes: sum(sizes)),
    _m("a bias for the inputs too", "You gave the input layer biases; inputs are data, not "
       "neurons, so only the layers after it have biases.", COUNT,
       lambda sizes: sum(a * b for a, b in _layers(sizes)) + sum(sizes)),
    _m("one bias per input", "You gave each layer d_in biases; a bias belongs to a neuron, so a "
       "layer from d_in to d_out has d_out biases.", COUNT,
       lambda sizes: sum(a * b + a for a, b in _layers(sizes))),
    _m("skipped the last layer", "Your loop stopped one layer early; a list of L + 1 widths "
       "describes L layers, and every one of them counts.", COUNT,
       lambda sizes: sum(a * b + b for a, b in _layers(sizes)[:-1])),
]


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

DENSE_MISTAKES += [
    _m("bias added to the weights", "X @ (W + b) adds each neuron's bias to every one of its "
       "weights; the bias is added once, after the weighted sum: X @ W + b.", LAYER,
       lambda X, W, b: X @ (W + b)),
]


def _relu_hidden(X, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ W2 + b2
    return Z1, A1, Z2, sigmoid(Z2)


FORWARD_MISTAKES += [
    _m("ReLU on the hidden layer", "This network uses the sigmoid in both layers: "
       "A1 = sigmoid(Z1).", TOY, _relu_hidden),
]


# ------------------------------------------------------- graded functions

GRADED = {g.name: g for g in [
    GradedFunction(name="dense_forward", reference=ref.dense_forward, visible_cases=_dense_visible,
                   hidden_cases=_dense_hidden, mistakes=DENSE_MISTAKES, seed=201),
    GradedFunction(name="two_layer_forward", reference=ref.two_layer_forward,
                   visible_cases=_forward_visible, hidden_cases=_forward_hidden,
                   mistakes=FORWARD_MISTAKES, outputs=("Z1", "A1", "Z2", "A2"), seed=202),
    GradedFunction(name="count_parameters", reference=ref.count_parameters,
                   visible_cases=_count_visible, hidden_cases=_count_hidden,
                   mistakes=COUNT_MISTAKES, seed=203,
                   extra_checks=(partial(whole_number, "count_parameters", ([784, 16, 16, 10],)),)),
]}
