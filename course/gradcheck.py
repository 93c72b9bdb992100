"""The course's one gradient check: central differences, the relative error, one pass line.

Lesson 4 states these numbers once; every later check the course prints takes them from
here, and tests/test_prose_numbers.py fails if any lesson or exercise states other ones.

    from course.gradcheck import numerical_gradient, gradient_check
    gradient_check("dW", dW, numerical_gradient(lambda W_: loss(X, W_), W))
"""

import numpy as np

H = 1e-5  # the nudge for central differences in float64
TINY = 1e-12  # the floor of the relative error's denominator: it only stops 0 / 0
PASS_LINE = 1e-6  # a correct gradient, checked with central differences at H in float64, stays below
WRONG_LINE = 1e-2  # above this, the formula is wrong; between the two lines, look closer
# Below this a relative error is round-off, and its digits change from one processor to the next.
# Central differences at H carry round-off of about eps * |f| / (H * |f'|) of the slope: 2e-11
# where f and f' are of a size, 1e-9 measured on tanh at x = 4 (f' = 0.0013), 2.4e-9 at most in
# the course's printed checks. The two correct checks that print more (3e-8 and 9e-8, lessons 9
# and 10's exercises) are the central difference's own error, H^2 / 6 times a third derivative,
# which is the same on every machine.
ROUNDOFF = 1e-8


def relative_error(a, b):
    """|a - b| / max(|a|, |b|, TINY), entry by entry. a, b: numbers or arrays of one shape."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    larger = np.fmax(np.fmax(np.abs(a), np.abs(b)), TINY)  # the guard against 0 / 0
    return np.abs(a - b) / larger


def worst_relative_error(a, b):
    """The largest relative error over every entry (of two arrays, or two dicts of arrays)."""
    if isinstance(a, dict):
        return max(worst_relative_error(a[name], b[name]) for name in a)
    return float(np.max(relative_error(a, b)))


def verdict(error):
    """PASS below the pass line, FAIL otherwise."""
    return "PASS" if error < PASS_LINE else "FAIL"


def numerical_gradient(f, x, h=H):
    """Central differences (f(x + h) - f(x - h)) / 2h for every entry of the array x.

    f takes an array shaped like x and returns a number; x itself is left unchanged."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        up = f(x)
        x[index] = old - h
        down = f(x)
        x[index] = old
        grad[index] = (up - down) / (2 * h)
    return grad


def error_size(error):
    """A relative error as printed: two decimals for a real disagreement, a power of ten above a
    small one, and "about zero" for round-off (below ROUNDOFF), whose digits mean nothing."""
    if error >= 1e-3:
        return f"{error:.2f}"
    if error < ROUNDOFF:
        return f"about zero: below {ROUNDOFF:.0e}"
    return f"below {10.0 ** np.ceil(np.log10(error)):.0e}"


def gradient_check(name, analytic, numeric):
    """Print one line: the worst relative error, and PASS or FAIL against the pass line."""
    error = worst_relative_error(analytic, numeric)
    print(f"{name:<6} relative error {error_size(error)} (pass line {PASS_LINE:.0e}): {verdict(error)}")
