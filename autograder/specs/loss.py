"""Exercise 3 (loss): graded functions, their cases, and known mistakes."""

from functools import partial

import numpy as np

from autograder.reference import loss as ref
from autograder.specs import sections
from course.check_inputs import float64_number
from course.checking import Case, GradedFunction, Mistake

ASSIGNMENT = "03_loss"
_section = sections(ASSIGNMENT)

ONE = _section("How wrong is one prediction?")
COST = _section("Cost: the average over examples")
MSE_SLOPE = _section("The slope of the cost")
SOFTMAX = _section("Scores to probabilities: softmax")
LSE = _section("Softmax without overflow: log-sum-exp")
CROSS = _section("Cross-entropy: surprise at the right answer")
SHORTCUT = _section("The (p - y) / n shortcut")


# ------------------------------------------------------------------ cases

def _regression_visible():
    Y_hat = np.array([[0.5981], [0.2], [0.9]])
    Y = np.array([[0.5], [0.0], [1.0]])
    Y_hat3 = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.9]])
    Y3 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    return [Case((Y_hat, Y), "3 examples with one output each", ("Y_hat", "Y")),
            Case((Y_hat3, Y3), "2 examples with 3 outputs each", ("Y_hat", "Y")),
            Case((np.array([[0.3, -0.2]]), np.array([[0.0, 0.5]])),
                 "a batch of one: Y_hat = [[0.3, -0.2]], Y = [[0, 0.5]]", ("Y_hat", "Y"))]


def _regression_hidden(rng):
    cases = []
    for n, k in [(4, 3), (1, 1), (6, 1), (3, 5), (7, 4)]:
        cases.append(Case((rng.normal(size=(n, k)), rng.normal(size=(n, k))),
                          f"random Y_hat, Y of shape ({n}, {k})", ("Y_hat", "Y")))
    Y = rng.normal(size=(3, 3))
    cases.append(Case((Y.copy(), Y), "Y_hat equal to Y (zero error)", ("Y_hat", "Y")))
    cases.append(Case((1e3 * rng.normal(size=(5, 3)), rng.normal(size=(5, 3))),
                      "large errors (about 1000)", ("Y_hat", "Y")))
    return cases


HUBER_Y_HAT = np.array([[0.5, 3.0], [-2.0, 0.2], [1.0, -1.0]])
HUBER_Y = np.array([[0.0, 0.5], [0.5, 0.0], [0.0, 0.0]])


def _huber_visible():
    return [Case((HUBER_Y_HAT, HUBER_Y, 1.0),
                 "3 examples, 2 outputs, delta = 1: errors 0.5, 2.5, -2.5, 0.2, and 1 and -1 exactly at "
                 "the seam", ("Y_hat", "Y", "delta")),
            Case((np.array([[0.3, -0.9, 4.0, -0.1]]), np.zeros((1, 4)), 0.5),
                 "a batch of one with delta = 0.5: Y_hat = [[0.3, -0.9, 4, -0.1]], Y = 0",
                 ("Y_hat", "Y", "delta"))]


def _huber_hidden(rng):
    cases = []
    for n, k, delta in [(4, 3, 1.0), (1, 1, 0.5), (6, 2, 2.0), (3, 5, 0.1), (7, 4, 1.5)]:
        cases.append(Case((rng.normal(0, 2, size=(n, k)), rng.normal(size=(n, k)), delta),
                          f"random Y_hat, Y of shape ({n}, {k}), delta = {delta}", ("Y_hat", "Y", "delta")))
    Y = rng.normal(size=(3, 2))
    cases.append(Case((Y + rng.uniform(-0.5, 0.5, size=(3, 2)), Y, 1.0),
                      "every error inside the seam (|error| < delta)", ("Y_hat", "Y", "delta")))
    cases.append(Case((Y + 1e3 * rng.normal(size=(3, 2)), Y, 1.0),
                      "large errors (about 1000)", ("Y_hat", "Y", "delta")))
    cases.append(Case((Y.copy(), Y, 0.7), "Y_hat equal to Y (zero error)", ("Y_hat", "Y", "delta")))
    return cases


VISIBLE_Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
VISIBLE_Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


VISIBLE_BIG_Z = np.array([[1000.0, 999.0, -5.0], [-800.0, -801.0, -1000.0]])


