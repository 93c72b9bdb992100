"""Lesson 10 shows the idea, skeletons and expected numbers, not exercise 10's answers; its
softmax + cross-entropy derivation prints what the prose says; its example networks tell the
catalogued backward-pass mistakes apart."""

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.reference import mlp as ref
from autograder.specs import whole_picture as spec
from course import whole_picture as wp

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "lessons" / "10_whole_picture.ipynb"
SOLUTION = ROOT / "solutions" / "10_whole_picture" / "10_whole_picture_exercise.ipynb"
GRADED = sorted(spec.GRADED)


def cells():
    return nbformat.read(LESSON, as_version=4).cells


def code_cells():
    return [c for c in cells() if c.cell_type == "code"]


def printed(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def cell_printing(source_part):
    return next(c for c in code_cells() if source_part in c.source)


def test_the_course_module_hands_out_no_graded_function_under_its_name():
    public = {name for name in dir(wp) if not name.startswith("_")}
    assert not public & set(GRADED)


def test_the_exercise_setup_imports_still_resolve():
    setup = next(c.source for c in nbformat.read(SOLUTION, as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    names = re.search(r"from course\.whole_picture import (.+)", setup).group(1)
    for name in (n.strip() for n in names.split(",")):
        assert hasattr(wp, name), name


def test_no_lesson_cell_defines_or_calls_a_graded_function():
    for cell in code_cells():
        tree = ast.parse(cell.source)
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        called = {n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", None)
                  for n in ast.walk(tree) if isinstance(n, ast.Call)}
        assert not (defined | called) & set(GRADED), cell.source


@pytest.mark.parametrize("name", ["mlp_forward", "cross_entropy_backward", "mlp_backward", "train"])
def test_each_graded_network_function_has_a_skeleton_and_expected_numbers(name):
    prose = "\n".join(c.source for c in cells() if c.cell_type == "markdown")
    skeleton = re.search(rf"```python\ndef {name}\(.*?```", prose, re.S)
    assert skeleton and "..." in skeleton.group(0), name
    assert printed(cell_printing(f'wp.expected_numbers("{name}")'))


def test_written_out_network_reproduces_the_expected_numbers():
    """The lesson writes out the 5-4-3 network for its first example: the logits are the first row
    of the expected ones, and the walk back is the gradient of a batch of that example alone."""
    forward = printed(cell_printing("z2 = np.array(["))
    logits = re.search(r"logits z2: (\[.*\])", forward).group(1)
    assert f"5-4-3, example((5, 4, 3)): logits [{logits}" in printed(cell_printing('expected_numbers("mlp_forward")'))
    backward = printed(cell_printing("dW1 = np.outer(x, dz1)"))
    theta, X, labels = wp.example((5, 4, 3))
    _, gradient = ref.mlp_backward(theta, (5, 4, 3), X[:1], labels[:1])
    (dW1, _), (_, db2) = wp.unpack(gradient, (5, 4, 3))
    assert f"dW1's first row {np.round(dW1[0], 4).tolist()}" in backward
    assert f"db2 {np.round(db2, 4).tolist()}" in backward
    checked = printed(cell_printing("def loss_of"))
    assert "5-4-3  relative error" in checked and "PASS" in checked
    loss, _ = ref.mlp_backward(theta, (5, 4, 3), X[:1], labels[:1])
    assert f"loss {loss:.4f}" in checked


def test_the_derivation_prints_the_jacobian_and_p_minus_y():
    z = np.array([2.0, 1.0, 0.1])
    p = np.exp(z) / np.exp(z).sum()
    J = np.diag(p) - np.outer(p, p)
    shown = printed(cell_printing("np.diag(p) - np.outer(p, p)"))
    numbers = [float(x) for x in re.findall(r"-?\d+\.\d+", shown.split("each column")[0])]
    np.testing.assert_allclose(numbers, np.round(J, 4).ravel(), atol=1e-12)
    assert "PASS" in shown
    chain = printed(cell_printing("J.T @ dL_dp"))
    dz, pmy = re.findall(r"= \[(.*)\]", chain)[1:]
    assert dz == pmy
    np.testing.assert_allclose([float(x) for x in pmy.split()], np.round(p - [1, 0, 0], 4))
    shown = printed(cell_printing("nudged = numerical_gradient(cost, Z)"))
    rows = re.findall(r"p - y (\[.*?\]), nudged slopes x n (\[.*?\])", shown)
    assert len(rows) == 2 and all(mine == nudged for mine, nudged in rows)


def test_the_prose_numbers_of_the_derivation():
    prose = "\n".join(c.source for c in cells() if c.cell_type == "markdown")
    z = np.array([2.0, 1.0, 0.1])
    p = np.exp(z) / np.exp(z).sum()
    assert f"{p[0]:.3f} x (1 - {p[0]:.3f}) =\n{p[0] * (1 - p[0]):.4f}" in prose
    assert f"-1 / {p[0]:.3f} = {-1 / p[0]:.4f}" in prose
    theta, X, _ = wp.example((5, 4, 3))
    Z1 = X @ wp.unpack(theta, (5, 4, 3))[0][0] + wp.unpack(theta, (5, 4, 3))[0][1]
    assert (Z1[0] <= 0).sum() == 1 and f"z1 = {Z1[0][Z1[0] <= 0][0]:.4f}" in prose


@pytest.mark.parametrize("sizes", [s for s in wp.EXPECTED_NETWORKS if len(s) > 2])
def test_the_example_networks_have_every_hidden_neuron_on_and_off(sizes):
    """So a missing ReLU slope, or a dead neuron's zero gradient, cannot pass unnoticed."""
    theta, A, _ = wp.example(sizes)
    for W, b in wp.unpack(theta, sizes)[:-1]:
        Z = A @ W + b
        assert (Z > 0).any(axis=0).all() and not (Z > 0).all()
        A = np.maximum(Z, 0.0)


@pytest.mark.parametrize("mistake", spec.BACKWARD_MISTAKES, ids=lambda m: m.name)
def test_the_expected_backward_numbers_tell_each_catalogued_mistake_apart(mistake):
    """On the entries expected_numbers prints: each layer's first row of dW, and db."""
    def shown(gradient, sizes):
        return np.concatenate([np.concatenate([dW[0], db]) for dW, db in wp.unpack(gradient, sizes)])

    differs = False
    for sizes in wp.EXPECTED_NETWORKS:
        theta, X, labels = wp.example(sizes)
        _, gradient = ref.mlp_backward(theta, sizes, X, labels)
        _, wrong = mistake.implementation(theta, sizes, X, labels)
        differs |= not np.array_equal(np.round(shown(gradient, sizes), 4), np.round(shown(wrong, sizes), 4))
    assert differs


def test_the_course_accuracy_is_the_fraction_the_network_gets_right():
    """course.whole_picture.accuracy scores outputs it is handed (it runs no network): the
    fraction of rows whose largest entry is at the label, from logits, probabilities or answers."""
    rng = np.random.default_rng(5)
    for sizes in [(4, 3), (4, 5, 3), (6, 2, 4, 3), (5, 3, 3, 4, 2)]:
        theta = wp.init_params(sizes, rng) + rng.normal(0.0, 0.3, size=wp.knob_count(sizes))
        X, labels = rng.normal(size=(40, sizes[0])), rng.integers(0, sizes[-1], size=40)
        logits = ref.mlp_forward(theta, sizes, X)
        right = logits.argmax(axis=1) == labels
        assert 0 < right.sum() < len(right)
        assert wp.accuracy(logits, labels) == wp.accuracy(ref.softmax(logits), labels) == np.mean(right)
        assert wp.accuracy(logits.argmax(axis=1), labels) == np.mean(right)


def test_the_stored_digit_network_is_what_training_gives():
    """The trained network lesson 10 shows: its test probabilities are its softmax, it reaches the
    required accuracy, and its losses are one per step of DIGITS's settings."""
    digits, d = wp.trained_digits(), wp.DIGITS
    X_train, _, X_test, y_test = wp.digits_split()
    np.testing.assert_allclose(digits["test_probabilities"],
                               ref.softmax(ref.mlp_forward(digits["theta"], d["sizes"], X_test)),
                               rtol=1e-12, atol=1e-15)
    assert wp.accuracy(digits["test_probabilities"], y_test) >= d["required_accuracy"]
    np.testing.assert_array_equal(digits["train_predicted"],
                                  ref.mlp_forward(digits["theta"], d["sizes"], X_train).argmax(axis=1))
    assert len(digits["losses"]) == d["epochs"] * -(-len(X_train) // d["batch_size"])


def test_the_default_backward_check_lines_are_those_of_the_networks_it_names():
    """check_backward() without an argument prints stored lines; they must be the lines the live
    check prints for a correct backward pass on the same random networks."""
    import contextlib
    import io
    stored, live = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stored):
        wp.check_backward()
    with contextlib.redirect_stdout(live):
        wp.check_backward(ref.mlp_backward)
    assert stored.getvalue() == live.getvalue() and stored.getvalue().count("PASS") == 3
