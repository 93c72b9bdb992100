"""Exercise 1 (the neuron): graded functions, their cases, and known mistakes."""

import numpy as np

from autograder.reference import neuron as ref
from autograder.specs import sections
from course import given
from course.checking import Case, GradedFunction, Mistake

ASSIGNMENT = "01_neuron"
_section = sections(ASSIGNMENT)

ACTIVATIONS = _section("Squishing: three activations")
OVERFLOW = _section("Sigmoid without overflow")
SLOPES = _section("How steep is each activation?")
KINK = _section("ReLU's kink: a convention")
BATCH = _section("A neuron on a batch of inputs")


# ------------------------------------------------------------------ cases

def _z_cases_visible():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    grid = np.array([[-3.0, 1.0, 0.25], [4.0, -1.5, 0.0]])
    big = np.array([-1000.0, -40.0, 40.0, 1000.0])
    return [Case((z,), "z = [-2, -0.5, 0, 0.5, 2]", ("z",)),
            Case((grid,), "a 2 x 3 array z", ("z",)),
            Case((big,), "large |z|: z = [-1000, -40, 40, 1000]", ("z",)),
            Case((np.array([[1.5], [-0.25], [3.0]]),), "a column: z of shape (3, 1) keeps its shape",
                 ("z",))]


def _z_cases_hidden(rng):
    cases = []
    for shape in [(1,), (7,), (3, 4), (1, 1), (2, 3, 5)]:
        z = rng.normal(0.0, 3.0, size=shape)
        cases.append(Case((z,), f"random z of shape {shape}", ("z",)))
    big = np.array([-1000.0, -500.0, -40.0, -20.0, 20.0, 40.0, 500.0, 1000.0])
    cases.append(Case((big,), "large |z| (up to 1000)", ("z",)))
    kink = np.array([-1e-3, -1e-8, 0.0, 1e-8, 1e-3])
    cases.append(Case((kink,), "z near 0 (including exactly 0)", ("z",)))
    return cases


def _neuron_args(rng, n, d):
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    b = float(rng.normal())
    return X, w, b


def _weighted_sum_visible():
    X = np.array([[0.35, 0.7], [1.0, -1.0], [0.0, 0.0]])
    w = np.array([0.2, 0.3])
    X4 = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0], [-0.5, 0.0, 0.0], [3.0, 1.0, -2.0]])
    return [Case((X, w, 0.1), "X of shape (3, 2), w = [0.2, 0.3], b = 0.1", ("X", "w", "b")),
            Case((X4, np.array([0.5, -0.25, 1.0]), -0.3), "X of shape (4, 3), w = [0.5, -0.25, 1], "
                 "b = -0.3", ("X", "w", "b")),
            Case((np.array([[2.0, -1.0, 0.5]]), np.array([0.5, -0.25, 1.0]), 0.2),
                 "one example: X = [[2, -1, 0.5]] of shape (1, 3), still a z of shape (1,)", ("X", "w", "b"))]


def _weighted_sum_hidden(rng):
    cases = []
    for n, d in [(1, 1), (1, 4), (5, 3), (8, 1), (20, 6)]:
        cases.append(Case(_neuron_args(rng, n, d), f"random X of shape ({n}, {d})", ("X", "w", "b")))
    X, w, _ = _neuron_args(rng, 4, 3)
    X[1] = 0.0
    cases.append(Case((X, w, -0.7), "X with an all-zero row", ("X", "w", "b")))
    return cases


def _neuron_visible():
    X = np.array([[0.35, 0.7], [1.0, -1.0], [0.0, 0.0]])
    w = np.array([0.2, 0.3])
    one = np.array([[2.0, -1.0]])
    return [Case((X, w, 0.1, act), f"X of shape (3, 2) with activation {act.__name__}",
                 ("X", "w", "b", "activation"))
            for act in (given.sigmoid, given.relu)] + [
        Case((one, w, 0.1, given.sigmoid), "one example: X = [[2, -1]] of shape (1, 2), still an "
             "output of shape (1,)", ("X", "w", "b", "activation"))]


