"""Lesson 8's stored results: every wish exercise 8's functions compute on the lesson's toy network."""

import numpy as np

from autograder.reference import wishes as ref
from autograder.stored import produces
from course.given import sigmoid
from course.wishes import toy_network


def _one_example(net, example):
    X, Y = net["X"][example:example + 1], net["Y"][example:example + 1]
    Z1 = X @ net["W1"] + net["b1"]
    A1 = sigmoid(Z1)
    Z2 = A1 @ net["W2"] + net["b2"]
    A2 = sigmoid(Z2)
    out_wish = ref.output_wishes(A2, Y)
    wish_Z2 = ref.weighted_sum_wishes(out_wish, Z2)
    _, W2_wish, hidden_wish = ref.three_wishes(A1, net["W2"], wish_Z2)
    wish_Z1 = ref.weighted_sum_wishes(hidden_wish, Z1)
    _, W1_wish, input_wish = ref.three_wishes(X, net["W1"], wish_Z1)
    return {"x": X[0], "y": Y[0], "a1": A1[0], "a2": A2[0], "out_wish": out_wish[0],
            "hidden_wish": hidden_wish[0], "input_wish": input_wish[0], "wish_z2": wish_Z2[0],
            "wish_z1": wish_Z1[0], "W1_wish": W1_wish[0], "W2_wish": W2_wish[0]}


@produces("lesson08_wishes")
def toy_network_wishes():
    """One dict per example of course.wishes.toy_network(): its activations and every wish."""
    net = toy_network()
    return [_one_example(net, e) for e in range(len(net["X"]))]


GRANTING_STEPS, GRANTING_SIZE = 10, 2.0  # exercise 8's Try it: ten steps of size 2


def granting_costs(network_wishes):
    """The average cost of toy_network() before and after each of GRANTING_STEPS steps of size
    GRANTING_SIZE along network_wishes (the reference's or a learner's); shape (11,)."""
    net = toy_network()
    X, Y = net["X"], net["Y"]
    W1, b1, W2, b2 = net["W1"], net["b1"], net["W2"], net["b2"]
    costs = []
    for step in range(GRANTING_STEPS + 1):
        A2 = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)
        costs.append(float(np.mean(0.5 * np.sum((A2 - Y) ** 2, axis=1))))
        if step < GRANTING_STEPS:
            wish_W1, wish_b1, wish_W2, wish_b2 = network_wishes(X, Y, W1, b1, W2, b2)
            W1, b1 = W1 + GRANTING_SIZE * wish_W1, b1 + GRANTING_SIZE * wish_b1
            W2, b2 = W2 + GRANTING_SIZE * wish_W2, b2 + GRANTING_SIZE * wish_b2
    return np.array(costs)


@produces("lesson08_granting")
def granting():
    """Exercise 8's Try it run with a right network_wishes: the average cost at steps 0..10."""
    return granting_costs(ref.network_wishes)
