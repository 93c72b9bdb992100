"""Exercise 6 (descending the hill): graded functions, their cases, and known mistakes."""


import numpy as np

from autograder.reference import descent as ref
from autograder.specs import sections
from course.check_inputs import QuadraticGradient
from course.checking import Case, GradedFunction, Mistake

ASSIGNMENT = "06_descent"
_section = sections(ASSIGNMENT)

RULE = _section("The update rule")
BOWL = _section("Two knobs: a bowl")
OVERSHOOT = _section("Why a step can overshoot")


class BowlGradient:
    """gradient_fn for minimise: the bowl's gradient, comparable (==) after a deep copy."""

    def __init__(self, a, c):
        self.a, self.c = a, c
        self.__name__ = "bowl gradient"

    def __call__(self, theta):
        return ref.bowl_gradient(theta, self.a, self.c)

    def __eq__(self, other):
        return (type(other) is BowlGradient and np.array_equal(other.a, self.a)
                and np.array_equal(other.c, self.c))

    __hash__ = None


def _knobs(k):
    return "one knob" if k == 1 else f"{k} knobs"


def _bowl(rng, k):
    return rng.uniform(0.2, 3.0, size=k), rng.normal(size=k)


# ------------------------------------------------------------------ cases

def _bowl_visible():
    return [Case((ref.START, ref.BOWL_A, ref.BOWL_C), "the lesson's bowl at theta = (-2, 2.5)",
                 ("theta", "a", "c")),
            Case((np.array([0.0]), np.array([1.0]), np.array([3.0])), "one knob, w = 0, bottom at 3",
                 ("theta", "a", "c")),
            Case((np.array([0.1, -0.3, 1.0]), np.array([1.0, 2.0, 0.5]), np.array([0.0, 0.0, 1.0])),
                 "three knobs: theta = (0.1, -0.3, 1), a = (1, 2, 0.5), c = (0, 0, 1) "
                 "(the third knob at its bottom)", ("theta", "a", "c"))]


def _bowl_hidden(rng):
    cases = []
    for k in [1, 2, 5, 9]:
        a, c = _bowl(rng, k)
        cases.append(Case((rng.normal(scale=3.0, size=k), a, c), f"a random bowl with {_knobs(k)}",
                          ("theta", "a", "c")))
    a, c = _bowl(rng, 3)
    cases.append(Case((c.copy(), a, c), "theta exactly at the bottom", ("theta", "a", "c")))
    a, c = _bowl(rng, 2)
    cases.append(Case((c + 1e4, a, c), "theta far from the bottom (1e4 away)", ("theta", "a", "c")))
    return cases


DECAY_NAMES = ("theta", "a", "c", "decay")


def _decay_visible():
    return [Case((ref.START, ref.BOWL_A, ref.BOWL_C, 0.5), "the lesson's bowl at theta = (-2, 2.5), decay 0.5",
                 DECAY_NAMES),
            Case((np.array([0.1, -0.3, 1.0]), np.array([1.0, 2.0, 0.5]), np.array([0.0, 0.0, 1.0]), 0.0),
                 "three knobs, no decay: theta = (0.1, -0.3, 1), a = (1, 2, 0.5), c = (0, 0, 1), decay 0",
                 DECAY_NAMES),
            Case((np.array([3.0, 0.0, -1.0, 2.0]), np.ones(4), np.array([1.0, 1.0, 1.0, 2.0]), 2.0),
                 "four knobs: theta = (3, 0, -1, 2), a = 1, c = (1, 1, 1, 2), decay 2 "
                 "(the last knob at the bowl's bottom)", DECAY_NAMES)]


def _decay_hidden(rng):
    cases = []
    for k, decay in [(1, 0.3), (2, 1.0), (5, 0.01), (9, 4.0)]:
        a, c = _bowl(rng, k)
        cases.append(Case((rng.normal(scale=3.0, size=k), a, c, decay),
                          f"a random bowl with {_knobs(k)}, decay {decay}", DECAY_NAMES))
    a, c = _bowl(rng, 3)
    cases.append(Case((np.zeros(3), a, c, 2.5), "theta = 0 (the penalty's own bottom)", DECAY_NAMES))
    a, c = _bowl(rng, 2)
    cases.append(Case((c + 1e4, a, c, 0.7), "theta far from the bottom (1e4 away)", DECAY_NAMES))
    return cases


def _step_visible():
    return [Case((np.array([0.0]), np.array([-6.0]), 0.1), "w = 0, slope -6, learning rate 0.1",
                 ("theta", "grad", "learning_rate")),
            Case((np.array([-2.0, 2.5]), np.array([-4.0, 12.0]), 0.05),
                 "theta = (-2, 2.5), gradient (-4, 12), learning rate 0.05",
                 ("theta", "grad", "learning_rate"))]