def _neuron_hidden(rng):
    cases = []
    for (n, d), act in zip([(1, 3), (6, 2), (10, 5), (4, 1)],
                           [ref.sigmoid, ref.tanh, ref.relu, ref.sigmoid]):
        cases.append(Case(_neuron_args(rng, n, d) + (act,),
                          f"random X of shape ({n}, {d}) with activation {act.__name__}",
                          ("X", "w", "b", "activation")))
    return cases


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


def _overflowing_sigmoid(z):
    return np.exp(z) / (1.0 + np.exp(z))


SIGMOID_MISTAKES = [
    _m("sign flip in the exponent", "You computed 1 / (1 + e^z); the sigmoid is 1 / (1 + e^-z), "
       "which rises from 0 to 1 as z grows.", ACTIVATIONS, lambda z: 1.0 / (1.0 + np.exp(z))),
    _m("missing the 1 +", "You computed 1 / e^-z = e^z; the sigmoid divides by 1 + e^-z.",
       ACTIVATIONS, lambda z: 1.0 / np.exp(-z)),
    _m("returned the input", "The function returned z unchanged; apply the sigmoid to it.",
       ACTIVATIONS, lambda z: z.copy()),
    _m("overflow for large z", "e^z / (1 + e^z) is inf / inf = nan once e^z overflows "
       "(z above about 709).", OVERFLOW, _overflowing_sigmoid),
]

TANH_MISTAKES = [
    _m("used the sigmoid", "tanh squashes into (-1, 1), not (0, 1).", ACTIVATIONS, ref.sigmoid),
    _m("sign flip", "Your tanh has the wrong sign: tanh(2) is about +0.964.", ACTIVATIONS,
       lambda z: -np.tanh(z)),
    _m("overflow for large |z|", "(e^z - e^-z) / (e^z + e^-z) is inf / inf = nan for large |z|; "
       "np.tanh, or 2 * sigmoid(2z) - 1, stays finite.", OVERFLOW,
       lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))),
    _m("returned the input", "The function returned z unchanged; apply tanh to it.",
       ACTIVATIONS, lambda z: z.copy()),
]

RELU_MISTAKES = [
    _m("absolute value", "You returned |z|; ReLU sends negative z to 0, it does not flip them.",
       ACTIVATIONS, np.abs),
    _m("kept the negative part", "You returned min(z, 0); ReLU keeps the positive part, max(z, 0).",
       ACTIVATIONS, lambda z: np.minimum(z, 0.0)),
    _m("returned the input", "The function returned z unchanged; negative z must become 0.",
       ACTIVATIONS, lambda z: z.copy()),
]

SIGMOID_PRIME_MISTAKES = [
    _m("missing the (1 - s) factor", "You returned s = sigmoid(z); the slope is s * (1 - s).",
       SLOPES, ref.sigmoid),
    _m("formula applied to z instead of sigmoid(z)", "You computed z * (1 - z); the slope is "
       "s * (1 - s) where s = sigmoid(z), not z itself.", SLOPES, lambda z: z * (1.0 - z)),
    _m("sign flip", "Your slope is negative; the sigmoid only ever rises, so its slope is positive.",
       SLOPES, lambda z: -ref.sigmoid_prime(z)),
    _m("returned the input", "The function returned z unchanged.", SLOPES, lambda z: z.copy()),
]

