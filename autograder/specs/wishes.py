"""Exercise 8 (what backpropagation is really doing): graded functions, cases, mistakes.

A wish is MINUS a gradient; a gradient returned where a wish is asked for is the
sign-flip mistake, and the checks name it.
"""

import numpy as np

from autograder.reference import wishes as ref
from autograder.reference.neuron import sigmoid
from autograder.specs import sections
from course.checking import Case, GradedFunction, Mistake

ASSIGNMENT = "08_wishes"
_section = sections(ASSIGNMENT)

OUTPUT = _section("What each output neuron wishes")
SIGN = _section("Wishes and gradients: the sign convention")
THREE = _section("Three ways to grant a wish")
THIRD = _section("Why the third way is only a wish")
BACKWARD = _section("Wishes roll backward, layer by layer")
AVERAGE = _section("Averaging wishes over examples")


# ------------------------------------------------------------------ cases

def _output_visible():
    A = np.array([[0.6651, 0.2], [0.9, 0.55]])
    Y = np.array([[0.5, 0.0], [1.0, 1.0]])
    A3 = np.array([[0.1, 0.8, 0.5], [0.95, 0.3, 0.0], [0.5, 0.5, 0.25], [0.7, 0.05, 1.0]])
    Y3 = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.0], [0.5, 0.5, 1.0], [1.0, 0.0, 1.0]])
    return [Case((A, Y), "A = [[0.6651, 0.2], [0.9, 0.55]], Y = [[0.5, 0], [1, 1]]", ("A", "Y")),
            Case((A3, Y3), "4 examples, 3 outputs: A and Y of shape (4, 3)", ("A", "Y"))]


def _output_hidden(rng):
    cases = []
    for n, k in [(1, 3), (1, 1), (6, 2), (20, 10)]:
        cases.append(Case((rng.uniform(size=(n, k)), rng.uniform(size=(n, k))),
                          f"random A, Y of shape ({n}, {k})", ("A", "Y")))
    cases.append(Case((np.zeros((0, 4)), np.zeros((0, 4))), "a batch of zero rows", ("A", "Y")))
    return cases


def _wz_visible():
    wish_A = np.array([[-0.1651, 0.3], [0.1, -0.45]])
    Z = np.array([[0.686, -1.0], [2.2, 0.0]])
    wish_A3 = np.array([[0.2, -0.1], [-0.3, 0.0], [0.1, 0.1]])
    Z3 = np.array([[0.0, 3.0], [-1.5, 0.5], [6.0, -0.2]])
    return [Case((wish_A, Z), "wish_A and Z of shape (2, 2)", ("wish_A", "Z")),
            Case((wish_A3, Z3), "3 examples, 2 neurons: wish_A and Z of shape (3, 2)", ("wish_A", "Z"))]


def _wz_hidden(rng):
    cases = []
    for shape in [(1, 3), (1, 1), (5, 4), (12, 2)]:
        cases.append(Case((rng.normal(size=shape), rng.normal(0.0, 3.0, size=shape)),
                          f"random wish_A, Z of shape {shape}", ("wish_A", "Z")))
    Z = np.array([[-800.0, -30.0, 0.0, 30.0, 800.0]])
    cases.append(Case((np.ones_like(Z), Z), "large |z| (saturated neurons)", ("wish_A", "Z")))
    cases.append(Case((np.zeros((0, 3)), np.zeros((0, 3))), "a batch of zero rows",
                      ("wish_A", "Z")))
    return cases


def _three_visible():
    A_prev = np.array([[0.9, 0.1, 0.5]])
    W = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    wish_Z = np.array([[-0.04, 0.02]])
    A4 = np.array([[0.9, 0.1, 0.5], [0.2, 0.6, 0.0], [1.0, 0.3, 0.7], [0.5, 0.5, 0.5]])
    wish_Z4 = np.array([[-0.04, 0.02], [0.1, -0.3], [0.0, 0.25], [0.05, 0.05]])
    return [Case((A_prev, W, wish_Z), "one example, 3 inputs, 2 neurons", ("A_prev", "W", "wish_Z")),
            Case((A4, W, wish_Z4), "a batch of 4 examples, 3 inputs, 2 neurons: one set of wishes "
                 "per example", ("A_prev", "W", "wish_Z"))]