def _scores_visible():
    return [Case((VISIBLE_Z,), "Z = [[2, 1, 0.1], [0.5, 2.5, -1]]", ("Z",)),
            Case((VISIBLE_BIG_Z,), "huge scores: Z = [[1000, 999, -5], [-800, -801, -1000]]", ("Z",)),
            Case((np.zeros((1, 4)),), "a batch of one with equal scores: Z = [[0, 0, 0, 0]]", ("Z",))]


def _scores_hidden(rng):
    cases = [Case((rng.normal(0, 3, size=shape),), f"random Z of shape {shape}", ("Z",))
             for shape in [(4, 3), (1, 5), (6, 2), (3, 1), (8, 10)]]
    cases.append(Case((np.zeros((2, 4)),), "Z all zeros (equal scores)", ("Z",)))
    big = np.array([[1000.0, 999.0, -5.0], [-800.0, -801.0, -1000.0], [50.0, -50.0, 0.0]])
    cases.append(Case((big,), "huge scores (up to +-1000)", ("Z",)))
    return cases


def _one_hot(rng, n, k):
    Y = np.zeros((n, k))
    Y[np.arange(n), rng.integers(0, k, size=n)] = 1.0
    return Y


def _classify_visible():
    return [Case((VISIBLE_Z, VISIBLE_Y), "Z = [[2, 1, 0.1], [0.5, 2.5, -1]], classes 0 and 2",
                 ("Z", "Y")),
            Case((np.array([[0.0, 800.0, -800.0], [1000.0, 990.0, 0.0]]),
                  np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])),
                 "huge scores, right class far behind: Z = [[0, 800, -800], [1000, 990, 0]], "
                 "classes 0 and 1", ("Z", "Y")),
            Case((np.zeros((1, 3)), np.array([[0.0, 1.0, 0.0]])),
                 "a batch of one with equal scores: Z = [[0, 0, 0]], class 1", ("Z", "Y")),
            Case((np.array([[1.0, -0.5, 2.0, 0.0], [0.3, 0.3, -1.0, 2.5], [-2.0, 1.0, 0.5, 0.0]]),
                  np.array([[0.7, 0.3, 0.0, 0.0], [0.0, 0.5, 0.0, 0.5], [0.25, 0.25, 0.25, 0.25]])),
                 "soft targets (rows summing to 1, not one-hot): 3 examples, 4 classes", ("Z", "Y"))]


def _classify_hidden(rng):
    cases = []
    for n, k in [(4, 3), (1, 5), (6, 2), (10, 10)]:
        cases.append(Case((rng.normal(0, 2, size=(n, k)), _one_hot(rng, n, k)),
                          f"random scores ({n}, {k}) with one-hot targets", ("Z", "Y")))
    soft = rng.random(size=(3, 4))
    cases.append(Case((rng.normal(size=(3, 4)), soft / soft.sum(axis=1, keepdims=True)),
                      "soft targets (each row sums to 1)", ("Z", "Y")))
    cases.append(Case((np.zeros((2, 3)), np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])),
                      "all scores zero", ("Z", "Y")))
    big = np.array([[0.0, 800.0, -800.0], [1000.0, 990.0, 0.0]])
    cases.append(Case((big, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])),
                      "huge scores, right class far behind", ("Z", "Y")))
    return cases


def float64_result(name, cases):
    """An extra check: the result on the first visible case is a float64 number."""
    return partial(float64_number, name, cases()[0].args)


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


def _n(Y):
    return Y.shape[0]


FORGOT_AVERAGE = "forgot to average over the batch"

MSE_MISTAKES = [
    _m(FORGOT_AVERAGE, "You added up the examples' errors; the cost is their average, so divide "
       "by the number of examples n (the rows of Y).", COST,
       lambda Y_hat, Y: float(0.5 * np.sum((Y_hat - Y) ** 2))),
    _m("forgot the 1/2", "Without the half your cost is exactly twice this course's (another "
       "convention, not a mistake in itself); this exercise uses the course's, with a factor 0.5 in "
       "front of the squared error (it cancels the 2 of the slope): 0.5 * sum((Y_hat - Y)**2) / n.", ONE,
       lambda Y_hat, Y: float(np.sum((Y_hat - Y) ** 2) / _n(Y))),
    _m("plain mean over every entry", "np.mean((Y_hat - Y)**2) is another convention "
       "(scikit-learn's mean_squared_error, PyTorch's MSELoss): no half, and it also divides by the "
       "number of outputs k. This exercise uses the course's, averaged over examples only: "
       "0.5 * sum((Y_hat - Y)**2) / n.", COST,
       lambda Y_hat, Y: float(np.mean((Y_hat - Y) ** 2))),
    _m("errors not squared", "Positive and negative errors cancelled out; square each error "
       "before adding.", ONE, lambda Y_hat, Y: float(0.5 * np.sum(Y_hat - Y) / _n(Y))),
    _m("absolute instead of squared errors", "You used |Y_hat - Y|; MSE squares each error.", ONE,
       lambda Y_hat, Y: float(0.5 * np.sum(np.abs(Y_hat - Y)) / _n(Y))),
]

