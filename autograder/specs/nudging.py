"""Exercise 4 (slopes by nudging): graded functions, their cases, and known mistakes.

The hidden cases keep h at 1e-5 or above wherever a correct implementation could round
differently from the reference (for example central as the mean of forward and backward
differences): there the round-off in an estimate is below 1e-10, well inside the tolerance.
"""

import numpy as np

from autograder.reference import neuron
from autograder.reference import nudging as ref
from autograder.specs import sections
from autograder.specs.loss import float64_result
from course import check_inputs, given
from course.checking import Case, GradedFunction, Mistake
from course.gradcheck import TINY

ASSIGNMENT = "04_nudging"
_section = sections(ASSIGNMENT)

FORWARD = _section("Nudging one way: the forward difference")
CENTRAL = _section("Nudging both ways: the central difference")
TRUNCATION = _section("How wrong is each estimate?")
LOGLOG = _section("The error against h on a log-log plot")
RELATIVE = _section("Relative error: one number to judge a check")
ACTIVATIONS = _section("Checking the activations' slopes")


def cube(x):
    """x^3 by multiplication (its slope is 3 x^2)."""
    return x * x * x


def cube_prime(x):
    return 3.0 * x * x


def sin_prime(x):
    return np.cos(x)


# ------------------------------------------------------------------ cases

DIFF_NAMES = ("f", "x", "h")


def _difference_visible():
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    return [Case((np.sin, x, 0.1), "f = np.sin, x = [-1, 0, 0.5, 2], h = 0.1", DIFF_NAMES),
            Case((check_inputs.cube, np.array([[1.0, 2.0], [-3.0, 0.5]]), 0.01),
                 "f = cube (x**3), a 2 x 2 array x, h = 0.01", DIFF_NAMES),
            Case((given.relu, np.array([-1.0, 0.0, 1e-3, 2.0]), 1e-2),
                 "f = relu at x = [-1, 0, 0.001, 2] (its kink at 0), h = 0.01", DIFF_NAMES)]


def _difference_hidden(rng):
    cases = []
    for f, shape, h in [(np.sin, (5,), 0.1), (neuron.sigmoid, (3, 4), 1e-2), (np.exp, (1,), 1e-3),
                        (cube, (2, 3), 0.05), (np.tanh, (6,), 1e-5)]:
        cases.append(Case((f, rng.normal(0, 2, size=shape), h),
                          f"f = {f.__name__}, random x of shape {shape}, h = {h:g}", DIFF_NAMES))
    cases.append(Case((neuron.relu, np.array([-1.0, 0.0, 1e-3, 2.0]), 1e-2),
                      "f = relu at x = [-1, 0, 0.001, 2] (its kink at 0), h = 0.01", DIFF_NAMES))
    return cases


def _relative_visible():
    a = np.array([1.0, 2.0, 0.0, -3.0, 1e-14])
    b = np.array([1.0, 1.0, 0.0, 3.0, 0.0])
    return [Case((a, b), "a = [1, 2, 0, -3, 1e-14], b = [1, 1, 0, 3, 0]", ("a", "b")),
            Case((np.array([[4.0, -1.0, 0.5], [0.0, 2.0, -6.0]]),
                  np.array([[2.0, -1.0, 1.0], [0.0, -2.0, -3.0]])),
                 "a 2 x 3 array: a = [[4, -1, 0.5], [0, 2, -6]], b = [[2, -1, 1], [0, -2, -3]]",
                 ("a", "b"))]


def _relative_hidden(rng):
    cases = []
    for shape in [(6,), (3, 4), (1,)]:
        a = rng.normal(size=shape)
        cases.append(Case((a, a * (1 + rng.normal(0, 0.5, size=shape))),
                          f"random a, b of shape {shape}", ("a", "b")))
    a = rng.normal(size=5)
    cases.append(Case((a, 2.5 * a), "b = 2.5 a", ("a", "b")))
    cases.append(Case((np.array([0.0, 0.0, 1e-13, 5.0]), np.array([0.0, 3.0, 0.0, 5.0])),
                      "zeros, a tiny value and an exact match", ("a", "b")))
    return cases


CHECK_NAMES = ("f", "f_prime", "x", "h")


def _wrong_tanh_prime(z):
    return 1.0 - np.tanh(z)


