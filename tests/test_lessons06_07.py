"""Lessons 6 and 7: what their prose says about the walk, the runs, the cost and the stopwatch."""

import contextlib
import io

import matplotlib
import nbformat
import numpy as np
import pytest

matplotlib.use("Agg")

from autograder import notebooks
from course import descent, training

LESSON_6 = notebooks.ROOT / "lessons" / "06_descent.ipynb"
LESSON_7 = notebooks.ROOT / "lessons" / "07_training.ipynb"


def prose_and_outputs(path):
    nb = nbformat.read(path, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    outputs = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                        for o in c.get("outputs", []))
    return prose, outputs


def test_walk_rows_show_the_move_that_takes_w_to_the_next_row():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        descent.print_walk(w0=0.0, learning_rate=0.1, steps=5)
    rows = [line.split() for line in out.getvalue().splitlines()[1:]]
    ws, moves = [float(r[1]) for r in rows], [float(r[4]) for r in rows]
    assert np.allclose(np.array(ws[:-1]) + moves[:-1], ws[1:], atol=1e-4)
    assert moves[-1] == pytest.approx(-0.1 * 2 * (2.01696 - 3), abs=1e-4)  # 0.1966, not 0


def test_verdicts_of_the_lesson_6_rates_and_just_past_the_limit():
    verdicts = {lr: descent.verdict(descent.run(lr, 30)[1]) for lr in (0.02, 0.2, 0.27, 10 ** -0.6)}
    assert verdicts == {0.02: "too slow", 0.2: "converges", 0.27: "diverges", 10 ** -0.6: "diverges"}


def test_the_slowest_rate_needs_332_steps_to_match_the_right_one():
    target = descent.run(0.2, 30)[1][-1]
    losses = descent.run(0.02, 400)[1]
    assert int(np.argmax(losses < target)) == 332
    assert "332 steps" in prose_and_outputs(LESSON_6)[0]


def test_a_constant_answer_of_one_half_costs_one_eighth():
    """Lesson 7: with the course's cost, answering 0.5 to targets 0 and 1 gives 0.125."""
    X, Y, params = training.toy_problem()
    assert np.mean(0.5 * (0.5 - Y) ** 2) == pytest.approx(0.125)
    assert 0.12 < training.network_loss(params, X, Y) < 0.125


@pytest.mark.parametrize("number", ["0.1248", "0.124761", "0.122092", "1.11", "2.03",
                                    "26,004", "13,002"])
def test_lesson_7_states_the_numbers_its_cells_print(number):
    prose, outputs = prose_and_outputs(LESSON_7)
    assert number in prose and number in outputs


def test_the_learning_rate_keeps_the_steps_of_the_no_half_loss():
    """Twice the learning rate on the half cost takes the steps of the plain mean at half of it."""
    from autograder.reference import training as ref
    X, Y, params = training.toy_problem(n=12)
    trained, _ = ref.train(params, X, Y, 2, 4, training.LEARNING_RATE, seed=0)
    def plain(p, Xb, Yb):
        return 2 * training.network_loss(p, Xb, Yb)

    p = {k: v.copy() for k, v in params.items()}
    for epoch in range(2):
        order = np.random.default_rng(epoch).permutation(len(X))
        for k in range(training.batch_count(len(X), 4)):
            rows = order[k * 4:(k + 1) * 4]
            grads = training.numerical_gradient(lambda q: plain(q, X[rows], Y[rows]), p)
            p = {name: p[name] - training.LEARNING_RATE / 2 * grads[name] for name in p}
    for name in p:
        np.testing.assert_allclose(trained[name], p[name], rtol=1e-7)


@pytest.mark.parametrize("batch_size", training.BATCH_SIZES)
def test_lesson_7_stored_runs_are_training_runs(batch_size):
    """The runs lesson 7 shows are forty epochs of exercise 7's train_epoch, epoch e with seed e.

    The stored runs come from one machine; here they are computed again on this one, so they
    agree to the tolerance lesson 7's stored data is judged by: RTOL of each array's scale, plus,
    where the run is chaotic, the spread measured by nudging its start (run_slack)."""
    from autograder.reference import training as ref
    from autograder.stored import differences, lesson07
    X, Y, params = training.toy_problem()
    for rate in (training.RATE_CHOICES[0], training.LEARNING_RATE, training.RATE_CHOICES[-1]):
        run = training.training_run(rate, batch_size)
        fresh = ref.train(params, X, Y, training.EPOCHS, batch_size, rate, seed=0)
        assert len(run[1]) == training.EPOCHS + 1
        found = differences(run, fresh, lesson07.RTOL, where=f"run {rate, batch_size}")
        if found:
            found = differences(run, fresh, lesson07.RTOL, slack=lesson07.run_slack(rate, batch_size, *fresh),
                                where=f"run {rate, batch_size}")
        assert found == []


def test_lesson_7_batches_cut_the_shuffled_order():
    results = training.lesson_results()
    X, Y, _ = training.toy_problem()
    order = results["order"]
    assert sorted(order.tolist()) == list(range(len(X)))
    assert [len(Xb) for Xb, _ in results["batches"]] == [12, 12, 12, 4]
    for k, (Xb, Yb) in enumerate(results["batches"]):
        assert np.array_equal(Xb, X[order[k * 12:(k + 1) * 12]]) and np.array_equal(Yb, Y[order[k * 12:(k + 1) * 12]])


def test_the_fitted_exponent_is_between_one_and_two():
    assert 1.0 < training.fitted_exponent() < 1.2


def test_the_timing_plot_has_reference_lines_and_unclipped_labels():
    fig = training.plot_measured()
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert any(label.startswith("slope 1") for label in labels)
    assert any(label.startswith("slope 2") for label in labels)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    names = ["-".join(map(str, sizes)) for sizes, _, _ in training.MEASURED]
    annotations = [t for t in ax.texts if t.get_text() in names]
    assert len(annotations) == len(names)
    for text in annotations:
        inside = text.get_window_extent(renderer)
        assert box.x0 <= inside.x0 and inside.x1 <= box.x1 and box.y0 <= inside.y0 and inside.y1 <= box.y1, \
            text.get_text()


@pytest.mark.parametrize("learning_rate", [0.02, 0.05, 0.2, 0.27, 10 ** -0.6])
def test_lesson_6_runs_follow_gradient_descent_on_the_bowl(learning_rate):
    """The lesson draws each run from the bowl's closed form; it must be where exercise 6's
    minimise goes, and its losses what losses_along gives."""
    from autograder.reference import descent as ref
    def gradient(theta):
        return ref.bowl_gradient(theta, descent.BOWL_A, descent.BOWL_C)

    history = ref.minimise(gradient, descent.START, learning_rate, 30)
    path, losses = descent.run(learning_rate, 30)
    assert np.allclose(path, history, rtol=1e-9, atol=1e-12)
    assert np.allclose(losses, ref.losses_along(history, descent.BOWL_A, descent.BOWL_C),
                       rtol=1e-9, atol=1e-12)
