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
# where f and f' are of a size, 1e-9 measured on tanh at x = 4 (f' = 0.0013), 3.5e-9 at most in
# the course's printed checks. The two correct checks that print more (3e-8 and 9e-8, lessons 9
# and 10's exercises) are the central difference's own error, H^2 / 6 times a third derivative,
# which is the same on every machine.
ROUNDOFF = 1e-8


def number_relative_error(a, b):
    """How far apart two numbers are, as a fraction of the larger one: |a - b| / max(|a|, |b|, TINY).

    a, b: two numbers (a slope from a formula and the same slope by nudging) -> a float. TINY only
    stops 0 / 0: two zeros are 0 apart."""
    a, b = float(a), float(b)
    return abs(a - b) / max(abs(a), abs(b), TINY)


def worst_relative_error(a, b):
    """The largest number_relative_error over the entries of two arrays of one shape: one
    float, 0.0 for empty arrays. (For two dicts of arrays, gradient_check prints the worst.)"""
    if isinstance(a, dict) or isinstance(b, dict):
        raise TypeError("worst_relative_error compares two arrays; gradient_check compares dicts")
    first, second = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if first.shape != second.shape:
        raise ValueError(f"cannot compare shape {first.shape} with shape {second.shape}")
    return max(map(number_relative_error, first.ravel(), second.ravel()), default=0.0)


def verdict(error):
    """PASS below the pass line, FAIL otherwise."""
    return "PASS" if error < PASS_LINE else "FAIL"


def _unit_steps(shape, h):
    """For each entry of an array of this shape, in reading order: an array of zeros with h at
    that entry alone (a step along one axis of the space the array lives in)."""
    for k in range(int(np.prod(shape, dtype=int))):
        step = np.zeros(shape)
        step.flat[k] = h
        yield step


def numerical_gradient(f, x, h=H):
    """The slope of f at x along every entry's direction, by central differences:
    (f(x + step) - f(x - step)) / 2h, where step is h at that entry and 0 everywhere else.

    f takes an array shaped like x and returns a number; it is handed fresh arrays, so x itself
    is never touched. Returns float64 slopes in x's shape."""
    x = np.array(x, dtype=float)
    slopes = [(f(x + step) - f(x - step)) / (2 * h) for step in _unit_steps(x.shape, h)]
    return np.reshape(np.asarray(slopes, dtype=float), x.shape)


def error_size(error):
    """A relative error as printed: two decimals for a real disagreement, a power of ten above a
    small one, and "about zero" for round-off (below ROUNDOFF), whose digits mean nothing."""
    if error >= 1e-3:
        return f"{error:.2f}"
    if error < ROUNDOFF:
        return f"about zero: below {ROUNDOFF:.0e}"
    return f"below {10.0 ** np.ceil(np.log10(error)):.0e}"


def _all_entries(values):
    """An array as it is; a dict of arrays as one flat array of all their entries, in its order."""
    if isinstance(values, dict):
        return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values.values()])
    return np.ravel(np.asarray(values, dtype=float))


def gradient_check(name, analytic, numeric):
    """Print one line: the worst relative error, and PASS or FAIL against the pass line.

    analytic, numeric: two arrays of one shape, or two dicts of arrays with the same names."""
    if isinstance(analytic, dict) and list(analytic) != list(numeric):
        raise ValueError(f"the two gradients name different arrays: {list(analytic)} and {list(numeric)}")
    error = worst_relative_error(_all_entries(analytic), _all_entries(numeric))
    print(f"{name:<6} relative error {error_size(error)} (pass line {PASS_LINE:.0e}): {verdict(error)}")