def _step_hidden(rng):
    cases = []
    for k, lr in [(1, 0.3), (4, 0.01), (7, 1.5), (3, 0.0)]:
        cases.append(Case((rng.normal(size=k), rng.normal(size=k), lr),
                          f"random theta and gradient with {_knobs(k)}, learning rate {lr}",
                          ("theta", "grad", "learning_rate")))
    return cases


def _minimise_case(a, c, theta0, lr, steps, label, gradient=BowlGradient):
    return Case((gradient(a, c), theta0, lr, steps), label,
                ("gradient_fn", "theta0", "learning_rate", "steps"))


def _minimise_visible():
    # The visible checks' gradient function is a quadratic valley's (course.check_inputs) built
    # to be the bowl's, so the learner can read what the check runs.
    bowl = QuadraticGradient.of_bowl
    return [_minimise_case(np.array([1.0]), np.array([3.0]), np.array([0.0]), 0.1, 5,
                           "one knob from w = 0, bottom at 3, learning rate 0.1, 5 steps", bowl),
            _minimise_case(ref.BOWL_A, ref.BOWL_C, ref.START, 0.2, 10,
                           "the lesson's bowl, learning rate 0.2, 10 steps", bowl),
            _minimise_case(np.array([1.0]), np.array([3.0]), np.array([0.0]), 0.5, 4,
                           "one knob from w = 0, bottom at 3, learning rate 0.5, 4 steps: the first "
                           "step lands on the bottom, and all 4 steps are still taken", bowl)]


def _minimise_hidden(rng):
    cases = []
    for k, lr, steps in [(2, 0.05, 20), (3, 0.1, 7), (1, 0.4, 12), (5, 0.02, 30)]:
        a, c = _bowl(rng, k)
        cases.append(_minimise_case(a, c, rng.normal(scale=2.0, size=k), lr, steps,
                                    f"a random {k}-knob bowl, learning rate {lr}, {steps} steps"))
    a, c = _bowl(rng, 2)
    cases.append(_minimise_case(a, c, rng.normal(size=2), 0.1, 0, "zero steps"))
    cases.append(_minimise_case(a, c, rng.normal(size=2), 0.1, 1, "one step"))
    cases.append(_minimise_case(np.array([2.0, 2.0]), np.array([3.0, -1.0]), np.array([0.0, 1.0]),
                                0.25, 6, "the first step lands exactly on the bottom (every factor 0)"))
    a = np.array([0.5, 4.0])
    cases.append(_minimise_case(a, rng.normal(size=2), rng.normal(size=2), 0.27, 15,
                                "a diverging run (learning rate 0.27 on a bowl with a = (0.5, 4))"))
    return cases


def _losses_visible():
    history = np.array([[-2.0, 2.5], [-1.6, 1.3], [-1.28, 0.82]])
    four = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 2.0], [0.5, 0.5, 0.5], [2.0, 1.0, -1.0]])
    return [Case((history, ref.BOWL_A, ref.BOWL_C), "three points on the lesson's bowl",
                 ("history", "a", "c")),
            Case((four, np.array([1.0, 2.0, 0.5]), np.array([1.0, 0.0, -1.0])),
                 "four points on a three-knob bowl, a = (1, 2, 0.5), c = (1, 0, -1)",
                 ("history", "a", "c"))]


def _losses_hidden(rng):
    cases = []
    for m, k in [(1, 1), (6, 2), (11, 4), (3, 7)]:
        a, c = _bowl(rng, k)
        cases.append(Case((rng.normal(scale=2.0, size=(m, k)), a, c),
                          f"a history of {m} point{'s' if m > 1 else ''} with {_knobs(k)}", ("history", "a", "c")))
    return cases


def _factor_visible():
    return [Case((ref.BOWL_A, 0.2), "a = (0.5, 4), learning rate 0.2", ("a", "learning_rate")),
            Case((np.array([1.0, 3.0, 0.25]), 0.5), "a = (1, 3, 0.25), learning rate 0.5: one knob "
                 "lands on the bottom, one overshoots and diverges", ("a", "learning_rate"))]


def _factor_hidden(rng):
    return [Case((rng.uniform(0.1, 5.0, size=k), lr), f"random a with {_knobs(k)}, learning rate {lr}",
                 ("a", "learning_rate"))
            for k, lr in [(1, 0.1), (3, 0.37), (6, 0.013), (2, 2.5)]]


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


