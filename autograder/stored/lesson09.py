"""Lesson 9's stored results: the published worked example after one gradient step, as exercise
9's worked_example_step computes it (the numbers a learner's function must reproduce)."""

from autograder.reference import chain_rule as ref
from autograder.stored import produces


@produces("lesson09_worked_step")
def worked_example_after_one_step():
    """The new weights and the output after one step of the published worked example's network."""
    _, _, _, W1_new, W2_new, output_after = ref.worked_example_step(**ref.WORKED_EXAMPLE)
    return {"W1_new": W1_new, "W2_new": W2_new, "output_after": output_after,
            "step": ref.WORKED_EXAMPLE["step"]}