def _check_visible():
    x = np.linspace(-3.0, 3.0, 7)
    return [Case((given.sigmoid, given.sigmoid_prime, x, 1e-5),
                 "sigmoid with its right slope, x = -3..3, h = 1e-5", CHECK_NAMES),
            Case((np.tanh, check_inputs.wrong_tanh_prime, x, 1e-5),
                 "tanh with a wrong slope 1 - tanh(z), h = 1e-5", CHECK_NAMES),
            Case((np.tanh, given.tanh_prime, np.array([[-1.0, 0.0], [0.5, 2.0]]), 0.1),
                 "tanh with its right slope, a 2 x 2 array x = [[-1, 0], [0.5, 2]], h = 0.1",
                 CHECK_NAMES),
            Case((given.relu, given.relu_prime, np.array([-2.0, -0.5, 0.0, 0.7, 3.0]), 1e-5),
                 "relu with relu_prime at x = [-2, -0.5, 0, 0.7, 3] (its kink at 0), h = 1e-5",
                 CHECK_NAMES),
            Case((given.relu, given.relu_prime, np.array([-3.0, -2.0, -1.0]), 1e-5),
                 "relu with relu_prime at x = [-3, -2, -1]: every slope is 0 both ways (0 / 0 "
                 "without the guard), so the answer is 0", CHECK_NAMES)]


def _check_hidden(rng):
    cases = [
        Case((np.tanh, _wrong_tanh_prime, rng.uniform(-3, 3, size=8), 1e-5),
             "tanh with the wrong slope 1 - tanh(z)", CHECK_NAMES),
        Case((neuron.sigmoid, neuron.sigmoid, rng.uniform(-3, 3, size=(2, 3)), 1e-5),
             "sigmoid with 'slope' sigmoid(z) (wrong)", CHECK_NAMES),
        Case((neuron.relu, neuron.relu_prime, np.array([-2.0, -0.5, 0.0, 0.7, 3.0]), 1e-5),
             "relu with relu_prime, including its kink at 0", CHECK_NAMES),
        Case((cube, cube_prime, rng.uniform(-2, 2, size=6), 1e-3),
             "cube with 3 x^2 at h = 1e-3", CHECK_NAMES),
        Case((np.sin, sin_prime, rng.uniform(-3, 3, size=5), 1e-2),
             "np.sin with np.cos at h = 1e-2", CHECK_NAMES),
        Case((np.tanh, neuron.tanh_prime, rng.uniform(-2, 2, size=(3, 2)), 0.1),
             "tanh with tanh_prime at h = 0.1", CHECK_NAMES),
        Case((neuron.relu, neuron.relu_prime, -rng.uniform(0.5, 3.0, size=(2, 4)), 1e-5),
             "relu with relu_prime at negative x only: 0 / 0 everywhere", CHECK_NAMES),
    ]
    return cases


ERR_NAMES = ("f", "f_prime", "x0", "hs")
HS = np.logspace(-1, -4, 7)


def _errors_visible():
    return [Case((np.sin, np.cos, 0.7, HS), "f = np.sin at x0 = 0.7, hs = 0.1 ... 0.0001",
                 ERR_NAMES),
            Case((np.exp, np.exp, -0.5, np.array([0.5, 0.05, 0.005])),
                 "f = np.exp at x0 = -0.5, hs = [0.5, 0.05, 0.005]", ERR_NAMES)]


def _errors_hidden(rng):
    cases = []
    for f, f_prime, x0 in [(np.exp, np.exp, 1.0), (neuron.sigmoid, neuron.sigmoid_prime, 0.5),
                           (cube, cube_prime, 2.0), (np.tanh, neuron.tanh_prime, -0.3)]:
        hs = np.sort(10.0 ** rng.uniform(-4, -1, size=6))[::-1]
        cases.append(Case((f, f_prime, x0, hs), f"f = {f.__name__} at x0 = {x0}, 6 random h",
                          ERR_NAMES))
    cases.append(Case((np.sin, sin_prime, 0.7, np.array([0.05])), "a single h", ERR_NAMES))
    return cases


def _line(rng, slope, m):
    hs = np.logspace(-1, -5, m)
    errors = 10.0 ** (slope * np.log10(hs) + rng.normal(0, 0.1, size=m) - 1.0)
    return hs, errors