TANH_PRIME_MISTAKES = [
    _m("missing the square", "You returned 1 - tanh(z); the slope is 1 - tanh(z)^2.", SLOPES,
       lambda z: 1.0 - np.tanh(z)),
    _m("formula applied to z instead of tanh(z)", "You computed 1 - z^2; the slope is "
       "1 - t^2 where t = tanh(z).", SLOPES, lambda z: 1.0 - z ** 2),
    _m("sign flip", "You returned 1 + tanh(z)^2 or tanh(z)^2 - 1; the slope is 1 - tanh(z)^2, "
       "between 0 and 1.", SLOPES, lambda z: np.tanh(z) ** 2 - 1.0),
    _m("returned the activation", "You returned tanh(z) itself, not its slope.", SLOPES, np.tanh),
]

RELU_PRIME_MISTAKES = [
    _m("slope 1 at z = 0", "At exactly z = 0 this course uses the convention ReLU'(0) = 0 "
       "(use z > 0, not z >= 0).", KINK, lambda z: (z >= 0).astype(float)),
    _m("returned the activation", "You returned ReLU(z) itself; the slope is 1 for z > 0 and "
       "0 otherwise.", SLOPES, ref.relu),
    _m("sign flip", "You returned 1 where z < 0; the slope is 1 where z > 0.", SLOPES,
       lambda z: (z < 0).astype(float)),
]

WEIGHTED_SUM_MISTAKES = [
    _m("missing bias", "You returned X @ w; the weighted sum adds the bias: X @ w + b.", BATCH,
       lambda X, w, b: X @ w),
    _m("bias subtracted", "You computed X @ w - b; the bias is added.", BATCH,
       lambda X, w, b: X @ w - b),
    _m("summed over the batch", "You added up the whole batch; each row of X is one example and "
       "gets its own z.", BATCH, lambda X, w, b: np.atleast_1d(np.sum(X @ w + b))),
]

NEURON_MISTAKES = [
    _m("forgot the activation", "You returned the weighted sum z; the neuron's output is "
       "activation(z).", BATCH, lambda X, w, b, act: X @ w + b),
    _m("activation before the bias", "You computed activation(X @ w) + b; the bias goes inside: "
       "activation(X @ w + b).", BATCH, lambda X, w, b, act: act(X @ w) + b),
    _m("missing bias", "You computed activation(X @ w); the bias belongs inside the activation.",
       BATCH, lambda X, w, b, act: act(X @ w)),
]


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

def _s(z):
    return ref.sigmoid(z)


SIGMOID_MISTAKES += [
    _m("used tanh", "np.tanh squashes into (-1, 1); the sigmoid is 1 / (1 + e^-z), between 0 "
       "and 1.", ACTIVATIONS, np.tanh),
    _m("forgot to invert", "You returned 1 + e^-z; the sigmoid is one over that: "
       "1 / (1 + e^-z).", ACTIVATIONS, lambda z: 1.0 + np.exp(-z)),
]

TANH_MISTAKES += [
    _m("2 sigmoid(z) - 1 without doubling z", "tanh(z) = 2 sigmoid(2z) - 1: the sigmoid is taken "
       "at 2z. 2 sigmoid(z) - 1 is tanh(z / 2).", ACTIVATIONS, lambda z: 2.0 * _s(z) - 1.0),
]

RELU_MISTAKES += [
    _m("np.max instead of np.maximum", "np.max(z, 0) is the largest entry along axis 0 (one "
       "number for a vector); np.maximum(z, 0) compares every entry with 0.", ACTIVATIONS,
       lambda z: np.max(z, 0)),
    _m("returned the slope", "You returned 1 where z > 0 and 0 elsewhere, ReLU's slope; ReLU "
       "itself keeps z where z > 0.", ACTIVATIONS, lambda z: (z > 0).astype(float)),
]

SIGMOID_PRIME_MISTAKES += [
    _m("missing the s factor", "You returned 1 - s; the slope is s * (1 - s), the product of "
       "both.", SLOPES, lambda z: 1.0 - _s(z)),
    _m("mixed s and z", "You computed s * (1 - z): the input z slipped in where the output s "
       "belongs. The slope is s * (1 - s), both factors from s = sigmoid(z).", SLOPES,
       lambda z: _s(z) * (1.0 - z)),
    _m("squared instead of multiplied", "You returned s^2 or (1 - s)^2; the slope is s * (1 - s).",
       SLOPES, lambda z: _s(z) ** 2),
]

