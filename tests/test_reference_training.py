"""Lesson 7 reference, checked against values worked out independently."""

import numpy as np
import pytest

from autograder.reference import training as ref


def test_shuffled_order_is_a_seeded_permutation():
    order = ref.shuffled_order(10, 0)
    assert sorted(order.tolist()) == list(range(10))
    np.testing.assert_array_equal(order, np.random.default_rng(0).permutation(10))
    assert not np.array_equal(order, ref.shuffled_order(10, 1))


def test_minibatches_cover_every_example_once_with_a_partial_last_batch():
    X = np.arange(14.0).reshape(7, 2)
    Y = np.arange(7.0)[:, None]
    order = np.array([3, 0, 6, 1, 5, 2, 4])
    assert ref.batch_count(7, 3) == 3 and ref.batch_count(6, 3) == 2 and ref.batch_count(2, 5) == 1
    batches = [ref.minibatch(X, Y, order, k, 3) for k in range(3)]
    assert [len(b[0]) for b in batches] == [3, 3, 1]
    np.testing.assert_array_equal(batches[0][1][:, 0], [3, 0, 6])
    np.testing.assert_array_equal(batches[2][0], [[8.0, 9.0]])
    assert sorted(np.concatenate([b[1][:, 0] for b in batches]).tolist()) == list(range(7))


def test_mean_gradient_by_hand():
    a = {"W": np.array([[1.0, 2.0]]), "b": np.array([0.5])}
    b = {"W": np.array([[3.0, -2.0]]), "b": np.array([1.5])}
    mean = ref.mean_gradient([a, b])
    np.testing.assert_array_equal(mean["W"], [[2.0, 0.0]])
    np.testing.assert_array_equal(mean["b"], [1.0])


def test_gradient_of_the_mean_loss_is_the_mean_of_per_example_gradients():
    X, Y = ref.make_dataset(6, seed=1)
    params = ref.init_params((2, 3, 1), seed=2)
    whole = ref.numerical_gradient(lambda p: ref.network_loss(p, X, Y), params, 1e-5)
    each = [ref.numerical_gradient(lambda p, i=i: ref.network_loss(p, X[i:i + 1], Y[i:i + 1]), params, 1e-5)
            for i in range(6)]
    mean = ref.mean_gradient(each)
    for name in whole:
        np.testing.assert_allclose(whole[name], mean[name], rtol=1e-7, atol=1e-10)


def test_sgd_update_returns_new_arrays():
    params = {"W": np.array([0.5, -0.5])}
    new = ref.sgd_update(params, {"W": np.array([0.2, -0.4])}, 0.5)
    np.testing.assert_allclose(new["W"], [0.4, -0.3])
    np.testing.assert_array_equal(params["W"], [0.5, -0.5])


def test_full_batch_epoch_is_one_descent_step():
    X, Y = ref.make_dataset(8, seed=3)
    params = ref.init_params((2, 3, 1), seed=4)
    grads = ref.numerical_gradient(lambda p: ref.network_loss(p, X, Y), params, 1e-5)
    expected = {k: params[k] - 0.7 * grads[k] for k in params}
    got = ref.train_epoch(params, X, Y, batch_size=8, learning_rate=0.7, seed=0)
    for k in params:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-8)  # the shuffle reorders the mean: round-off / h


def test_training_lowers_the_loss_and_leaves_the_start_unchanged():
    X, Y = ref.make_dataset(40, seed=7)
    params = ref.init_params((2, 3, 1), seed=7)
    before = {k: v.copy() for k, v in params.items()}
    _, losses = ref.train(params, X, Y, epochs=20, batch_size=8, learning_rate=2.0, seed=0)
    assert losses.shape == (21,)
    assert losses[-1] < 0.5 * losses[0]
    assert losses[0] == pytest.approx(ref.network_loss(before, X, Y))
    for k in before:
        np.testing.assert_array_equal(params[k], before[k])