DECAY_MISTAKES = [
    _m("the penalty's half forgotten", "The penalty is (decay / 2) * theta_i^2: its slope is decay * "
       "theta_i, the 2 of the square cancelling the half.", BOWL,
       lambda theta, a, c, decay: 2.0 * a * (theta - c) + 2.0 * decay * theta),
    _m("the penalty measured from the bowl's bottom", "Weight decay pulls each knob toward 0, not "
       "toward c: the penalty is (decay / 2) * theta_i^2.", BOWL,
       lambda theta, a, c, decay: 2.0 * a * (theta - c) + decay * (theta - c)),
    _m("the penalty's slope subtracted", "The penalty adds to the loss, so its slope adds to the "
       "bowl's: the loss rises as |theta_i| grows.", BOWL,
       lambda theta, a, c, decay: 2.0 * a * (theta - c) - decay * theta),
    _m("the bowl's 2 forgotten", "Each knob's parabola a_i (theta_i - c_i)^2 has slope "
       "2 a_i (theta_i - c_i).", BOWL, lambda theta, a, c, decay: a * (theta - c) + decay * theta),
    _m("decay ignored", "The loss here has the penalty added: its slope has the penalty's term too.",
       BOWL, lambda theta, a, c, decay: 2.0 * a * (theta - c)),
    _m("the penalty's slope summed over the knobs", "The penalty's slope along knob i depends on "
       "theta_i alone: moving one knob does not move the others' squares.", BOWL,
       lambda theta, a, c, decay: 2.0 * a * (theta - c) + decay * np.sum(theta)),
]


BOWL_LOSS_MISTAKES = [
    _m("missing the square", "Each knob contributes a_i times the *square* of its distance from the "
       "bottom, so the loss is never negative.", BOWL,
       lambda theta, a, c: float(np.sum(a * (theta - c)))),
    _m("steepness outside the sum", "Multiply each knob's squared distance by its own a_i before "
       "adding up.", BOWL, lambda theta, a, c: float(np.sum(a) * np.sum((theta - c) ** 2))),
    _m("mean instead of sum", "The bowl adds the knobs' terms; it does not average them.", BOWL,
       lambda theta, a, c: float(np.mean(a * (theta - c) ** 2))),
]

BOWL_GRADIENT_MISTAKES = [
    _m("missing the factor 2", "The slope of a (x - c)^2 is 2 a (x - c): nudge x and see.", BOWL,
       lambda theta, a, c: a * (theta - c)),
    _m("sign flip", "The slope points uphill: where theta is above the bottom c it is positive, "
       "2 a (theta - c).", BOWL, lambda theta, a, c: 2.0 * a * (c - theta)),
    _m("returned the loss terms", "You returned a (theta - c)^2, each knob's part of the loss; its "
       "slope is 2 a (theta - c).", BOWL, lambda theta, a, c: a * (theta - c) ** 2),
    _m("missing the steepness", "Each knob's slope is scaled by its own steepness a_i.", BOWL,
       lambda theta, a, c: 2.0 * (theta - c)),
]

STEP_MISTAKES = [
    _m("climbed uphill", "The gradient points uphill; a descent step subtracts it: "
       "theta - learning_rate * grad.", RULE,
       lambda theta, grad, lr: theta + lr * grad),
    _m("learning rate ignored", "The step is the gradient *times* the learning rate.", RULE,
       lambda theta, grad, lr: theta - grad),
    _m("divided by the learning rate", "Multiply the gradient by the learning rate; a smaller "
       "learning rate must give a smaller step.", RULE,
       lambda theta, grad, lr: theta - grad / lr if lr else theta - grad),
    _m("returned the step instead of the new point", "Return where the step lands, theta - "
       "learning_rate * grad, not the step itself.", RULE,
       lambda theta, grad, lr: -lr * grad),
]


def _minimise_without_start(gradient_fn, theta0, lr, steps):
    return ref.minimise(gradient_fn, theta0, lr, steps)[1:]


def _minimise_extra_step(gradient_fn, theta0, lr, steps):
    return ref.minimise(gradient_fn, theta0, lr, steps + 1)


def _minimise_aliased(gradient_fn, theta0, lr, steps):
    theta = np.array(theta0, dtype=np.float64)
    history = [theta]
    for _ in range(steps):
        theta -= lr * gradient_fn(theta)  # updates the one array that every row refers to
        history.append(theta)
    return np.array(history)


def _minimise_uphill(gradient_fn, theta0, lr, steps):
    return ref.minimise(gradient_fn, theta0, -lr, steps)


def _minimise_gradient_at_start(gradient_fn, theta0, lr, steps):
    g = gradient_fn(np.array(theta0, dtype=np.float64))
    return np.array([theta0 - t * lr * g for t in range(steps + 1)])


