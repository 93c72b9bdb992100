"""Exercise 5 (the gradient by nudging every knob): graded functions, cases, known mistakes.

numerical_gradient is checked with a watched loss function: every time the learner's code
asks for the loss, the watcher compares the parameters it is handed with the ones the case
started from. More than one moved entry means an earlier nudge was not put back, and the
check stops there with a message that names the restore mistake (an entry off by a few
units in the last place: the restore was done by arithmetic; off by about h: not restored).
"""

from functools import partial

import numpy as np

from autograder.reference import numerical_gradient as ref
from autograder.specs import sections
from course.check_inputs import (
    EVERY_KNOB,
    NOT_RESTORED,
    ONE_KNOB,
    RESTORE_EXPLANATIONS,
    RESTORE_OFF_BY_ONE,
    WHOLE_ARRAY,
    CubicLoss,
    NetworkLoss,
    WatchedLoss,
    restores_bit_for_bit,
)
from course.checking import Case, GradedFunction, Mistake
from course.gradcheck import TINY

ASSIGNMENT = "05_numerical_gradient"
_section = sections(ASSIGNMENT)

TOY = _section("The toy network and its loss")
RELATIVE = _section("How close is close? The relative error")

def _params_for(rng, sizes):
    return ref.init_params(sizes, seed=int(rng.integers(1 << 30)), scale=2.0)


def _data(rng, n, d_in, d_out):
    X = rng.normal(size=(n, d_in))
    Y = rng.uniform(0.05, 0.95, size=(n, d_out))
    return X, Y


def _examples(n):
    return "one example" if n == 1 else f"{n} examples"


def _network_case(rng, sizes, n, h, label):
    params = _params_for(rng, sizes)
    X, Y = _data(rng, n, sizes[0], sizes[-1])
    loss = WatchedLoss(lambda p, X=X, Y=Y: ref.network_loss(p, X, Y), params,
                       f"the {'-'.join(map(str, sizes))} network's loss")
    return Case((loss, params, h), label, ("loss_fn", "params", "h"))


def _quadratic_case(rng, h):
    """A loss whose gradient is known exactly: sum of c * x^3 over the entries of a matrix and a vector."""
    params = {"A": rng.normal(size=(2, 3)), "v": rng.normal(size=4)}
    c = {"A": rng.uniform(0.5, 2.0, size=(2, 3)), "v": rng.uniform(0.5, 2.0, size=4)}
    loss = WatchedLoss(CubicLoss(c), params,
                       "a cubic loss")
    return Case((loss, params, h), "a cubic loss of a (2, 3) matrix 'A' and a (4,) vector 'v'",
                ("loss_fn", "params", "h"))


TOY_X, TOY_Y, toy_params = ref.TOY_X, ref.TOY_Y, ref.toy_params


# ------------------------------------------------------------------ cases

# A stated three-layer network (2-2-2-2) and one example: the visible checks' deeper network,
# so that a forward pass written for exactly two layers fails where a learner sees it.
DEEP_LABEL = ("a three-layer 2-2-2-2 network on one example: W1 = [[1, -1], [0.5, 2]], "
              "b1 = [0, 0.5], W2 = [[0.5, -0.5], [1, 2]], b2 = [0, -1], W3 = [[2, -1], [-1, 1]], "
              "b3 = [0.1, 0], X = [[0.5, -1]]")


def deep_params():
    return {"W1": np.array([[1.0, -1.0], [0.5, 2.0]]), "b1": np.array([0.0, 0.5]),
            "W2": np.array([[0.5, -0.5], [1.0, 2.0]]), "b2": np.array([0.0, -1.0]),
            "W3": np.array([[2.0, -1.0], [-1.0, 1.0]]), "b3": np.array([0.1, 0.0])}


DEEP_X = np.array([[0.5, -1.0]])
DEEP_Y = np.array([[1.0, 0.0]])


def _large_weights():
    params = toy_params()
    params["W1"] = params["W1"] * 300.0
    return params


def _forward_visible():
    return [Case((toy_params(), TOY_X), "the lesson's 2-3-1 network on its 4 examples",
                 ("params", "X")),
            Case((deep_params(), DEEP_X), DEEP_LABEL, ("params", "X")),
            Case((_large_weights(), TOY_X),
                 "very large weights: the lesson's network with W1 multiplied by 300",
                 ("params", "X")),
            Case((ref.init_params((3, 4, 2), seed=3), np.linspace(-1.0, 1.0, 15).reshape(5, 3)),
                 "a 3-4-2 network (init_params((3, 4, 2), seed=3)) on 5 examples: outputs of shape (5, 2)",
                 ("params", "X"))]


