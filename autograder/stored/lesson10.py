"""Lesson 10's stored results: what exercise 10's functions return on the lesson's examples, a
correct backward pass's gradient checks, and the digit network a correct train() gives."""

import numpy as np

from autograder.reference import mlp as ref
from autograder.stored import produces
from course import whole_picture as wp
from course.gradcheck import numerical_gradient


def _lines(*lines):
    return "\n".join(lines)


def _forward():
    return _lines(*(f"{wp._name(sizes)}, example({sizes}): logits "
                    f"{wp._rounded(ref.mlp_forward(theta, sizes, X))}"
                    for sizes in wp.EXPECTED_NETWORKS for theta, X, _ in [wp.example(sizes)]))


def _cross_entropy():
    lines = []
    for logits, labels in [(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), np.array([0, 2])),
                           (np.array([[1000.0, 0.0, -1000.0]]), np.array([1]))]:
        loss, dlogits = ref.cross_entropy_backward(logits, labels)
        lines += [f"logits {logits.tolist()}, labels {labels.tolist()}:",
                  f"    loss {loss:.4f}, dlogits {wp._rounded(dlogits)}"]
    return _lines(*lines)


def _backward():
    lines = []
    for sizes in wp.EXPECTED_NETWORKS:
        theta, X, labels = wp.example(sizes)
        loss, gradient = ref.mlp_backward(theta, sizes, X, labels)
        lines.append(f"{wp._name(sizes)}, example({sizes}): loss {loss:.4f}, "
                     f"gradient of {gradient.size} entries")
        lines += [f"    dW{index} first row {wp._rounded(dW[0])}, db{index} {wp._rounded(db)}"
                  for index, (dW, db) in enumerate(wp.unpack(gradient, sizes), start=1)]
    return _lines(*lines)


def _train():
    theta, losses = ref.train(*wp._train_example())
    t = wp.TRAIN_EXAMPLE
    return _lines(f"rng = np.random.default_rng(2); X = rng.normal(size=({t['n']}, 3)); "
                  f"labels = (X[:, 0] > 0).astype(int)",
                  f"train(X, labels, {t['sizes']}, epochs={t['epochs']}, batch_size={t['batch_size']}, "
                  f"learning_rate={t['learning_rate']}, seed={t['seed']}):",
                  f"    losses {wp._rounded(losses)}",
                  f"    theta[:6] {wp._rounded(theta[:6])}")


@produces("lesson10_expected")
def expected_numbers():
    """The text wp.expected_numbers(name) prints for each of exercise 10's functions."""
    return {"mlp_forward": _forward(), "cross_entropy_backward": _cross_entropy(),
            "mlp_backward": _backward(), "train": _train()}


@produces("lesson10_backward_checks")
def backward_checks():
    """wp.check_backward()'s lines for a correct backward pass: (label, gradient, numerical
    gradient) on each of wp.random_networks()."""
    checks = []
    for sizes, theta, X, labels in wp.random_networks():
        _, gradient = ref.mlp_backward(theta, sizes, X, labels)
        numeric = numerical_gradient(lambda t: ref.mlp_backward(t, sizes, X, labels)[0], theta)
        checks.append((wp.check_label(sizes, X), gradient, numeric))
    return checks


@produces("lesson10_digits")
def trained_digits():
    """The digit network trained with wp.DIGITS's settings, its losses, its softmax on every
    test digit, and the digit it picks for every training digit."""
    X_train, y_train, X_test, _ = wp.digits_split()
    d = wp.DIGITS
    theta, losses = ref.train(X_train, y_train, d["sizes"], d["epochs"], d["batch_size"],
                              d["learning_rate"], d["seed"])
    return {"theta": theta, "losses": losses,
            "test_probabilities": ref.softmax(ref.mlp_forward(theta, d["sizes"], X_test)),
            "train_predicted": ref.mlp_forward(theta, d["sizes"], X_train).argmax(axis=1)}
