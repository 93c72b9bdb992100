"""Lesson 5 reference, checked against values computed another way (by hand or by formula)."""

import numpy as np
import pytest

from autograder.reference import numerical_gradient as ref


def _worked_example_params():
    """The published worked example (lesson 9): weights 0.2, 0.2 and 0.3, 0.3 into the hidden layer, 0.3, 0.9 out."""
    return {"W1": np.array([[0.2, 0.3], [0.2, 0.3]]), "b1": np.zeros(2),
            "W2": np.array([[0.3], [0.9]]), "b2": np.zeros(1)}


def test_forward_reproduces_the_worked_example():
    out = ref.network_forward(_worked_example_params(), np.array([[0.35, 0.7]]))
    assert out.shape == (1, 1)
    # hidden: sigmoid(0.21) = 0.5523, sigmoid(0.315) = 0.5781; output sigmoid(0.3*0.5523 + 0.9*0.5781)
    h1, h2 = 1 / (1 + np.exp(-0.21)), 1 / (1 + np.exp(-0.315))
    assert round(h1, 4) == 0.5523 and round(h2, 4) == 0.5781
    assert out[0, 0] == pytest.approx(1 / (1 + np.exp(-(0.3 * h1 + 0.9 * h2))), rel=1e-14)
    assert round(float(out[0, 0]), 4) == 0.6651


def test_loss_is_lesson_3s_cost_half_the_squared_error_averaged_over_examples():
    params = _worked_example_params()
    X = np.array([[0.35, 0.7], [0.0, 0.0]])
    Y = np.array([[0.5], [1.0]])
    out = ref.network_forward(params, X)[:, 0]
    expected = (0.5 * (out[0] - 0.5) ** 2 + 0.5 * (out[1] - 1.0) ** 2) / 2
    assert ref.network_loss(params, X, Y) == pytest.approx(expected, rel=1e-14)


def test_toy_loss_is_half_the_plain_mean_the_lessons_numbers():
    params = ref.toy_params()
    cost = ref.network_loss(params, ref.TOY_X, ref.TOY_Y)
    plain = np.mean((ref.network_forward(params, ref.TOY_X) - ref.TOY_Y) ** 2)
    assert round(cost, 6) == 0.073183 and round(plain, 6) == 0.146366
    assert plain == pytest.approx(2 * cost, rel=1e-14)


def test_init_params_shapes_and_knob_count():
    params = ref.init_params((784, 16, 16, 10), seed=0)
    assert [p.shape for p in params.values()] == [(784, 16), (16,), (16, 16), (16,), (16, 10), (10,)]
    assert ref.count_knobs(params) == 784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10 == 13002
    np.testing.assert_array_equal(ref.init_params((2, 3, 1), seed=4)["W1"],
                                  ref.init_params((2, 3, 1), seed=4)["W1"])


def test_numerical_gradient_of_a_cubic_matches_the_exact_slope():
    rng = np.random.default_rng(0)
    params = {"A": rng.normal(size=(2, 3)), "v": rng.normal(size=4)}
    c = {"A": rng.uniform(1, 2, size=(2, 3)), "v": rng.uniform(1, 2, size=4)}
    grads = ref.numerical_gradient(lambda p: sum(np.sum(c[k] * p[k] ** 3) for k in c), params, 1e-4)
    for k in c:  # d/dx of c x^3 is 3 c x^2; the central difference adds exactly c h^2
        np.testing.assert_allclose(grads[k], 3 * c[k] * params[k] ** 2 + c[k] * 1e-8, rtol=1e-6, atol=1e-9)


def _hand_gradient(params, X, Y):
    """The 2-layer sigmoid network's cost gradient by the chain rule, written out for this test
    (dC/dY_hat = (Y_hat - Y) / n for the course's cost)."""
    def s(z):
        return 1 / (1 + np.exp(-z))

    a1 = s(X @ params["W1"] + params["b1"])
    a2 = s(a1 @ params["W2"] + params["b2"])
    d2 = (a2 - Y) / len(X) * a2 * (1 - a2)
    d1 = d2 @ params["W2"].T * a1 * (1 - a1)
    return {"W1": X.T @ d1, "b1": d1.sum(0), "W2": a1.T @ d2, "b2": d2.sum(0)}


def test_numerical_gradient_of_the_network_matches_the_chain_rule():
    params = ref.init_params((2, 3, 1), seed=5, scale=2.0)
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(6, 2)), rng.uniform(size=(6, 1))
    grads = ref.numerical_gradient(lambda p: ref.network_loss(p, X, Y), params, 1e-5)
    exact = _hand_gradient(params, X, Y)
    assert list(grads) == ["W1", "b1", "W2", "b2"]
    assert ref.max_relative_error(grads, exact) < 1e-6


def test_numerical_gradient_restores_bit_for_bit_and_calls_the_loss_twice_per_knob():
    params = ref.init_params((2, 3, 1), seed=5)
    params["W1"][0, 0] = 1.3  # 1.3 + 1e-3 - 2e-3 + 1e-3 != 1.3: only writing back the saved value is exact
    before = {k: v.copy() for k, v in params.items()}
    calls = []
    X, Y = np.ones((1, 2)), np.zeros((1, 1))
    ref.numerical_gradient(lambda p: calls.append(1) or ref.network_loss(p, X, Y), params, 1e-3)
    assert len(calls) == 2 * ref.count_knobs(params) == 26
    for k in before:
        assert np.array_equal(params[k], before[k])


def test_relative_error_by_hand():
    a = np.array([2.0, -0.5, 0.0, 3.0, 1e-3])
    b = np.array([2.001, -0.5, 0.0, -3.0, 1.1e-3])
    np.testing.assert_allclose(ref.relative_error(a, b),
                               [0.001 / 2.001, 0.0, 0.0, 2.0, 1e-4 / 1.1e-3], rtol=1e-12)
    assert ref.relative_error(np.array([0.0]), np.array([1e-13]))[0] == pytest.approx(0.1)


def test_max_relative_error_looks_at_every_array():
    a = {"W1": np.array([1.0, 2.0]), "b1": np.array([4.0])}
    b = {"W1": np.array([1.0, 2.0]), "b1": np.array([5.0])}
    assert ref.max_relative_error(a, b) == pytest.approx(0.2)


def test_network_loss_is_lesson_3s_cost_of_the_forward_pass():
    """One cost in the whole course: lesson 5's network_loss is lesson 3's mse of the outputs."""
    from autograder.reference.loss import mse
    rng = np.random.default_rng(8)
    for sizes in [(2, 3, 1), (4, 5, 3), (3, 2, 2, 2)]:
        params = ref.init_params(sizes, seed=int(rng.integers(1000)))
        X, Y = rng.normal(size=(6, sizes[0])), rng.uniform(size=(6, sizes[-1]))
        assert ref.network_loss(params, X, Y) == pytest.approx(
            mse(ref.network_forward(params, X), Y), rel=1e-14)
