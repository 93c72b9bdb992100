"""Lesson 4 reference: slopes by nudging (forward and central differences), how their
error depends on the nudge h, and relative error for judging a derivative check.

f is an entrywise function (like an activation): f(x) has the shape of x, and entry i
of f(x) depends on x[i] only, so one nudge of the whole array nudges every entry at once.
"""

import numpy as np

from autograder.reference.neuron import sigmoid, sigmoid_prime
from course.gradcheck import TINY


def forward_difference(f, x, h):
    """Slope of f at every entry of x from one nudge up: (f(x + h) - f(x)) / h. Shape of x."""
    return (f(x + h) - f(x)) / h


def central_difference(f, x, h):
    """Slope of f at every entry of x from nudges both ways: (f(x + h) - f(x - h)) / (2 h)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def relative_error(a, b):
    """|a - b| / max(|a|, |b|, TINY) entrywise: 0 when equal, 1 when one is 0 and the other not."""
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), TINY)


def derivative_check(f, f_prime, x, h):
    """Largest relative error between a claimed slope f_prime(x) and the central difference.

    A float: about 1e-9 or less for a right derivative at h = 1e-5, about 0.1 to 1 for a wrong one.
    """
    return float(np.max(relative_error(f_prime(x), central_difference(f, x, h))))


def nudging_errors(f, f_prime, x0, hs):
    """Absolute errors of the forward and central estimates of f'(x0), one per nudge size.

    x0: a float, hs: (m,) nudge sizes -> (forward_errors, central_errors), each of shape (m,):
    |estimate - f_prime(x0)|.
    """
    exact = f_prime(x0)
    forward_errors = np.abs((f(x0 + hs) - f(x0)) / hs - exact)
    central_errors = np.abs((f(x0 + hs) - f(x0 - hs)) / (2 * hs) - exact)
    return forward_errors, central_errors


def error_slope(hs, errors):
    """Slope of the least-squares straight line through the points (log10 h, log10 error).

    hs, errors: (m,) positive -> a float; about 1 for forward differences, 2 for central ones
    while truncation dominates.
    """
    return float(np.polyfit(np.log10(hs), np.log10(errors), 1)[0])


def swish_prime(z):
    """Slope of the swish activation z * sigmoid(z), entry by entry. z: array -> shape of z."""
    return sigmoid(z) + z * sigmoid_prime(z)
