"""Lesson 4's stored results: the errors of both slope estimates against the step h."""

import numpy as np

from autograder.reference import neuron, nudging
from autograder.stored import produces
from course.nudging import X0


@produces("lesson04_error_vs_h")
def error_vs_h():
    """|estimate - sigmoid'(1)| of the forward and central differences for 57 steps h, 1e-14 to 1."""
    hs = np.logspace(-14, 0, 57)
    forward, central = nudging.nudging_errors(neuron.sigmoid, neuron.sigmoid_prime, X0, hs)
    return {"x0": X0, "hs": hs, "forward_errors": forward, "central_errors": central}