def _forward_hidden(rng):
    cases = []
    for sizes, n in [((2, 3, 1), 1), ((2, 3, 1), 9), ((4, 5, 3), 6), ((3, 2), 5),
                     ((5, 4, 3, 2), 7)]:
        X, _ = _data(rng, n, sizes[0], sizes[-1])
        cases.append(Case((_params_for(rng, sizes), X),
                          f"a random {'-'.join(map(str, sizes))} network on {_examples(n)}",
                          ("params", "X")))
    params = _params_for(rng, (2, 3, 1))
    params["W1"] *= 300.0
    cases.append(Case((params, rng.normal(size=(4, 2))), "a 2-3-1 network with very large weights",
                      ("params", "X")))
    return cases


def _loss_visible():
    return [Case((toy_params(), TOY_X, TOY_Y), "the lesson's 2-3-1 network on its 4 examples",
                 ("params", "X", "Y")),
            Case((deep_params(), DEEP_X, DEEP_Y), DEEP_LABEL + ", Y = [[1, 0]]",
                 ("params", "X", "Y"))]


def _loss_hidden(rng):
    cases = []
    for sizes, n in [((2, 3, 1), 1), ((2, 3, 1), 12), ((4, 5, 3), 6), ((5, 4, 3, 2), 7)]:
        X, Y = _data(rng, n, sizes[0], sizes[-1])
        cases.append(Case((_params_for(rng, sizes), X, Y),
                          f"a random {'-'.join(map(str, sizes))} network on {_examples(n)}",
                          ("params", "X", "Y")))
    return cases


def _gradient_visible():
    params = toy_params()
    loss = WatchedLoss(NetworkLoss(TOY_X, TOY_Y), params, "the toy loss")
    deep = deep_params()
    deep_loss = WatchedLoss(NetworkLoss(DEEP_X, DEEP_Y), deep,
                            "the three-layer network's loss")
    return [Case((loss, params, 1e-3), "the lesson's 2-3-1 network, h = 1e-3",
                 ("loss_fn", "params", "h")),
            Case((deep_loss, deep, 1e-4), DEEP_LABEL + ", Y = [[1, 0]], h = 1e-4",
                 ("loss_fn", "params", "h")),
            _cubic_visible()]


def _cubic_visible():
    """Keys that are not W1, b1, ... and a step h large enough to show: for sum(c * x^3) the
    central difference is 3 c x^2 + c h^2, so h = 0.5 adds 0.25 c to every slope."""
    params = {"A": np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]), "v": np.array([1.0, -2.0, 0.25, 3.0])}
    c = {"A": np.array([[1.0, 2.0, 0.5], [1.0, 1.5, 2.0]]), "v": np.array([0.5, 1.0, 2.0, 1.0])}
    return Case((WatchedLoss(CubicLoss(c), params, "a cubic loss"), params, 0.5),
                "a cubic loss sum(c * x**3) of a (2, 3) matrix 'A' and a (4,) vector 'v', h = 0.5",
                ("loss_fn", "params", "h"))


def _gradient_hidden(rng):
    return [
        _network_case(rng, (2, 3, 1), 6, 1e-3, "a random 2-3-1 network, h = 1e-3"),
        _network_case(rng, (3, 4, 2), 5, 1e-3, "a random 3-4-2 network, h = 1e-3"),
        _network_case(rng, (2, 2, 2, 1), 1, 1e-2, "a random 2-2-2-1 network on one example, h = 1e-2"),
        _network_case(rng, (4, 3), 8, 1e-4, "a random one-layer 4-3 network, h = 1e-4"),
        _quadratic_case(rng, 1e-3),
    ]


def _pair(rng, shape):
    a = rng.normal(size=shape)
    b = a + rng.normal(scale=1e-3, size=shape) * np.abs(a)
    return a, b


def _relative_visible():
    a = np.array([2.0, -0.5, 1e-3, 0.0, 3.0])
    b = np.array([2.001, -0.5, 1.1e-3, 0.0, -3.0])
    return [Case((a, b), "a = [2, -0.5, 1e-3, 0, 3], b = [2.001, -0.5, 1.1e-3, 0, -3]", ("a", "b")),
            Case((np.array([[-1.0, -2.0], [1e-14, 4.0]]), np.array([[-2.0, -1.0], [0.0, 4.0]])),
                 "negative values and a tiny one: a = [[-1, -2], [1e-14, 4]], b = [[-2, -1], [0, 4]]",
                 ("a", "b"))]


