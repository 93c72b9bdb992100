"""Lesson 9's reference formulas against central differences, and the worked example's figures."""

import numpy as np
import pytest

from autograder.reference import chain_rule as ref
from course import gradcheck


def numerical_gradient(f, x):
    """Central differences of the scalar function f at the array x, at the nudge these tests use."""
    return gradcheck.numerical_gradient(f, x, h=1e-6)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def assert_close(analytic, numeric, tol=1e-7):
    error = np.max(np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic),
                                                                      np.abs(numeric)), 1e-8))
    assert error < tol, f"relative error {error:.2e}"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chain_backward_matches_central_differences_per_example(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=4), rng.uniform(size=4)
    p = rng.normal(size=4)
    grads = ref.chain_backward(x, y, *p)
    for i in range(4):
        def loss(q):
            return 0.5 * (sig(q[2] * sig(q[0] * x[i] + q[1]) + q[3]) - y[i]) ** 2
        numeric = numerical_gradient(loss, p)
        assert_close(np.array([g[i] for g in grads]), numeric)


def test_chain_factors_multiply_to_the_gradients():
    x, y = np.array([1.5]), np.array([0.2])
    f = ref.chain_factors(x, y, 0.8, 0.1, -1.5, 0.3)
    dE_dyhat, dyhat_dz2, dz2_dw2, dz2_da1, da1_dz1, dz1_dw1 = f
    dw1, _, dw2, _ = ref.chain_backward(x, y, 0.8, 0.1, -1.5, 0.3)
    np.testing.assert_allclose(dE_dyhat * dyhat_dz2 * dz2_dw2, dw2)
    np.testing.assert_allclose(dE_dyhat * dyhat_dz2 * dz2_da1 * da1_dz1 * dz1_dw1, dw1)


def test_dense_backward_matches_central_differences():
    rng = np.random.default_rng(3)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    R = rng.normal(size=(5, 4))  # the loss sum(R * Z) has dL/dZ = R

    def loss(X_, W_, b_):
        return np.sum(R * (X_ @ W_ + b_))
    dX, dW, db = ref.dense_backward(R, X, W)
    assert_close(dX, numerical_gradient(lambda v: loss(v, W, b), X))
    assert_close(dW, numerical_gradient(lambda v: loss(X, v, b), W))
    assert_close(db, numerical_gradient(lambda v: loss(X, W, v), b))
    assert dW.shape == W.shape and db.shape == b.shape and dX.shape == X.shape


def test_dense_backward_on_zero_rows_gives_zero_gradients():
    dX, dW, db = ref.dense_backward(np.zeros((0, 2)), np.zeros((0, 3)), np.ones((3, 2)))
    assert dX.shape == (0, 3) and not dW.any() and not db.any()


@pytest.mark.parametrize("name", ["sigmoid_backward", "relu_backward"])
def test_activation_backward_matches_central_differences(name):
    rng = np.random.default_rng(4)
    Z = rng.normal(size=(3, 4)) + 0.05  # keep away from ReLU's kink for the nudge
    R = rng.normal(size=Z.shape)
    act = sig if name == "sigmoid_backward" else (lambda z: np.maximum(z, 0.0))
    numeric = numerical_gradient(lambda v: np.sum(R * act(v)), Z)
    assert_close(getattr(ref, name)(R, Z), numeric)


def test_relu_backward_uses_zero_slope_at_zero():
    assert ref.relu_backward(np.array([2.0]), np.array([0.0]))[0] == 0.0


def test_output_delta_matches_central_differences():
    rng = np.random.default_rng(5)
    Z, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 3))
    numeric = numerical_gradient(lambda v: 0.5 * np.sum((sig(v) - Y) ** 2) / 6, Z)
    assert_close(ref.output_delta(sig(Z), Y), numeric)


def test_neuron_backward_matches_central_differences():
    rng = np.random.default_rng(6)
    X, w, b, y = rng.normal(size=(7, 3)), rng.normal(size=3), 0.3, rng.uniform(size=7)
    p = np.append(w, b)
    numeric = numerical_gradient(lambda q: np.mean(0.5 * (sig(X @ q[:3] + q[3]) - y) ** 2), p)
    dw, db = ref.neuron_backward(X, w, b, y)
    assert isinstance(db, float)
    assert_close(np.append(dw, db), numeric)


def _worked_example_loss(W1, W2):
    s = ref.WORKED_EXAMPLE
    return 0.5 * (s["t"] - sig(sig(s["x"] @ W1) @ W2)) ** 2


def test_worked_example_forward_figures():
    h, y, delta, W1_new, W2_new, after = ref.worked_example_step(**ref.WORKED_EXAMPLE)
    np.testing.assert_allclose(h, [0.5523, 0.5781], atol=5e-5)
    assert y == pytest.approx(0.6651, abs=5e-5)
    assert delta == pytest.approx(-0.0368, abs=5e-5)
    # The article's -0.0376 comes from rounding y to 0.67 first.
    assert (0.5 - 0.67) * 0.67 * 0.33 == pytest.approx(-0.0376, abs=5e-5)


def test_worked_example_step_lowers_w11_to_0_19905():
    s = ref.WORKED_EXAMPLE
    _, _, _, W1_new, W2_new, after = ref.worked_example_step(**s)
    assert W1_new[0, 0] == pytest.approx(0.19905, abs=5e-6)
    assert W1_new[0, 0] < 0.2 < 0.200945  # the article's 0.200945 is the wrong direction
    # the step is exactly minus the numerical gradient (step size 1)
    numeric_W1 = numerical_gradient(lambda v: _worked_example_loss(v, s["W2"]), s["W1"])
    numeric_W2 = numerical_gradient(lambda v: _worked_example_loss(s["W1"], v), s["W2"])
    assert_close(s["W1"] - W1_new, numeric_W1)
    assert_close(s["W2"] - W2_new, numeric_W2)
    # one step moves the output toward 0.5, but only to about 0.66, not the article's 0.61
    assert after == pytest.approx(0.6596, abs=5e-5)
    assert _worked_example_loss(W1_new, W2_new) < _worked_example_loss(s["W1"], s["W2"])


def test_worked_example_inputs_are_not_changed():
    s = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in ref.WORKED_EXAMPLE.items()}
    ref.worked_example_step(**s)
    np.testing.assert_array_equal(s["W1"], ref.WORKED_EXAMPLE["W1"])


@pytest.mark.parametrize("seed", [0, 1])
def test_divide_backward_matches_central_differences(seed):
    rng = np.random.default_rng(seed)
    A, R = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    B = rng.uniform(0.5, 2.0, size=(3, 4)) * rng.choice([-1.0, 1.0], size=(3, 4))
    dA, dB = ref.divide_backward(R, A, B)
    assert_close(dA, numerical_gradient(lambda v: np.sum(R * (v / B)), A))
    assert_close(dB, numerical_gradient(lambda v: np.sum(R * (A / v)), B))