def _slope_visible():
    hs = np.array([1e-1, 1e-2, 1e-3, 1e-4])
    return [Case((hs, np.array([3e-2, 2.9e-3, 3.1e-4, 3e-5])),
                 "errors falling about 10x per 10x smaller h", ("hs", "errors")),
            Case((hs, np.array([1e-3, 1.1e-5, 0.9e-7, 1e-9])),
                 "errors falling about 100x per 10x smaller h", ("hs", "errors"))]


def _slope_hidden(rng):
    cases = []
    for slope, m in [(1.0, 6), (2.0, 5), (0.5, 8), (2.0, 3)]:
        hs, errors = _line(rng, slope, m)
        cases.append(Case((hs, errors), f"{m} noisy points around slope {slope:g}", ("hs", "errors")))
    hs = np.logspace(-12, -6, 5)
    cases.append(Case((hs, 1e-16 / hs), "round-off only (slope -1)", ("hs", "errors")))
    return cases


# --------------------------------------------------------------- mistakes

def _swish_visible():
    return [Case((np.array([-3.0, -1.0, 0.0, 0.5, 2.0]),), "z = [-3, -1, 0, 0.5, 2]", ("z",)),
            Case((np.array([[-1000.0, -40.0, 1.5], [0.25, 40.0, 1000.0]]),),
                 "z of shape (2, 3) with large |z|: [[-1000, -40, 1.5], [0.25, 40, 1000]]", ("z",))]


def _swish_hidden(rng):
    cases = [Case((rng.normal(0.0, 3.0, size=shape),), f"random z of shape {shape}", ("z",))
             for shape in [(1,), (7,), (3, 4), (2, 3, 2)]]
    cases.append(Case((np.array([-745.0, -709.0, -100.0, 100.0, 709.0, 745.0]),), "z near the limits of exp",
                      ("z",)))
    cases.append(Case((np.zeros((2, 2)),), "z all zeros", ("z",)))
    return cases


def _naive_swish_prime(z):
    e = np.exp(-z)
    return (1.0 + e + z * e) / (1.0 + e) ** 2


def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


FORWARD_MISTAKES = [
    _m("backward difference", "You nudged down, (f(x) - f(x - h)) / h; the forward difference "
       "nudges up: (f(x + h) - f(x)) / h.", FORWARD, lambda f, x, h: (f(x) - f(x - h)) / h),
    _m("forgot to divide by h", "f(x + h) - f(x) is the rise; the slope is rise over run, so "
       "divide by h.", FORWARD, lambda f, x, h: f(x + h) - f(x)),
    _m("divided by 2h", "A one-way nudge runs over a distance h, not 2h.", FORWARD,
       lambda f, x, h: (f(x + h) - f(x)) / (2 * h)),
    _m("central difference where forward was asked", "You nudged both ways; this function is "
       "the one-way forward difference (f(x + h) - f(x)) / h.", FORWARD, ref.central_difference),
]

CENTRAL_MISTAKES = [
    _m("forward difference used where central was asked", "You nudged only up, "
       "(f(x + h) - f(x)) / h; the central difference nudges both ways, "
       "(f(x + h) - f(x - h)) / (2 h), and its error shrinks like h^2 instead of h.", CENTRAL,
       ref.forward_difference),
    _m("divided by h instead of 2h", "From x - h to x + h is a run of 2h; your slopes are twice "
       "too big.", CENTRAL, lambda f, x, h: (f(x + h) - f(x - h)) / h),
    _m("backward difference", "You nudged only down, (f(x) - f(x - h)) / h; the central "
       "difference uses both nudges.", CENTRAL, lambda f, x, h: (f(x) - f(x - h)) / h),
    _m("sign flip", "You subtracted the wrong way round: (f(x - h) - f(x + h)) / (2 h).", CENTRAL,
       lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h)),
]

RELATIVE_MISTAKES = [
    _m("divided by |b| only", "Dividing by one side makes the error lopsided (and infinite when "
       "b = 0); divide by the larger of |a| and |b| (and TINY).", RELATIVE,
       lambda a, b: np.abs(a - b) / np.abs(b)),
    _m("forgot the absolute value", "A relative error is a size, never negative: take "
       "|a - b|.", RELATIVE,
       lambda a, b: (a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), TINY)),
    _m("no guard for zero", "When a and b are both 0, |a - b| / max(|a|, |b|) is 0 / 0 = nan; "
       "include TINY in the maximum.", RELATIVE,
       lambda a, b: np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))),
    _m("divided by the sum", "You divided by |a| + |b|; this course divides by max(|a|, |b|, "
       "TINY).", RELATIVE, lambda a, b: np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), TINY)),
]


