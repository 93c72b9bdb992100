"""Your turn: one line of numpy inside a lesson, checked at once against the course's stored
answer (not graded, and never an exercise's function).

    answer = ...  # your line
    your_turn.check("lesson01_zero_bias", answer)

prints "Not yet" with a hint until the value is right, then "Right" and what it shows. The
answers are stored in course/data/your_turn.json, computed from the lesson's own numbers.
"""

import numpy as np

from course import stored

RTOL, ATOL = 1e-9, 1e-12  # a line computed another way differs from the stored answer by round-off only

HINTS = {
    "lesson01_zero_bias": "z = x @ w + b is zero when b cancels x @ w exactly.",
    "lesson01_overflow_edge": ("np.exp(z) overflows once e^z passes the largest float64, "
                               "np.finfo(np.float64).max; undo the exponential with np.log."),
    "lesson01_sigmoid_mean": ("the mean of an array is np.mean(...); apply the sigmoid, "
                              "1 / (1 + np.exp(-zs)), to the whole array first."),
}


def check(key, value):
    """Print whether `value` is the stored answer of the your-turn question `key`."""
    expected = stored.load("your_turn")[key]
    if value is ... or value is None:
        print(f"Not yet: replace the ... with your line. Hint: {HINTS[key]}")
        return
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        print(f"Not yet: that is {type(value).__name__}, not a number. Hint: {HINTS[key]}")
        return
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        print(f"Not yet: the answer has shape {want.shape}, yours {got.shape}. Hint: {HINTS[key]}")
    elif np.allclose(got, want, rtol=RTOL, atol=ATOL):
        print(f"Right: {np.round(got, 6).tolist()}.")
    else:
        print(f"Not yet: yours is {np.round(got, 6).tolist()}. Hint: {HINTS[key]}")