def _layer_args(rng, n, d_in, d_out):
    return rng.uniform(size=(n, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=(n, d_out))


def _three_hidden(rng):
    cases = []
    for n, d_in, d_out in [(1, 4, 3), (1, 1, 1), (5, 3, 2), (9, 6, 4)]:
        cases.append(Case(_layer_args(rng, n, d_in, d_out),
                          f"random A_prev ({n}, {d_in}), W ({d_in}, {d_out}), wish_Z ({n}, {d_out})",
                          ("A_prev", "W", "wish_Z")))
    cases.append(Case((np.zeros((0, 3)), rng.normal(size=(3, 2)), np.zeros((0, 2))),
                      "a batch of zero rows", ("A_prev", "W", "wish_Z")))
    return cases


def _prop_visible():
    wish_Z = np.array([[-0.04, 0.02]])
    W = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    Z_prev = np.array([[2.2, -2.2, 0.0]])
    wish_Z4 = np.array([[-0.04, 0.02], [0.1, -0.3], [0.0, 0.25], [0.05, 0.05]])
    Z_prev4 = np.array([[2.2, -2.2, 0.0], [0.5, 1.0, -0.5], [0.0, 0.0, 0.0], [-3.0, 0.1, 1.5]])
    return [Case((wish_Z, W, Z_prev), "one example, 3 hidden neurons, 2 outputs",
                 ("wish_Z", "W", "Z_prev")),
            Case((wish_Z4, W, Z_prev4), "4 examples, 3 hidden neurons, 2 outputs",
                 ("wish_Z", "W", "Z_prev"))]


def _random_prop_cases(rng, z_scale):
    """Random (wish_Z, W, Z_prev) of several shapes, Z_prev spread by z_scale."""
    return [Case((rng.normal(size=(n, d_out)), rng.normal(size=(d_in, d_out)),
                  rng.normal(0.0, z_scale, size=(n, d_in))),
                 f"random wish_Z ({n}, {d_out}), W ({d_in}, {d_out}), Z_prev ({n}, {d_in})",
                 ("wish_Z", "W", "Z_prev"))
            for n, d_in, d_out in [(1, 4, 3), (1, 1, 1), (6, 3, 5), (10, 7, 2)]]


def _prop_hidden(rng):
    cases = _random_prop_cases(rng, 2.0)
    cases.append(Case((np.zeros((0, 2)), rng.normal(size=(3, 2)), np.zeros((0, 3))),
                      "a batch of zero rows", ("wish_Z", "W", "Z_prev")))
    return cases


def _tanh_prop_visible():
    W = np.array([[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]])
    wish_Z4 = np.array([[-0.04, 0.02], [0.1, -0.3], [0.0, 0.25], [0.05, 0.05]])
    Z_prev4 = np.array([[1.2, -0.8, 0.0], [0.5, 1.0, -0.5], [0.0, 0.3, 0.0], [-3.0, 0.1, 1.5]])
    return [Case((wish_Z4, W, Z_prev4), "4 examples, 3 tanh neurons behind 2 outputs",
                 ("wish_Z", "W", "Z_prev")),
            Case((np.array([[0.2]]), np.array([[0.5], [-1.0]]), np.array([[0.0, 1000.0]])),
                 "one example: wish_Z = [[0.2]], W = [[0.5], [-1]], Z_prev = [[0, 1000]] (one neuron saturated)",
                 ("wish_Z", "W", "Z_prev"))]


def _tanh_prop_hidden(rng):
    cases = _random_prop_cases(rng, 1.5)
    cases.append(Case((rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), 30.0 * rng.normal(size=(3, 4))),
                      "saturated tanh neurons (|Z_prev| up to about 100)", ("wish_Z", "W", "Z_prev")))
    cases.append(Case((np.zeros((0, 2)), rng.normal(size=(3, 2)), np.zeros((0, 3))),
                      "a batch of zero rows", ("wish_Z", "W", "Z_prev")))
    return cases


