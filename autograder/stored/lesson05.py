"""Lesson 5's stored results: the toy network's exact gradient, the yardstick for nudging."""

from autograder.reference import chain_rule, layers
from autograder.stored import produces
from course.numerical_gradient import TOY_X, TOY_Y, toy_params


@produces("lesson05_toy_gradient")
def toy_gradient():
    """The slope of the toy loss at toy_params() for all 13 knobs, by one backward pass."""
    W1, b1, W2, b2 = toy_params().values()
    Z1, A1, _, A2 = layers.two_layer_forward(TOY_X, W1, b1, W2, b2)
    dA1, dW2, db2 = chain_rule.dense_backward(chain_rule.output_delta(A2, TOY_Y), A1, W2)
    _, dW1, db1 = chain_rule.dense_backward(chain_rule.sigmoid_backward(dA1, Z1), TOY_X, W1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
