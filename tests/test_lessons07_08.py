"""Lessons 7 and 8, read as a learner: what their prose says about the runs, the figures and the
wishes holds for the code that draws and prints them."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from course import training, wishes


def test_timing_plot_labels_stay_clear_of_every_line():
    """Lesson 7: each network's label is readable, with no reference or prediction line through it."""
    fig = training.plot_measured()
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    names = {"-".join(map(str, sizes)) for sizes, _, _ in training.MEASURED}
    labels = [t for t in ax.texts if t.get_text() in names]
    assert len(labels) == len(names)
    for line in ax.get_lines():
        x, y = line.get_data()
        if len(x) < 2:
            continue
        # the line densely sampled in log space, in pixels
        t = np.linspace(0, 1, 2000)
        xs = np.exp(np.interp(t * (len(x) - 1), np.arange(len(x)), np.log(np.asarray(x, float))))
        ys = np.exp(np.interp(t * (len(y) - 1), np.arange(len(y)), np.log(np.asarray(y, float))))
        points = ax.transData.transform(np.column_stack([xs, ys]))
        for label in labels:
            box = label.get_window_extent(renderer)
            inside = ((box.x0 <= points[:, 0]) & (points[:, 0] <= box.x1)
                      & (box.y0 <= points[:, 1]) & (points[:, 1] <= box.y1))
            assert not inside.any(), (label.get_text(), line.get_label())
    plt.close(fig)


def test_minibatch_section_statements():
    """Lesson 7: batch 3 of the shuffled order holds four red points and raises the loss; the
    three full batches lower it; the trained network misses two red points."""
    X, Y, params = training.toy_problem()
    start = training.network_loss(params, X, Y)
    for k, (Xb, Yb) in enumerate(training.lesson_results()["batches"]):
        g = training.numerical_gradient(lambda p: training.network_loss(p, Xb, Yb), params)
        after = training.network_loss({name: params[name] - 4.0 * g[name] for name in params}, X, Y)
        if k < 3:
            assert len(Xb) == 12 and after < start
        else:
            assert len(Xb) == 4 and Yb.ravel().tolist() == [1.0] * 4 and after > start
    trained, _ = training.training_run(4.0, 8)
    wrong = (training.network_forward(trained, X) > 0.5) != (Y > 0.5)
    assert Y[wrong.ravel()].ravel().tolist() == [1.0, 1.0]


def test_batch_size_runs_as_the_prose_says():
    """Lesson 7: batch size 1 is at 0.045 after one epoch; the full batch at 0.032 after forty."""
    _, one = training.training_run(4.0, 1)
    _, full = training.training_run(4.0, 40)
    assert f"{one[1]:.3f}" == "0.045" and f"{full[-1]:.3f}" == "0.032"
    assert np.sum(np.diff(one) > 0) > np.sum(np.diff(full) > 0) == 0  # bumpier


def test_full_batch_can_reach_the_explore_target():
    """Lesson 7's exercise 3 of *Explore*: some slider rate gets the full batch below 0.025."""
    assert min(training.training_run(rate, 40)[1][-1] for rate in training.RATE_CHOICES) < 0.025


def _per_example(net):
    return [wishes.example_wishes(e) for e in range(len(net["X"]))]


@pytest.mark.parametrize("example", range(6))
def test_stored_wishes_are_the_toy_networks_gradient(example):
    """The wishes lesson 8 shows are minus the slopes of the example's cost, measured by nudging
    the toy network's weights (and, for the pixels, the inputs)."""
    from course.given import network_loss, numerical_gradient
    net, w = wishes.toy_network(), wishes.example_wishes(example)
    params = {name: net[name] for name in ("W1", "b1", "W2", "b2")}
    X, Y = net["X"][example:example + 1], net["Y"][example:example + 1]
    assert np.array_equal(w["x"], X[0]) and np.array_equal(w["y"], Y[0])
    slopes = numerical_gradient(lambda p: network_loss(p, X, Y), params)
    np.testing.assert_allclose(w["W1_wish"], -slopes["W1"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(w["W2_wish"], -slopes["W2"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(w["wish_z2"], -slopes["b2"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(w["wish_z1"], -slopes["b1"], rtol=1e-6, atol=1e-9)
    from course.gradcheck import numerical_gradient as array_gradient
    pixels = array_gradient(lambda x: network_loss(params, x[None, :], Y), X[0])
    np.testing.assert_allclose(w["input_wish"], -pixels, rtol=1e-6, atol=1e-9)


def test_darkest_pixel_gives_the_thinnest_edge_into_each_hidden_neuron():
    """Lesson 8, *Watch the wishes*, question 3."""
    for w in _per_example(wishes.toy_network()):
        sizes = np.abs(w["W1_wish"])  # (pixels, hidden)
        assert (np.argmin(sizes, axis=0) == np.argmin(w["x"])).all()


def test_examples_closest_to_right_have_all_wishes_smaller():
    """Lesson 8, *Watch the wishes*, question 1: the two examples with the smallest output errors
    have every kind of wish smaller than every other example's."""
    ws = _per_example(wishes.toy_network())
    error = [np.abs(w["out_wish"]).max() for w in ws]
    close = set(np.argsort(error)[:2])
    for key in ("out_wish", "hidden_wish", "W1_wish", "W2_wish", "wish_z1", "wish_z2"):
        size = [np.abs(w[key]).max() for w in ws]
        assert max(size[e] for e in close) < min(size[e] for e in range(len(ws)) if e not in close), key


@pytest.mark.parametrize("knob, want", [((0, 0), (4, "raise")), ((2, 1), (4, "lower"))])
def test_average_figure_statements(knob, want):
    """Lesson 8: four of six examples want W2[0, 0] higher and W2[2, 1] lower; hidden neuron 2
    is dark for every example."""
    ws = _per_example(wishes.toy_network())
    values = np.array([w["W2_wish"][knob] for w in ws])
    count, way = want
    assert np.sum(values > 0 if way == "raise" else values < 0) == count
    assert (values.mean() > 0) == (way == "raise")
    assert max(w["a1"][1] for w in ws) < 0.15