def _avg_visible():
    bias = np.array([[0.1, -0.2], [0.3, 0.0]])
    weights = np.array([[[0.09, -0.18]], [[0.03, 0.0]]])
    bias4 = np.array([[0.1, -0.2, 0.0], [0.3, 0.0, 0.5], [-0.1, 0.4, 0.2], [0.0, 0.2, -0.3]])
    weights4 = np.arange(24, dtype=float).reshape(4, 2, 3) / 10 - 1.0
    return [Case((bias, weights), "2 examples, 1 input, 2 neurons", ("bias_wishes", "weight_wishes")),
            Case((bias4, weights4), "4 examples, 2 inputs, 3 neurons", ("bias_wishes", "weight_wishes"))]


def _avg_hidden(rng):
    cases = []
    for n, d_in, d_out in [(1, 3, 2), (1, 1, 1), (4, 2, 3), (15, 5, 4)]:
        cases.append(Case((rng.normal(size=(n, d_out)), rng.normal(size=(n, d_in, d_out))),
                          f"random wishes of {n} examples, {d_in} inputs, {d_out} neurons",
                          ("bias_wishes", "weight_wishes")))
    return cases


NET_NAMES = ("X", "Y", "W1", "b1", "W2", "b2")


def _net_args(rng, n, d, h, k):
    return (rng.normal(size=(n, d)), rng.uniform(size=(n, k)), rng.normal(size=(d, h)),
            rng.normal(size=h), rng.normal(size=(h, k)), rng.normal(size=k))


def _net_visible():
    X = np.array([[0.35, 0.7], [1.0, -1.0], [0.0, 2.0]])
    Y = np.array([[0.5], [1.0], [0.0]])
    W1 = np.array([[0.2, 0.3], [0.2, 0.3]])
    X4 = np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5], [-2.0, 1.0, 0.0], [0.0, 0.3, 1.2]])
    Y4 = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [1.0, 1.0]])
    W1_4 = np.array([[0.5, -0.3, 0.1, 0.0, 0.2], [0.1, 0.2, -0.4, 0.3, 0.0], [-0.2, 0.0, 0.3, 0.1, 0.6]])
    W2_4 = np.array([[0.3, -0.1], [0.9, 0.2], [-0.5, 0.4], [0.0, 0.7], [0.2, -0.6]])
    return [Case((X, Y, W1, np.array([0.0, 0.1]), np.array([[0.3], [0.9]]), np.array([-0.1])),
                 "3 examples through a 2-2-1 network", NET_NAMES),
            Case((X4, Y4, W1_4, np.array([0.0, 0.1, -0.1, 0.2, 0.0]), W2_4, np.array([0.1, -0.2])),
                 "4 examples through a 3-5-2 network", NET_NAMES)]


def _net_hidden(rng):
    cases = []
    for n, d, h, k in [(1, 3, 4, 2), (1, 1, 1, 1), (5, 2, 3, 1), (12, 4, 6, 3)]:
        cases.append(Case(_net_args(rng, n, d, h, k), f"{n} random examples, a {d}-{h}-{k} network",
                          NET_NAMES))
    return cases


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


def _passed_back(wish_Z, W):
    return wish_Z @ W.T


TANH_PROP_MISTAKES = [
    _m("the sigmoid's slope", "These neurons are tanh neurons: a nudge of z moves tanh(z) by tanh's "
       "own slope, not by the sigmoid's s * (1 - s).", BACKWARD,
       lambda wish_Z, W, Z_prev: _passed_back(wish_Z, W) * sigmoid(Z_prev) * (1 - sigmoid(Z_prev))),
    _m("missing the square in tanh's slope", "tanh's slope is 1 - tanh(z) squared, not 1 - tanh(z): "
       "check it by nudging z in one example (lesson 1 tabled it).", BACKWARD,
       lambda wish_Z, W, Z_prev: _passed_back(wish_Z, W) * (1 - np.tanh(Z_prev))),
    _m("slope from z instead of tanh(z)", "tanh's slope is written with the neuron's activation "
       "tanh(z), not with z itself: 1 - z**2 is negative for |z| > 1.", BACKWARD,
       lambda wish_Z, W, Z_prev: _passed_back(wish_Z, W) * (1 - Z_prev ** 2)),
    _m("slope forgotten", "The activations' wishes become wishes on the weighted sums only through "
       "each neuron's slope: a saturated neuron (slope 0) cannot grant any wish.", BACKWARD,
       lambda wish_Z, W, Z_prev: _passed_back(wish_Z, W)),
    _m("sign flip: a gradient where a wish was asked for", "Wishes are minus the gradient: your "
       "result points the other way.", SIGN,
       lambda wish_Z, W, Z_prev: -_passed_back(wish_Z, W) * (1 - np.tanh(Z_prev) ** 2)),
]