def _check_with(estimate):
    return lambda f, f_prime, x, h: float(np.max(ref.relative_error(f_prime(x), estimate(f, x, h))))


CHECK_MISTAKES = [
    _m("forward difference used where central was asked", "Your check used the one-way forward "
       "difference; with its error of order h it reports even a right slope as off by about h. "
       "Use the central difference.", CENTRAL, _check_with(ref.forward_difference)),
    _m("mean instead of the largest error", "A check must report its worst entry: one wrong "
       "entry among many right ones is still a wrong derivative. Use the maximum.", RELATIVE,
       lambda f, f_prime, x, h: float(np.mean(ref.relative_error(
           f_prime(x), ref.central_difference(f, x, h))))),
    _m("absolute instead of relative error", "You returned the largest |difference|; the check "
       "judges the relative error, which means the same whatever the size of the slope.", RELATIVE,
       lambda f, f_prime, x, h: float(np.max(np.abs(f_prime(x) - ref.central_difference(f, x, h))))),
    _m("compared with the function, not its slope", "You compared f(x) with the estimate; the "
       "claimed slope is f_prime(x).", ACTIVATIONS,
       lambda f, f_prime, x, h: float(np.max(ref.relative_error(f(x), ref.central_difference(f, x, h))))),
]


def _errors_from(forward_of, central_of):
    def wrong(f, f_prime, x0, hs):
        exact = f_prime(x0)
        return forward_of(f, x0, hs, exact), central_of(f, x0, hs, exact)
    return wrong


def _fwd(f, x0, hs, exact):
    return np.abs((f(x0 + hs) - f(x0)) / hs - exact)


def _cen(f, x0, hs, exact):
    return np.abs((f(x0 + hs) - f(x0 - hs)) / (2 * hs) - exact)


ERRORS_MISTAKES = [
    _m("forward and central swapped", "Return the forward errors first, then the central "
       "ones.", TRUNCATION, lambda f, f_prime, x0, hs: ref.nudging_errors(f, f_prime, x0, hs)[::-1]),
    _m("signed errors", "An error here is a size: |estimate - exact|, never negative.", TRUNCATION,
       _errors_from(lambda f, x0, hs, e: (f(x0 + hs) - f(x0)) / hs - e,
                    lambda f, x0, hs, e: (f(x0 + hs) - f(x0 - hs)) / (2 * hs) - e)),
    _m("relative instead of absolute errors", "You divided by the exact slope; this function "
       "returns absolute errors |estimate - exact|.", TRUNCATION,
       _errors_from(lambda f, x0, hs, e: _fwd(f, x0, hs, e) / np.abs(e),
                    lambda f, x0, hs, e: _cen(f, x0, hs, e) / np.abs(e))),
    _m("central difference divided by h, not 2h", "Your central estimates are twice the slope, "
       "so their errors are about as big as the slope itself.", CENTRAL,
       _errors_from(_fwd, lambda f, x0, hs, e: np.abs((f(x0 + hs) - f(x0 - hs)) / hs - e))),
]

SLOPE_MISTAKES = [
    _m("fitted without logs", "A power law error = C h^p is a straight line only on log-log "
       "axes: fit log10(error) against log10(h).", LOGLOG,
       lambda hs, errors: float(np.polyfit(hs, errors, 1)[0])),
    _m("swapped the axes", "You fitted log h against log error, which gives 1 / slope; put "
       "log10(h) on the x axis and log10(error) on the y axis.", LOGLOG,
       lambda hs, errors: float(np.polyfit(np.log10(errors), np.log10(hs), 1)[0])),
    _m("used only the first and last points", "Fit a least-squares line through every point "
       "(np.polyfit(..., 1)); two points let one noisy measurement decide.", LOGLOG,
       lambda hs, errors: float((np.log10(errors[-1]) - np.log10(errors[0]))
                                / (np.log10(hs[-1]) - np.log10(hs[0])))),
]


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

FORWARD_MISTAKES += [
    _m("forgot to subtract f(x)", "f(x + h) / h is the height over the run, not the rise: the "
       "rise is f(x + h) - f(x).", FORWARD, lambda f, x, h: f(x + h) / h),
]

CENTRAL_MISTAKES += [
    _m("/ 2 * h instead of / (2 * h)", "Python reads a / 2 * h as (a / 2) * h: put the run in "
       "parentheses, / (2 * h).", CENTRAL, lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h),
]