def _relative_hidden(rng):
    cases = []
    for shape in [(1,), (6,), (3, 4), (2, 3, 2)]:
        cases.append(Case(_pair(rng, shape), f"random a, b of shape {shape}", ("a", "b")))
    a = np.array([0.0, 0.0, 1e-14, -2.0, 5.0, -1e-3])
    b = np.array([0.0, 1e-9, -1e-14, -1.0, -5.0, -2e-3])
    cases.append(Case((a, b), "zeros, tiny values, opposite signs", ("a", "b")))
    return cases


def _grads_pair(rng, shapes):
    a = {name: rng.normal(size=shape) for name, shape in shapes.items()}
    b = {name: g * (1 + rng.normal(scale=10.0 ** rng.uniform(-9, -3), size=g.shape))
         for name, g in a.items()}
    return a, b


def _max_relative_visible():
    a = {"W1": np.array([[0.1, -0.2], [0.3, 0.4]]), "b1": np.array([0.5, -0.25])}
    b = {"W1": np.array([[0.1, -0.2], [0.3, 0.4004]]), "b1": np.array([0.5, -0.2499])}
    last_a = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([0.5]), "W2": np.array([[1.0]]),
              "b2": np.array([0.2])}
    last_b = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([0.5]), "W2": np.array([[1.0]]),
              "b2": np.array([0.3])}
    return [Case((a, b), "two small gradient dicts", ("grads_a", "grads_b")),
            Case((last_a, last_b), "the worst entry in the last array: b2 = [0.2] against [0.3], "
                 "every other entry equal", ("grads_a", "grads_b"))]


def _max_relative_hidden(rng):
    cases = []
    for shapes in [{"W1": (2, 3), "b1": (3,), "W2": (3, 1), "b2": (1,)},
                   {"W1": (1, 1), "b1": (1,)},
                   {"W1": (4, 5), "b1": (5,), "W2": (5, 3), "b2": (3,), "W3": (3, 2), "b3": (2,)}]:
        cases.append(Case(_grads_pair(rng, shapes), f"random gradients with keys {list(shapes)}",
                          ("grads_a", "grads_b")))
    a, b = _grads_pair(rng, {"W1": (2, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)})
    b["b2"] = b["b2"] * 1.01  # the worst entry is in the last array
    cases.append(Case((a, b), "gradients whose worst entry is in the last array",
                      ("grads_a", "grads_b")))
    return cases


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


def _forward_no_output_sigmoid(params, X):
    a = X
    layers = sum(1 for k in params if k.startswith("W"))
    for k in range(1, layers + 1):
        z = a @ params[f"W{k}"] + params[f"b{k}"]
        a = ref.sigmoid(z) if k < layers else z
    return a


def _forward_no_bias(params, X):
    a = X
    for k in range(1, sum(1 for key in params if key.startswith("W")) + 1):
        a = ref.sigmoid(a @ params[f"W{k}"])
    return a


def _forward_first_layer_only(params, X):
    return ref.sigmoid(X @ params["W1"] + params["b1"])


FORWARD_MISTAKES = [
    _m("no sigmoid on the output layer", "Every layer of this network, the last one included, "
       "squishes its weighted sum with the sigmoid.", TOY, _forward_no_output_sigmoid),
    _m("missing biases", "Each layer adds its bias before the sigmoid: sigmoid(a @ W + b).", TOY,
       _forward_no_bias),
    _m("stopped after the first layer", "The output of layer 1 is the input of layer 2: loop over "
       "W1, b1, W2, b2, ... until there is no next W.", TOY, _forward_first_layer_only),
]

def _errors(params, X, Y):
    return ref.network_forward(params, X) - Y


LOSS_MISTAKES = [
    _m("summed instead of averaged", "The cost is an average over the examples, so it does not "
       "grow with their number: divide the summed half squared errors by n, the number of rows.",
       TOY, lambda params, X, Y: 0.5 * float(np.sum(_errors(params, X, Y) ** 2))),
    _m("errors not squared", "Square each error before summing: otherwise positive and negative "
       "errors cancel.", TOY, lambda params, X, Y: 0.5 * float(np.sum(_errors(params, X, Y))) / len(X)),
    _m("absolute errors instead of squared", "The cost squares each error; |output - Y| gives a "
       "different loss.", TOY,
       lambda params, X, Y: 0.5 * float(np.sum(np.abs(_errors(params, X, Y)))) / len(X)),
    _m("plain mean squared error, without the half", "np.mean((output - Y) ** 2) is another "
       "convention (scikit-learn's, PyTorch's MSELoss), exactly twice this course's cost: lesson 3's "
       "cost is half the squared error, averaged over the examples.", TOY,
       lambda params, X, Y: float(np.mean(_errors(params, X, Y) ** 2))),
    _m("averaged over every entry instead of over the examples", "With several outputs, "
       "0.5 * np.mean(errors ** 2) also divides by the number of outputs. The cost sums the half "
       "squared errors of an example's outputs, then averages over the n examples.", TOY,
       lambda params, X, Y: 0.5 * float(np.mean(_errors(params, X, Y) ** 2))),
]


