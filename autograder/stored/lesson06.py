"""Lesson 6's stored results: what exercise 6's functions return on the numbers the lesson shows."""

import numpy as np

from autograder.reference import descent as ref
from autograder.stored import produces
from course import descent


@produces("lesson06_descent")
def lesson_results():
    """The one-knob run (lesson section "The update rule"), the bowl's loss and gradient at the
    start, and each named learning rate's step factors."""
    one_knob = ref.minimise(lambda theta: 2 * (theta - 3.0), np.array([0.0]), 0.1, 5)
    return {"one_knob_history": one_knob,
            "start_loss": ref.bowl_loss(descent.START, descent.BOWL_A, descent.BOWL_C),
            "start_gradient": ref.bowl_gradient(descent.START, descent.BOWL_A, descent.BOWL_C),
            "step_factors": {label: ref.step_factor(descent.BOWL_A, lr)
                             for label, lr in descent.RATES.items()}}