MSE_GRADIENT_MISTAKES = [
    _m(FORGOT_AVERAGE, "Your gradient is Y_hat - Y; the cost is an average over the n examples, "
       "so every entry of its gradient is divided by n.", MSE_SLOPE,
       lambda Y_hat, Y: Y_hat - Y),
    _m("sign flip", "You returned (Y - Y_hat) / n; the cost rises when Y_hat moves away from Y, "
       "so the gradient is (Y_hat - Y) / n.", MSE_SLOPE, lambda Y_hat, Y: (Y - Y_hat) / _n(Y)),
    _m("factor 2 from the unhalved square", "You returned 2 * (Y_hat - Y) / n, the slope of the "
       "squared error without the 1/2; with this course's 0.5 the 2 cancels.", MSE_SLOPE,
       lambda Y_hat, Y: 2 * (Y_hat - Y) / _n(Y)),
    _m("averaged over outputs too", "You divided by n * k; only the n examples are averaged.",
       MSE_SLOPE, lambda Y_hat, Y: (Y_hat - Y) / Y.size),
]


def _capped(Y_hat, Y, delta):
    return np.clip(Y_hat - Y, -delta, delta)


HUBER_GRADIENT_MISTAKES = [
    _m(FORGOT_AVERAGE, "The Huber cost, like the MSE, is an average over the n examples, so every "
       "entry of its gradient is divided by n.", COST, lambda Y_hat, Y, delta: _capped(Y_hat, Y, delta)),
    _m("sign flip", "Your gradient points the wrong way: the cost rises when Y_hat moves away from Y, "
       "so where Y_hat is above Y the slope is positive.", MSE_SLOPE,
       lambda Y_hat, Y, delta: -_capped(Y_hat, Y, delta) / _n(Y)),
    _m("the squared error's slope everywhere", "Beyond delta the cost grows in a straight line, so "
       "its slope stops growing with the error: yours kept growing, as the MSE's does.", MSE_SLOPE,
       lambda Y_hat, Y, delta: (Y_hat - Y) / _n(Y)),
    _m("the straight part's slope everywhere", "Within delta the cost is the half squared error, "
       "whose slope is proportional to the error; yours is the straight part's everywhere.", MSE_SLOPE,
       lambda Y_hat, Y, delta: delta * np.sign(Y_hat - Y) / _n(Y)),
    _m("the straight part's slope without its sign", "Beyond delta the cost is delta * (|r| - delta/2): "
       "its slope has the sign of the error r, so it is negative where Y_hat is below Y by more than "
       "delta.", MSE_SLOPE,
       lambda Y_hat, Y, delta: np.where(np.abs(Y_hat - Y) <= delta, Y_hat - Y, delta) / _n(Y)),
    _m("averaged over outputs too", "You divided by n * k; only the n examples are averaged.",
       MSE_SLOPE, lambda Y_hat, Y, delta: _capped(Y_hat, Y, delta) / Y.size),
    _m("the straight part's slope taken as 1", "Beyond delta the slope is delta (times the error's "
       "sign), not 1: the straight part is delta * (|r| - delta/2).", MSE_SLOPE,
       lambda Y_hat, Y, delta: np.clip(Y_hat - Y, -1.0, 1.0) / _n(Y)),
]


def _naive_lse(Z):
    return np.log(np.sum(np.exp(Z), axis=1))


def _naive_softmax(Z):
    e = np.exp(Z)
    return e / np.sum(e, axis=1, keepdims=True)


def _stable_log_softmax(Z):
    return Z - ref.log_sum_exp(Z)[:, None]