def _gradient_variant(step):
    """A numerical gradient whose per-entry step (loss_fn, params, p, index, h) -> slope varies."""
    def numerical_gradient(loss_fn, params, h):
        grads = {}
        for name, p in params.items():
            g = np.zeros_like(p)
            for index in np.ndindex(p.shape):
                g[index] = step(loss_fn, params, p, index, h)
            grads[name] = g
        return grads
    return numerical_gradient


def _forward_step(loss_fn, params, p, index, h):
    saved = p[index]
    base = loss_fn(params)
    p[index] = saved + h
    plus = loss_fn(params)
    p[index] = saved
    return (plus - base) / h


def _half_denominator_step(loss_fn, params, p, index, h):
    saved = p[index]
    p[index] = saved + h
    plus = loss_fn(params)
    p[index] = saved - h
    minus = loss_fn(params)
    p[index] = saved
    return (plus - minus) / h


def _arithmetic_restore_step(loss_fn, params, p, index, h):
    p[index] += h
    plus = loss_fn(params)
    p[index] -= 2 * h
    minus = loss_fn(params)
    p[index] += h
    return (plus - minus) / (2 * h)


def _no_restore_step(loss_fn, params, p, index, h):
    p[index] += h
    plus = loss_fn(params)
    p[index] -= 2 * h
    minus = loss_fn(params)
    return (plus - minus) / (2 * h)


def _swapped_step(loss_fn, params, p, index, h):
    return -_half_denominator_step(loss_fn, params, p, index, h) / 2


def _whole_array_gradient(loss_fn, params, h):
    grads = {}
    for name, p in params.items():
        saved = p.copy()
        p += h
        plus = loss_fn(params)
        p[...] = saved - h
        minus = loss_fn(params)
        p[...] = saved
        grads[name] = np.full(p.shape, (plus - minus) / (2 * h))
    return grads


GRADIENT_MISTAKES = [
    _m("forward difference used where central was asked", "You measured (L(x + h) - L(x)) / h; "
       "this exercise asks for central differences, (L(x + h) - L(x - h)) / (2h), whose error "
       "shrinks like h^2 instead of h.", ONE_KNOB, _gradient_variant(_forward_step)),
    _m("divided by h instead of 2h", "The two measuring points x + h and x - h are 2h apart: "
       "divide the rise by 2h.", ONE_KNOB, _gradient_variant(_half_denominator_step)),
    _m("subtraction the wrong way round", "Your slopes have the wrong sign: the rise is "
       "L(x + h) - L(x - h), not L(x - h) - L(x + h).", ONE_KNOB, _gradient_variant(_swapped_step)),
    _m(RESTORE_OFF_BY_ONE, RESTORE_EXPLANATIONS[RESTORE_OFF_BY_ONE], ONE_KNOB,
       _gradient_variant(_arithmetic_restore_step)),
    _m(NOT_RESTORED, RESTORE_EXPLANATIONS[NOT_RESTORED], ONE_KNOB,
       _gradient_variant(_no_restore_step)),
    _m(WHOLE_ARRAY, RESTORE_EXPLANATIONS[WHOLE_ARRAY], EVERY_KNOB, _whole_array_gradient),
]

RELATIVE_MISTAKES = [
    _m("no absolute values in the denominator", "max(a, b) of two negative numbers is negative; "
       "the denominator is max(|a|, |b|, tiny).", RELATIVE,
       lambda a, b: np.abs(a - b) / np.maximum(np.maximum(a, b), TINY)),
    _m("divided by |b| only", "Dividing by one side makes the measure lopsided; divide by the "
       "larger of |a| and |b| (and tiny).", RELATIVE,
       lambda a, b: np.abs(a - b) / np.maximum(np.abs(b), TINY)),
    _m("no tiny in the denominator", "Where a and b are both 0 the ratio is 0 / 0 = nan; the "
       f"tiny floor (lesson 4's TINY, {TINY:g}) makes it 0.", RELATIVE,
       lambda a, b: np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))),
    _m("no absolute value in the numerator", "The relative error is never negative: take |a - b|.",
       RELATIVE, lambda a, b: (a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), TINY)),
    _m("divided by the sum", "The denominator is the larger of |a| and |b|, not |a| + |b|, so "
       "that the error of two opposite numbers is 2.", RELATIVE,
       lambda a, b: np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), TINY)),
]