RELATIVE_MISTAKES += [
    _m("TINY added instead of taken as a floor", "The denominator is max(|a|, |b|, TINY): TINY "
       "only matters when both are (nearly) 0. Adding it shifts every small error.", RELATIVE,
       lambda a, b: np.abs(a - b) / (np.maximum(np.abs(a), np.abs(b)) + TINY)),
]

CHECK_MISTAKES += [
    _m("ignored the h it was given", "Use the h passed in; a fixed nudge measures something the "
       "caller did not ask for.", CENTRAL,
       lambda f, f_prime, x, h: float(np.max(ref.relative_error(
           f_prime(x), ref.central_difference(f, x, 1e-5))))),
]

ERRORS_MISTAKES += [
    _m("compared with f instead of f'", "The exact slope is f_prime(x0), not f(x0).", TRUNCATION,
       lambda f, f_prime, x0, hs: ref.nudging_errors(f, f, x0, hs)),
]

SLOPE_MISTAKES += [
    _m("returned the intercept", "np.polyfit(x, y, 1) returns [slope, intercept]: take entry 0.",
       LOGLOG, lambda hs, errors: float(np.polyfit(np.log10(hs), np.log10(errors), 1)[1])),
]


# ------------------------------------------------------- graded functions

DIFFERENCE = dict(visible_cases=_difference_visible, hidden_cases=_difference_hidden)

SWISH_MISTAKES = [
    _m("the product rule forgotten: the sigmoid alone", "z * sigmoid(z) is a product of two factors "
       "that both move with z: its slope has one term for each (the product rule), and yours has only "
       "one.", ACTIVATIONS, lambda z: neuron.sigmoid(z)),
    _m("the product rule forgotten: z times the sigmoid's slope", "z * sigmoid(z) is a product of two "
       "factors that both move with z: its slope has one term for each, and yours keeps only the term "
       "where sigmoid(z) moves.", ACTIVATIONS, lambda z: z * neuron.sigmoid_prime(z)),
    _m("the sigmoid's slope alone", "That is the slope of sigmoid(z); the swish multiplies it by z, "
       "so both factors' slopes enter.", ACTIVATIONS, lambda z: neuron.sigmoid_prime(z)),
    _m("a minus in the product rule", "The product rule adds the two terms: (f g)' = f' g + f g'.",
       ACTIVATIONS, lambda z: neuron.sigmoid(z) - z * neuron.sigmoid_prime(z)),
    _m("overflow: exp(-z) for very negative z", "exp(1000) is inf in float64 and inf / inf is nan: "
       "write the slope with the course's sigmoid and its slope, which stay finite.", ACTIVATIONS,
       _naive_swish_prime),
]

GRADED = {g.name: g for g in [
    GradedFunction(name="forward_difference", reference=ref.forward_difference,
                   mistakes=FORWARD_MISTAKES, seed=401, **DIFFERENCE),
    GradedFunction(name="central_difference", reference=ref.central_difference,
                   mistakes=CENTRAL_MISTAKES, seed=402, **DIFFERENCE),
    GradedFunction(name="relative_error", reference=ref.relative_error,
                   visible_cases=_relative_visible, hidden_cases=_relative_hidden,
                   mistakes=RELATIVE_MISTAKES, seed=403),
    GradedFunction(name="derivative_check", reference=ref.derivative_check,
                   visible_cases=_check_visible, hidden_cases=_check_hidden,
                   mistakes=CHECK_MISTAKES, seed=404, atol=1e-8,
                   extra_checks=(float64_result("derivative_check", _check_visible),)),
    GradedFunction(name="nudging_errors", reference=ref.nudging_errors,
                   visible_cases=_errors_visible, hidden_cases=_errors_hidden,
                   mistakes=ERRORS_MISTAKES, outputs=("forward_errors", "central_errors"),
                   seed=405),
    GradedFunction(name="swish_prime", reference=ref.swish_prime, visible_cases=_swish_visible,
                   hidden_cases=_swish_hidden, mistakes=SWISH_MISTAKES, seed=407),
    GradedFunction(name="error_slope", reference=ref.error_slope, visible_cases=_slope_visible,
                   hidden_cases=_slope_hidden, mistakes=SLOPE_MISTAKES, seed=406,
                   extra_checks=(float64_result("error_slope", _slope_visible),)),
]}
