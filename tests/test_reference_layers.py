"""Unit tests of the lesson-2 reference: known values, and every derivative formula
against a central-difference numerical derivative written here, independently."""

import numpy as np
import pytest

from autograder.reference import layers as ref
from autograder.specs import layers as spec

H = 1e-6


def numerical_jacobian(f, x):
    """J[out_index + in_index] = d f(x)[out] / d x[in], by central differences."""
    x = np.array(x, dtype=float)
    out = np.asarray(f(x))
    J = np.zeros(out.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += H
        down[idx] -= H
        J[(Ellipsis,) + idx] = (np.asarray(f(up)) - np.asarray(f(down))) / (2 * H)
    return J


@pytest.fixture
def rng():
    return np.random.default_rng(2)


def test_dense_forward_is_one_weighted_sum_per_neuron_and_example(rng):
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    Z = ref.dense_forward(X, W, b)
    assert Z.shape == (4, 2)
    for i in range(4):
        for j in range(2):
            assert Z[i, j] == pytest.approx(sum(X[i, k] * W[k, j] for k in range(3)) + b[j])


def test_toy_network_numbers():
    Z1, A1, Z2, A2 = ref.two_layer_forward(spec.TOY_X, spec.TOY_W1, spec.TOY_B1,
                                           spec.TOY_W2, spec.TOY_B2)
    np.testing.assert_allclose(Z1, [[0.21, 0.315, 0.31]], atol=1e-12)
    np.testing.assert_allclose(A1, [[0.5523, 0.5781, 0.5769]], atol=5e-5)
    assert Z2[0, 0] == pytest.approx(0.3 * A1[0, 0] + 0.9 * A1[0, 1] - 0.5 * A1[0, 2])
    assert A2[0, 0] == pytest.approx(1 / (1 + np.exp(-Z2[0, 0])))
    assert A2[0, 0] == pytest.approx(0.5981, abs=5e-5)


def test_forward_pass_rows_are_independent(rng):
    X = rng.normal(size=(5, 3))
    params = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)
    whole = ref.two_layer_forward(X, *params)
    for i in range(5):
        single = ref.two_layer_forward(X[i:i + 1], *params)
        for a, b in zip(whole, single):
            np.testing.assert_allclose(a[i:i + 1], b)


def test_784_16_16_10_has_13002_parameters_counted_independently(rng):
    sizes = [784, 16, 16, 10]
    arrays = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        arrays += [np.zeros((d_in, d_out)), np.zeros(d_out)]
    assert sum(a.size for a in arrays) == 13002
    assert ref.count_parameters(sizes) == 13002
    assert type(ref.count_parameters(sizes)) is int


def test_small_counts():
    assert ref.count_parameters([2, 3, 1]) == 2 * 3 + 3 + 3 * 1 + 1 == 13
    assert ref.count_parameters([1, 1]) == 2
    assert ref.count_parameters([5]) == 0


@pytest.mark.parametrize("d_in,d_out", [(3, 2), (1, 4), (2, 2)])
def test_layer_jacobians_match_nudging(rng, d_in, d_out):
    x, W, b = rng.normal(size=d_in), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)
    dz_dx, dz_dW, dz_db = ref.layer_jacobians(x, W, b)
    np.testing.assert_allclose(dz_dx, numerical_jacobian(lambda v: v @ W + b, x), atol=1e-8)
    np.testing.assert_allclose(dz_dW, numerical_jacobian(lambda M: x @ M + b, W), atol=1e-8)
    np.testing.assert_allclose(dz_db, numerical_jacobian(lambda c: x @ W + c, b), atol=1e-8)
    np.testing.assert_array_equal(dz_dx, W.T)


def test_layer_gradients_match_nudging_a_scalar_loss(rng):
    x, W, b, dz = rng.normal(size=3), rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=4)

    def loss(x_, W_, b_):  # a scalar whose gradient with respect to z is exactly dz
        return float(dz @ (x_ @ W_ + b_))

    dx, dW, db = ref.layer_gradients(x, W, dz)
    np.testing.assert_allclose(dx, numerical_jacobian(lambda v: loss(v, W, b), x), atol=1e-7)
    np.testing.assert_allclose(dW, numerical_jacobian(lambda M: loss(x, M, b), W), atol=1e-7)
    np.testing.assert_allclose(db, numerical_jacobian(lambda c: loss(x, W, c), b), atol=1e-7)


def test_layer_gradients_are_jacobians_contracted_with_dz(rng):
    x, W, b, dz = rng.normal(size=3), rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=2)
    dz_dx, dz_dW, dz_db = ref.layer_jacobians(x, W, b)
    dx, dW, db = ref.layer_gradients(x, W, dz)
    np.testing.assert_allclose(dx, dz @ dz_dx)
    np.testing.assert_allclose(dW, np.tensordot(dz, dz_dW, axes=1))
    np.testing.assert_allclose(db, dz @ dz_db)


def test_reference_does_not_change_its_inputs(rng):
    x, W, b, dz = rng.normal(size=3), rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=2)
    copies = [a.copy() for a in (x, W, b, dz)]
    ref.layer_jacobians(x, W, b)
    _, _, db = ref.layer_gradients(x, W, dz)
    db[0] = 99.0
    for a, c in zip((x, W, b, dz), copies):
        np.testing.assert_array_equal(a, c)