MAX_RELATIVE_MISTAKES = [
    _m("mean instead of max", "One bad entry is enough to make a gradient wrong: report the worst "
       "entry (the max), not the average.", RELATIVE,
       lambda ga, gb: float(np.mean(np.concatenate(
           [ref.relative_error(ga[k], gb[k]).ravel() for k in ga])))),
    _m("only the first array", "Look at every array of the dict, not just the first one.",
       RELATIVE, lambda ga, gb: float(np.max(ref.relative_error(ga["W1"], gb["W1"])))),
    _m("relative error of the sums", "Compare entry by entry: summing first lets errors of opposite "
       "sign cancel.", RELATIVE,
       lambda ga, gb: float(max(ref.relative_error(np.sum(ga[k]), np.sum(gb[k])) for k in ga))),
]


# ------------------------------------------------------- extra checks

def _restore_case():
    """The parameters, data and h the bit-for-bit restore check uses."""
    rng = np.random.default_rng(55)
    params = _params_for(rng, (2, 3, 1))
    params["W1"][0, 0] = 1.3  # 1.3 + 1e-3 - 2e-3 + 1e-3 is not 1.3 in floating point
    X, Y = _data(rng, 5, 2, 1)
    return params, X, Y


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

FORWARD_MISTAKES += [
    _m("bias added after the sigmoid", "Each layer adds its bias inside: sigmoid(a @ W + b), "
       "not sigmoid(a @ W) + b.", TOY,
       lambda params, X: _forward_bias_outside(params, X)),
]


def _forward_bias_outside(params, X):
    a = X
    for k in range(1, sum(1 for key in params if key.startswith("W")) + 1):
        a = ref.sigmoid(a @ params[f"W{k}"]) + params[f"b{k}"]
    return a


LOSS_MISTAKES += [
    _m("forgot the half", "Without the 0.5 your cost is twice the course's (another convention, "
       "not a bug in itself); lesson 3's cost is half the squared error, averaged over examples.",
       TOY, lambda params, X, Y: float(np.sum(_errors(params, X, Y) ** 2)) / len(X)),
]

RELATIVE_MISTAKES += [
    _m("tiny added instead of taken as a floor", "The denominator is max(|a|, |b|, tiny); "
       "adding tiny shifts every small error.", RELATIVE,
       lambda a, b: np.abs(a - b) / (np.maximum(np.abs(a), np.abs(b)) + TINY)),
]

MAX_RELATIVE_MISTAKES += [
    _m("largest absolute difference", "The check judges relative errors, entry by entry: "
       "|a - b| / max(|a|, |b|, tiny), then the largest of those.", RELATIVE,
       lambda ga, gb: float(max(np.max(np.abs(ga[k] - gb[k])) for k in ga))),
]


# ------------------------------------------------------- graded functions

GRADED = {g.name: g for g in [
    GradedFunction(name="network_forward", reference=ref.network_forward,
                   visible_cases=_forward_visible, hidden_cases=_forward_hidden,
                   mistakes=FORWARD_MISTAKES, seed=501),
    GradedFunction(name="network_loss", reference=ref.network_loss, visible_cases=_loss_visible,
                   hidden_cases=_loss_hidden, mistakes=LOSS_MISTAKES, seed=502,
                   rtol=1e-10, atol=1e-12),
    GradedFunction(name="numerical_gradient", reference=ref.numerical_gradient,
                   visible_cases=_gradient_visible, hidden_cases=_gradient_hidden,
                   mistakes=GRADIENT_MISTAKES, seed=503,
                   extra_checks=(partial(restores_bit_for_bit, *_restore_case()),)),
    GradedFunction(name="relative_error", reference=ref.relative_error,
                   visible_cases=_relative_visible, hidden_cases=_relative_hidden,
                   mistakes=RELATIVE_MISTAKES, seed=504, rtol=1e-9, atol=1e-15),
    GradedFunction(name="max_relative_error", reference=ref.max_relative_error,
                   visible_cases=_max_relative_visible, hidden_cases=_max_relative_hidden,
                   mistakes=MAX_RELATIVE_MISTAKES, seed=505, rtol=1e-9, atol=0.0),
]}
