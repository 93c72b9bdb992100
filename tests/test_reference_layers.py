"""Unit tests of the lesson-2 reference: known values of the forward pass and the knob count,
checked against sums and array sizes written here, independently."""

import numpy as np
import pytest

from autograder.reference import layers as ref
from autograder.specs import layers as spec


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


def test_reference_does_not_change_its_inputs(rng):
    X, W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    W2, b2, sizes = rng.normal(size=(2, 1)), rng.normal(size=1), [3, 2, 1]
    inputs = (X, W1, b1, W2, b2)
    copies = [a.copy() for a in inputs]
    ref.dense_forward(X, W1, b1)
    ref.two_layer_forward(*inputs)
    ref.count_parameters(sizes)
    for a, c in zip(inputs, copies):
        np.testing.assert_array_equal(a, c)
    assert sizes == [3, 2, 1]
