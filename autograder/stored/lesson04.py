"""Lesson 4's stored results: the errors of both slope estimates against the step h."""

import numpy as np

from autograder.reference import neuron, nudging
from autograder.stored import produces
from course.nudging import X0

EPS = np.finfo(float).eps


def roundoff_slack(fresh):
    """How much of each error is round-off, so moves with the processor: f(x0 + h) and f(x0) are
    each rounded to within eps * |f| (more where exp is a SIMD approximation a few ulps off), and
    dividing their difference by h makes that up to about 2 * eps * |f| / h; the errors are then
    taken from |f'(x0)|, rounded to within eps * |f'|. Four times both, to leave room for an exp
    a couple of ulps from the correctly rounded value."""
    f, slope = neuron.sigmoid(X0), abs(neuron.sigmoid_prime(X0))
    per_h = 4 * (2 * EPS * abs(f) / fresh["hs"] + EPS * slope)
    return {"x0": None, "hs": 4 * EPS * fresh["hs"],
            "forward_errors": per_h, "central_errors": per_h}


@produces("lesson04_error_vs_h", slack=roundoff_slack)
def error_vs_h():
    """|estimate - sigmoid'(1)| of the forward and central differences for 57 steps h, 1e-14 to 1."""
    hs = np.logspace(-14, 0, 57)
    forward, central = nudging.nudging_errors(neuron.sigmoid, neuron.sigmoid_prime, X0, hs)
    return {"x0": X0, "hs": hs, "forward_errors": forward, "central_errors": central}