TANH_PRIME_MISTAKES += [
    _m("squared the input, not the output", "You computed 1 - tanh(z^2); the slope is "
       "1 - tanh(z)^2: square t = tanh(z).", SLOPES, lambda z: 1.0 - np.tanh(z ** 2)),
    _m("sech without the square", "tanh'(z) = sech(z)^2 = 1 / cosh(z)^2; you returned "
       "1 / cosh(z).", SLOPES, lambda z: 1.0 / np.cosh(z)),
]

RELU_PRIME_MISTAKES += [
    _m("slope 0.5 at z = 0", "np.heaviside(z, 0.5) puts 0.5 at z = 0; this course uses "
       "ReLU'(0) = 0: np.heaviside(z, 0.0), or (z > 0).", KINK, lambda z: np.heaviside(z, 0.5)),
    _m("np.sign instead of the slope", "np.sign(z) is -1 for negative z; ReLU is flat there, so "
       "its slope is 0.", SLOPES, lambda z: np.sign(z)),
]

WEIGHTED_SUM_MISTAKES += [
    _m("summed over the wrong axis", "np.sum(X * w, axis=0) adds up the examples; each example "
       "(row) sums its own inputs times weights: axis=1, or X @ w.", BATCH,
       lambda X, w, b: np.sum(X * w, axis=0) + b),
    _m("bias added to the weights", "X @ (w + b) adds b to every weight; the bias is added once, "
       "after the sum: X @ w + b.", BATCH, lambda X, w, b: X @ (w + b)),
]

NEURON_MISTAKES += [
    _m("activation applied to the inputs", "You squashed X before weighting it; the neuron "
       "squashes the weighted sum: activation(X @ w + b).", BATCH,
       lambda X, w, b, act: act(X) @ w + b),
]


# ------------------------------------------------------- graded functions

# The activations and their slopes are formulas, so they are checked to a few hundred float64
# roundings: any way of writing the formula passes (2 * sigmoid(2z) - 1 for tanh, 1 - s for the
# sigmoid's complement, ...), while an estimate does not: a central difference at h = 1e-5 is off
# by about 1e-11, a forward one by 1e-8, and tanh in float32 by 1e-8. The exercise's wording
# states these numbers.
FORMULA_RTOL, FORMULA_ATOL = 1e-12, 1e-14


def _activation(name, reference, mistakes, seed):
    return GradedFunction(name=name, reference=reference, visible_cases=_z_cases_visible,
                          hidden_cases=_z_cases_hidden, mistakes=mistakes, seed=seed,
                          rtol=FORMULA_RTOL, atol=FORMULA_ATOL)


GRADED = {g.name: g for g in [
    _activation("sigmoid", ref.sigmoid, SIGMOID_MISTAKES, 101),
    _activation("tanh", ref.tanh, TANH_MISTAKES, 102),
    _activation("relu", ref.relu, RELU_MISTAKES, 103),
    _activation("sigmoid_prime", ref.sigmoid_prime, SIGMOID_PRIME_MISTAKES, 104),
    _activation("tanh_prime", ref.tanh_prime, TANH_PRIME_MISTAKES, 105),
    _activation("relu_prime", ref.relu_prime, RELU_PRIME_MISTAKES, 106),
    GradedFunction(name="weighted_sum", reference=ref.weighted_sum,
                   visible_cases=_weighted_sum_visible, hidden_cases=_weighted_sum_hidden,
                   mistakes=WEIGHTED_SUM_MISTAKES, seed=107),
    GradedFunction(name="neuron", reference=ref.neuron, visible_cases=_neuron_visible,
                   hidden_cases=_neuron_hidden, mistakes=NEURON_MISTAKES, seed=108),
]}
