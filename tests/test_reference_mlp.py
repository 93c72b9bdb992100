"""Lesson 10's MLP against central differences, and its training on the bundled digits."""

import time

import numpy as np
import pytest

from autograder.reference import mlp as ref
from course import gradcheck
from course.costs import knob_count


def numerical_gradient(f, x):
    """Central differences of the scalar function f at the array x, at the nudge these tests use."""
    return gradcheck.numerical_gradient(f, x, h=1e-6)


def independent_loss(theta, sizes, X, labels):
    """Mean cross-entropy written without the reference's helpers (loops over layers)."""
    start, A = 0, X
    for index, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = theta[start:start + d_in * d_out].reshape(d_in, d_out)
        b = theta[start + d_in * d_out:start + d_in * d_out + d_out]
        start += d_in * d_out + d_out
        Z = A @ W + b
        A = np.where(Z > 0, Z, 0.0) if index < len(sizes) - 2 else Z
    logp = A - A.max(axis=1, keepdims=True)
    logp = logp - np.log(np.sum(np.exp(logp), axis=1, keepdims=True))
    return -np.mean([logp[i, labels[i]] for i in range(len(labels))])


@pytest.mark.parametrize("seed", range(5))
def test_mlp_backward_matches_central_differences_on_random_architectures(seed):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(0, 4))
    sizes = tuple(int(s) for s in rng.integers(2, 6, size=depth + 1)) + (int(rng.integers(2, 5)),)
    theta = ref.init_params(sizes, rng) + rng.normal(0.0, 0.1, size=knob_count(sizes))
    n = int(rng.integers(1, 8))
    X, labels = rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)
    loss, gradient = ref.mlp_backward(theta, sizes, X, labels)
    assert loss == pytest.approx(independent_loss(theta, sizes, X, labels), rel=1e-12)
    numeric = numerical_gradient(lambda t: independent_loss(t, sizes, X, labels), theta)
    assert gradient.shape == theta.shape
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-8)


def test_cross_entropy_gradient_and_stability():
    rng = np.random.default_rng(7)
    logits, labels = rng.normal(size=(4, 3)), np.array([0, 2, 1, 1])

    def loss(L):
        P = np.exp(L) / np.exp(L).sum(axis=1, keepdims=True)
        return -np.mean(np.log(P[np.arange(4), labels]))
    value, dlogits = ref.cross_entropy_backward(logits, labels)
    assert value == pytest.approx(loss(logits))
    np.testing.assert_allclose(dlogits, numerical_gradient(loss, logits), rtol=1e-6, atol=1e-9)
    big_loss, big_grad = ref.cross_entropy_backward(np.array([[1000.0, 0.0]]), np.array([1]))
    assert big_loss == pytest.approx(1000.0) and np.all(np.isfinite(big_grad))
    np.testing.assert_allclose(ref.softmax(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])


def test_softmax_mse_gradient_matches_central_differences_and_stays_finite():
    rng = np.random.default_rng(8)
    logits, labels = rng.normal(0.0, 2.0, size=(5, 4)), np.array([0, 3, 1, 1, 2])

    def loss(L):  # written out without the reference's softmax
        P = np.exp(L) / np.exp(L).sum(axis=1, keepdims=True)
        return 0.5 * np.sum((P - np.eye(4)[labels]) ** 2) / 5
    value, dlogits = ref.softmax_mse_backward(logits, labels)
    assert value == pytest.approx(loss(logits), rel=1e-12)
    np.testing.assert_allclose(dlogits, numerical_gradient(loss, logits), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(dlogits.sum(axis=1), 0.0, atol=1e-15)  # softmax ignores a shift of a row
    big_loss, big_grad = ref.softmax_mse_backward(np.array([[1000.0, 999.0, -5.0]]), np.array([1]))
    assert np.isfinite(big_loss) and np.all(np.isfinite(big_grad))


def test_pack_and_unpack_are_inverse():
    sizes = (3, 4, 2)
    theta = np.arange(knob_count(sizes), dtype=float)
    layers = ref.unpack(theta, sizes)
    assert [W.shape for W, _ in layers] == [(3, 4), (4, 2)]
    np.testing.assert_array_equal(ref.pack(layers), theta)


def test_train_reaches_the_stated_accuracy_on_digits_in_seconds():
    d = ref.DIGITS
    X_train, y_train, X_test, y_test = ref.digits_split()
    assert X_train.shape == (1347, 64) and X_test.shape == (450, 64)
    start = time.perf_counter()
    theta, losses = ref.train(X_train, y_train, d["sizes"], d["epochs"], d["batch_size"],
                              d["learning_rate"], d["seed"])
    seconds = time.perf_counter() - start
    accuracy = ref.accuracy(theta, d["sizes"], X_test, y_test)
    assert accuracy >= d["required_accuracy"], accuracy
    assert accuracy == pytest.approx(0.9667, abs=1e-4)  # the figure lesson 10 states
    assert losses.shape == (d["epochs"] * int(np.ceil(1347 / d["batch_size"])),)
    assert losses[-200:].mean() < losses[:50].mean() / 5
    assert seconds < 10, f"training took {seconds:.1f} s"


def test_train_is_reproducible():
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    a = ref.train(X, y, (3, 5, 2), 2, 4, 0.1, 3)
    b = ref.train(X, y, (3, 5, 2), 2, 4, 0.1, 3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