LSE_MISTAKES = [
    _m("overflow: no maximum subtracted", "exp(1000) is inf in float64, so log(sum(exp(Z))) is "
       "inf; subtract each row's maximum m first and add it back: m + log(sum(exp(Z - m))).", LSE,
       _naive_lse),
    _m("forgot to add the maximum back", "You returned log(sum(exp(Z - m))); log-sum-exp is "
       "m + log(sum(exp(Z - m))).", LSE,
       lambda Z: np.log(np.sum(np.exp(Z - Z.max(axis=1, keepdims=True)), axis=1))),
    _m("returned shape (n, 1)", "keepdims=True left a column; return one number per example, "
       "shape (n,).", LSE, lambda Z: ref.log_sum_exp(Z)[:, None]),
    _m("summed over the batch", "You summed down the columns (axis 0); each example is a row, so "
       "sum along axis 1.", LSE,
       lambda Z: Z.max(axis=0) + np.log(np.sum(np.exp(Z - Z.max(axis=0)), axis=0))),
]

SOFTMAX_MISTAKES = [
    _m("overflow: no maximum subtracted", "exp(1000) is inf and inf / inf is nan; subtracting "
       "each row's maximum before exp changes nothing on paper and keeps every number finite.",
       LSE, _naive_softmax),
    _m("normalised over the batch", "Your columns sum to 1; each example (row) is a separate "
       "probability distribution over classes, so divide by each row's sum.", SOFTMAX,
       lambda Z: np.exp(Z - Z.max(axis=0)) / np.sum(np.exp(Z - Z.max(axis=0)), axis=0)),
    _m("forgot to exponentiate", "You divided the scores by their sum; softmax divides exp of each "
       "score by the sum of the exps, which also makes every probability positive.", SOFTMAX,
       lambda Z: Z / np.sum(Z, axis=1, keepdims=True)),
    _m("normalised over the whole array", "Your whole array sums to 1; each row must sum to 1.",
       SOFTMAX, lambda Z: np.exp(Z - Z.max()) / np.sum(np.exp(Z - Z.max()))),
]

CROSS_ENTROPY_MISTAKES = [
    _m(FORGOT_AVERAGE, "You added up the examples' losses; the cost is their average, so divide "
       "by the number of examples n.", COST,
       lambda Z, Y: float(-np.sum(Y * _stable_log_softmax(Z)))),
    _m("sign flip", "log of a probability is negative or zero, so the loss is minus the sum of "
       "Y * log p, a number >= 0.", CROSS,
       lambda Z, Y: float(np.sum(Y * _stable_log_softmax(Z)) / _n(Y))),
    _m("log of a probability that rounded to 0", "softmax(Z) underflowed to 0 and log(0) is -inf; "
       "compute log p directly as Z - log_sum_exp(Z), which stays finite.", LSE,
       lambda Z, Y: float(-np.sum(Y * np.log(ref.softmax(Z))) / _n(Y))),
    _m("averaged over classes too", "np.mean over the whole array also divides by the number of "
       "classes k; average over the n examples only.", COST,
       lambda Z, Y: float(np.mean(-Y * _stable_log_softmax(Z)))),
    _m("probability instead of its log", "Cross-entropy uses log p of the right class, not p "
       "itself.", CROSS, lambda Z, Y: float(-np.sum(Y * ref.softmax(Z)) / _n(Y))),
]

CROSS_ENTROPY_GRADIENT_MISTAKES = [
    _m(FORGOT_AVERAGE, "Your gradient is softmax(Z) - Y; the cost is an average over the n "
       "examples, so divide by n: (p - y) / n.", SHORTCUT, lambda Z, Y: ref.softmax(Z) - Y),
    _m("sign flip", "You returned (Y - p) / n; raising the right class's score lowers the loss, "
       "so its gradient entry is negative: (p - y) / n.", SHORTCUT,
       lambda Z, Y: (Y - ref.softmax(Z)) / _n(Y)),
    _m("forgot to subtract y", "You returned p / n; the gradient is (p - y) / n, which is zero "
       "when the prediction matches the target.", SHORTCUT, lambda Z, Y: ref.softmax(Z) / _n(Y)),
    _m("overflow: no maximum subtracted", "Your softmax gave nan for huge scores; subtract each "
       "row's maximum before exp.", LSE, lambda Z, Y: (_naive_softmax(Z) - Y) / _n(Y)),
    _m("averaged over classes too", "You divided by n * k; only the n examples are averaged.",
       SHORTCUT, lambda Z, Y: (ref.softmax(Z) - Y) / Y.size),
]


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