MINIMISE_MISTAKES = [
    _m("history without the starting point", "Row 0 of the history is theta0 itself, so a run of "
       "`steps` steps records steps + 1 points.", RULE, _minimise_without_start),
    _m("one step too many", "The loop should take exactly `steps` steps.", RULE,
       _minimise_extra_step),
    _m("every row is the same array", "The loop updated theta in place (theta -= ...) and appended "
       "that same array each time, so every row shows the final point. Append a new array each "
       "step: theta = theta - learning_rate * grad.", RULE, _minimise_aliased),
    _m("climbed uphill", "Each step subtracts learning_rate * gradient.", RULE, _minimise_uphill),
    _m("gradient measured only at the start", "The gradient changes as theta moves: measure it "
       "again at every step, at the current theta.", BOWL, _minimise_gradient_at_start),
]

LOSSES_MISTAKES = [
    _m("summed over the history", "Each row is one point of the run and gets its own loss: sum over "
       "the knobs (axis 1), not over the rows.", BOWL,
       lambda history, a, c: np.sum(a * (history - c) ** 2, axis=0)),
    _m("missing the square", "Each knob contributes a_i (theta_i - c_i)^2.", BOWL,
       lambda history, a, c: np.sum(a * (history - c), axis=1)),
    _m("steepness left out", "Multiply each squared distance by its knob's a_i.", BOWL,
       lambda history, a, c: np.sum((history - c) ** 2, axis=1)),
]

FACTOR_MISTAKES = [
    _m("missing the factor 2", "One step moves the distance d to d - lr * 2 a d = (1 - 2 a lr) d: "
       "the 2 comes from the slope 2 a d.", OVERSHOOT, lambda a, lr: 1.0 - lr * a),
    _m("returned the shrink instead of the factor", "You returned 2 a lr, the part of the distance "
       "removed; the factor is what is left, 1 - 2 a lr.", OVERSHOOT, lambda a, lr: 2.0 * lr * a),
    _m("sign flip", "A step moves toward the bottom: the factor is 1 - 2 a lr, not 1 + 2 a lr.",
       OVERSHOOT, lambda a, lr: 1.0 + 2.0 * lr * a),
]


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

BOWL_LOSS_MISTAKES += [
    _m("absolute distance instead of squared", "The bowl is a_i (theta_i - c_i)^2; |theta - c| "
       "makes a cone with a sharp tip.", BOWL, lambda theta, a, c: float(np.sum(a * np.abs(theta - c)))),
]

BOWL_GRADIENT_MISTAKES += [
    _m("steepness multiplied into theta only", "2 * (a * theta - c) is not the slope: a "
       "multiplies the whole distance, 2 a (theta - c).", BOWL,
       lambda theta, a, c: 2.0 * (a * theta - c)),
]

STEP_MISTAKES += [
    _m("stepped by the sign of the gradient", "A descent step is learning_rate times the "
       "gradient itself: steep slopes take bigger steps.", RULE,
       lambda theta, grad, lr: theta - lr * np.sign(grad)),
]

LOSSES_MISTAKES += [
    _m("mean over the knobs", "Each point's loss adds its knobs' terms; it does not average "
       "them.", BOWL, lambda history, a, c: np.mean(a * (history - c) ** 2, axis=1)),
]

FACTOR_MISTAKES += [
    _m("factor of two steps", "One step multiplies the distance by 1 - 2 a lr once; you "
       "squared it.", OVERSHOOT, lambda a, lr: (1.0 - 2.0 * lr * a) ** 2),
]


# ------------------------------------------------------- graded functions

GRADED = {g.name: g for g in [
    GradedFunction(name="bowl_loss", reference=ref.bowl_loss, visible_cases=_bowl_visible,
                   hidden_cases=_bowl_hidden, mistakes=BOWL_LOSS_MISTAKES, seed=601,
                   rtol=1e-10, atol=1e-12),
    GradedFunction(name="bowl_gradient", reference=ref.bowl_gradient, visible_cases=_bowl_visible,
                   hidden_cases=_bowl_hidden, mistakes=BOWL_GRADIENT_MISTAKES, seed=602),
    GradedFunction(name="decayed_bowl_gradient", reference=ref.decayed_bowl_gradient,
                   visible_cases=_decay_visible, hidden_cases=_decay_hidden, mistakes=DECAY_MISTAKES, seed=607),
    GradedFunction(name="descent_step", reference=ref.descent_step, visible_cases=_step_visible,
                   hidden_cases=_step_hidden, mistakes=STEP_MISTAKES, seed=603),
    GradedFunction(name="minimise", reference=ref.minimise, visible_cases=_minimise_visible,
                   hidden_cases=_minimise_hidden, mistakes=MINIMISE_MISTAKES, seed=604),
    GradedFunction(name="losses_along", reference=ref.losses_along, visible_cases=_losses_visible,
                   hidden_cases=_losses_hidden, mistakes=LOSSES_MISTAKES, seed=605),
    GradedFunction(name="step_factor", reference=ref.step_factor, visible_cases=_factor_visible,
                   hidden_cases=_factor_hidden, mistakes=FACTOR_MISTAKES, seed=606),
]}