SIGN_FLIP = ("sign flip: a gradient where a wish was asked for", )

OUTPUT_MISTAKES = [
    _m(SIGN_FLIP[0], "You returned A - Y, which is the gradient dC/dA. A wish is minus the "
       "gradient: Y - A, positive when the neuron should go up.", SIGN, lambda A, Y: A - Y),
    _m("squared the miss", "The wish is the miss itself, Y - A, with its sign; squaring loses "
       "which way the neuron should move.", OUTPUT, lambda A, Y: (Y - A) ** 2),
    _m("averaged over the batch", "Each example has its own wishes here; averaging comes later, "
       "when knobs are updated.", AVERAGE, lambda A, Y: (Y - A) / max(A.shape[0], 1)),
]

WZ_MISTAKES = [
    _m("missing the slope", "You returned wish_A unchanged; the weighted sum moves the activation "
       "only sigmoid'(z) per unit, so multiply by s * (1 - s).", THREE, lambda wA, Z: wA.copy()),
    _m("slope of z instead of sigmoid(z)", "You used Z * (1 - Z); the slope is s * (1 - s) with "
       "s = sigmoid(Z).", THREE, lambda wA, Z: wA * Z * (1 - Z)),
    _m(SIGN_FLIP[0], "Your wishes point the wrong way: the slope is positive, so the wish on z has "
       "the same sign as the wish on the activation.", SIGN,
       lambda wA, Z: -ref.weighted_sum_wishes(wA, Z)),
]


def _three_variant(weights_T=False, prev_ignores_W=False, sign=1.0, bias_sum=False):
    def wrong(A_prev, W, wish_Z):
        bias, weights, previous = ref.three_wishes(A_prev, W, wish_Z)
        if weights_T:
            weights = np.transpose(weights, (0, 2, 1)).copy()
        if prev_ignores_W:
            previous = np.repeat(wish_Z.sum(axis=1, keepdims=True), A_prev.shape[1], axis=1)
        if bias_sum:
            bias = np.repeat(wish_Z.sum(axis=1, keepdims=True), wish_Z.shape[1], axis=1)
        return sign * bias, sign * weights, sign * previous
    return wrong


THREE_MISTAKES = [
    _m(SIGN_FLIP[0], "All three are gradients, not wishes: a wish is minus the gradient, so the "
       "bias wish is the neuron's own wish_Z, not -wish_Z.", SIGN, _three_variant(sign=-1.0)),
    _m("weight wishes transposed", "Weight wishes have W's layout per example, (d_in, d_out): entry "
       "[i, j] is a_prev_i * wish_j.", THREE, _three_variant(weights_T=True)),
    _m("previous-layer wishes ignore the weights", "Neuron j pulls on input i through W[i, j]: the "
       "previous layer's wish is sum_j W[i, j] * wish_j (wish_Z @ W.T).", THIRD,
       _three_variant(prev_ignores_W=True)),
]


def _prop_variant(slope=True, sign=1.0, ignore_W=False):
    def wrong(wish_Z, W, Z_prev):
        pulled = (np.repeat(wish_Z.sum(axis=1, keepdims=True), W.shape[0], axis=1)
                  if ignore_W else wish_Z @ W.T)
        s = sigmoid(Z_prev)
        return sign * pulled * (s * (1 - s) if slope else 1.0)
    return wrong


PROP_MISTAKES = [
    _m("missing the slope", "The previous layer's neurons can move their activations only "
       "through their own sigmoid: multiply by sigmoid'(Z_prev).", BACKWARD,
       _prop_variant(slope=False)),
    _m(SIGN_FLIP[0], "Your wishes point the wrong way; passing a wish back keeps its sign "
       "(times the weight).", SIGN, _prop_variant(sign=-1.0)),
    _m("previous-layer wishes ignore the weights", "Each neuron's wish reaches input i through "
       "W[i, j]: use wish_Z @ W.T.", THIRD, _prop_variant(ignore_W=True)),
]