MSE_MISTAKES += [
    _m("averaged over the outputs instead of the examples", "You divided by k, the number of "
       "outputs (columns); the cost averages over the n examples (rows) and adds up each "
       "example's outputs.", COST, lambda Y_hat, Y: float(0.5 * np.sum((Y_hat - Y) ** 2) / Y.shape[1])),
    _m("square root taken", "You returned the root of the mean squared error (an RMSE); the cost "
       "is the half squared error itself, averaged over examples.", ONE,
       lambda Y_hat, Y: float(np.sqrt(0.5 * np.sum((Y_hat - Y) ** 2) / _n(Y)))),
]

MSE_GRADIENT_MISTAKES += [
    _m("gradient of the plain mean", "2 * (Y_hat - Y) / (n * k) is the slope of np.mean((Y_hat - "
       "Y)**2), another convention; this course's cost has the half and averages over examples "
       "only: (Y_hat - Y) / n.", MSE_SLOPE, lambda Y_hat, Y: 2 * (Y_hat - Y) / Y.size),
    _m("returned the squared errors", "You returned (Y_hat - Y)^2 / n, each entry's share of the "
       "cost; its slope is (Y_hat - Y) / n.", MSE_SLOPE, lambda Y_hat, Y: (Y_hat - Y) ** 2 / _n(Y)),
]

LSE_MISTAKES += [
    _m("returned the maximum alone", "The maximum is only the start: log-sum-exp is "
       "m + log(sum(exp(Z - m))), a little above m.", LSE, lambda Z: Z.max(axis=1)),
    _m("log of the mean instead of the sum", "np.mean divides by the number of classes k; "
       "log-sum-exp sums the exps.", LSE,
       lambda Z: Z.max(axis=1) + np.log(np.mean(np.exp(Z - Z.max(axis=1, keepdims=True)), axis=1))),
]

SOFTMAX_MISTAKES += [
    _m("forgot to divide by the sum", "exp(Z - m) are the unnormalised weights; divide each row by "
       "its sum so the row adds up to 1.", SOFTMAX, lambda Z: np.exp(Z - Z.max(axis=1, keepdims=True))),
]

CROSS_ENTROPY_MISTAKES += [
    _m("entropy of the prediction instead of cross-entropy", "You weighted log p by p itself; "
       "cross-entropy weights it by the targets Y: -sum(Y * log p) / n.", CROSS,
       lambda Z, Y: float(-np.sum(ref.softmax(Z) * _stable_log_softmax(Z)) / _n(Y))),
]

CROSS_ENTROPY_GRADIENT_MISTAKES += [
    _m("multiplied by a sigmoid-style slope p * (1 - p)", "With softmax and cross-entropy "
       "together, the slopes cancel: the gradient with respect to the scores is just (p - y) / n, "
       "with no extra p * (1 - p).", SHORTCUT,
       lambda Z, Y: (ref.softmax(Z) - Y) * ref.softmax(Z) * (1 - ref.softmax(Z)) / _n(Y)),
]


# ------------------------------------------------------- graded functions

REGRESSION = dict(visible_cases=_regression_visible, hidden_cases=_regression_hidden)
SCORES = dict(visible_cases=_scores_visible, hidden_cases=_scores_hidden)
CLASSIFY = dict(visible_cases=_classify_visible, hidden_cases=_classify_hidden)

GRADED = {g.name: g for g in [
    GradedFunction(name="mse", reference=ref.mse, mistakes=MSE_MISTAKES, seed=301,
                   extra_checks=(float64_result("mse", _regression_visible),), **REGRESSION),
    GradedFunction(name="mse_gradient", reference=ref.mse_gradient, mistakes=MSE_GRADIENT_MISTAKES,
                   seed=302, **REGRESSION),
    GradedFunction(name="log_sum_exp", reference=ref.log_sum_exp, mistakes=LSE_MISTAKES, seed=303, **SCORES),
    GradedFunction(name="softmax", reference=ref.softmax, mistakes=SOFTMAX_MISTAKES, seed=304, **SCORES),
    GradedFunction(name="cross_entropy", reference=ref.cross_entropy,
                   mistakes=CROSS_ENTROPY_MISTAKES, seed=305,
                   extra_checks=(float64_result("cross_entropy", _classify_visible),), **CLASSIFY),
    GradedFunction(name="cross_entropy_gradient", reference=ref.cross_entropy_gradient,
                   mistakes=CROSS_ENTROPY_GRADIENT_MISTAKES, seed=306, **CLASSIFY),
    GradedFunction(name="huber_gradient", reference=ref.huber_gradient, mistakes=HUBER_GRADIENT_MISTAKES,
                   seed=307, visible_cases=_huber_visible, hidden_cases=_huber_hidden),
]}
