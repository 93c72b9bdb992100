"""The answers of the lessons' "your turn" lines (course.your_turn), from the lessons' numbers."""

import numpy as np

from autograder.stored import produces

LESSON01_X, LESSON01_W = np.array([0.35, 0.7]), np.array([0.2, 0.2])  # lesson 1's neuron
LESSON01_ZS = np.linspace(-3.0, 3.0, 13)  # lesson 1's z values, symmetric around 0


@produces("your_turn")
def answers():
    """{question key: the value a right line gives}."""
    return {
        "lesson01_zero_bias": float(-(LESSON01_X @ LESSON01_W)),
        "lesson01_overflow_edge": float(np.log(np.finfo(np.float64).max)),
        "lesson01_sigmoid_mean": float(np.mean(1.0 / (1.0 + np.exp(-LESSON01_ZS)))),
    }