AVG_MISTAKES = [
    _m("summed instead of averaged", "Average over the examples (divide by n): the step follows "
       "what the examples want on average.", AVERAGE,
       lambda b, w: (b.sum(axis=0), w.sum(axis=0))),
    _m("averaged over the wrong axis", "Examples are axis 0; averaging over neurons or inputs "
       "mixes different knobs.", AVERAGE, lambda b, w: (b.mean(axis=1), w.mean(axis=1))),
]


def _net_variant(sign=1.0, average=True, hidden_slope=True):
    def wrong(X, Y, W1, b1, W2, b2):
        Z1, A1, Z2, A2 = ref.forward(X, W1, b1, W2, b2)
        wz2 = (Y - A2) * A2 * (1 - A2)
        wz1 = wz2 @ W2.T * (A1 * (1 - A1) if hidden_slope else 1.0)
        n = X.shape[0] if average else 1
        return (sign * X.T @ wz1 / n, sign * wz1.sum(0) / n, sign * A1.T @ wz2 / n,
                sign * wz2.sum(0) / n)
    return wrong


NET_MISTAKES = [
    _m(SIGN_FLIP[0], "You returned the gradient of the cost; the wishes are minus the gradient "
       "(they point downhill).", SIGN, _net_variant(sign=-1.0)),
    _m("summed instead of averaged", "Average the wishes over the batch: divide the sums over "
       "examples by n.", AVERAGE, _net_variant(average=False)),
    _m("missing the slope in the hidden layer", "Wishes passed back to the hidden layer must be "
       "multiplied by the hidden neurons' slopes.", BACKWARD, _net_variant(hidden_slope=False)),
    _m("weight wishes transposed", "W1's wishes have W1's shape: X.T @ wish_Z1.", THREE,
       lambda *a: (lambda r: (r[0].T.copy(),) + r[1:])(ref.network_wishes(*a))),
]


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

OUTPUT_MISTAKES += [
    _m("multiplied by the sigmoid's slope already", "The wish on an activation is the miss "
       "Y - A; the slope A (1 - A) comes in one step later, for the wish on z.", OUTPUT,
       lambda A, Y: (Y - A) * A * (1 - A)),
]

WZ_MISTAKES += [
    _m("divided by the slope", "z moves the activation by sigmoid'(z) per unit, so the wish on z "
       "is the wish on the activation *times* the slope.", THREE,
       lambda wA, Z: wA / (sigmoid(Z) * (1 - sigmoid(Z)))),
]


# ------------------------------------------------------- graded functions

GRADED = {g.name: g for g in [
    GradedFunction(name="output_wishes", reference=ref.output_wishes,
                   visible_cases=_output_visible, hidden_cases=_output_hidden,
                   mistakes=OUTPUT_MISTAKES, seed=801),
    GradedFunction(name="weighted_sum_wishes", reference=ref.weighted_sum_wishes,
                   visible_cases=_wz_visible, hidden_cases=_wz_hidden,
                   mistakes=WZ_MISTAKES, seed=802),
    GradedFunction(name="three_wishes", reference=ref.three_wishes,
                   visible_cases=_three_visible, hidden_cases=_three_hidden,
                   mistakes=THREE_MISTAKES, outputs=("bias", "weights", "previous"), seed=803),
    GradedFunction(name="propagate_wishes", reference=ref.propagate_wishes,
                   visible_cases=_prop_visible, hidden_cases=_prop_hidden,
                   mistakes=PROP_MISTAKES, seed=804),
    GradedFunction(name="tanh_propagate_wishes", reference=ref.tanh_propagate_wishes,
                   visible_cases=_tanh_prop_visible, hidden_cases=_tanh_prop_hidden,
                   mistakes=TANH_PROP_MISTAKES, seed=807),
    GradedFunction(name="average_wishes", reference=ref.average_wishes,
                   visible_cases=_avg_visible, hidden_cases=_avg_hidden,
                   mistakes=AVG_MISTAKES, outputs=("bias", "weights"), seed=805),
    GradedFunction(name="network_wishes", reference=ref.network_wishes,
                   visible_cases=_net_visible, hidden_cases=_net_hidden,
                   mistakes=NET_MISTAKES, outputs=("W1", "b1", "W2", "b2"), seed=806),
]}
