"""Exercise 10 (the whole picture): graded functions, their cases, and known mistakes.

All of a network's knobs travel as one flat vector `theta` (layout: W1 row by row, b1,
W2, b2, ...; see autograder.reference.mlp.unpack), so a whole network's gradient is one
array the engine can compare entry by entry, on any architecture.
"""

from functools import partial

import numpy as np

from autograder.reference import mlp as ref
from autograder.specs import sections
from course import check_inputs
from course.check_inputs import trains_on_digits
from course.checking import Case, GradedFunction, Mistake
from course.costs import knob_count

# train's digit check scores the trained network with the course's forward pass while grading
check_inputs.GRADING_FORWARD = ref.mlp_forward

ASSIGNMENT = "10_whole_picture"
_section = sections(ASSIGNMENT)

SOFTMAX = _section("Softmax and cross-entropy, backward")
FORWARD = _section("The forward pass of a whole network")
BACKWARD = _section("The backward pass of a whole network")
TRAINING = _section("Training on handwritten digits")

NET_NAMES = ("theta", "sizes", "X", "labels")


# ------------------------------------------------------------------ cases

def _logits_visible():
    logits = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    big = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -805.0]])
    return [Case((logits,), "logits [[2, 1, 0.1], [0, 0, 0]]", ("logits",)),
            Case((big,), "large logits [[1000, 0, -1000], [-800, -800, -805]]", ("logits",)),
            Case((np.array([[0.5, -1.0]]),), "a batch of one: logits [[0.5, -1]]", ("logits",)),
            Case((np.zeros((0, 3)),), "a batch of zero rows: logits of shape (0, 3)", ("logits",))]


def _logits_hidden(rng):
    cases = [Case((rng.normal(0.0, 3.0, size=(n, k)),), f"random logits of shape ({n}, {k})",
                  ("logits",)) for n, k in [(1, 3), (1, 1), (6, 4), (20, 10)]]
    big = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -805.0]])
    cases.append(Case((big,), "large logits (up to 1000)", ("logits",)))
    cases.append(Case((np.zeros((0, 5)),), "a batch of zero rows", ("logits",)))
    return cases


def _ce_visible():
    logits = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    big = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -805.0]])
    return [Case((logits, np.array([0, 2])), "logits [[2, 1, 0.1], [0, 0, 0]], labels [0, 2]",
                 ("logits", "labels")),
            Case((big, np.array([1, 2])),
                 "large logits [[1000, 0, -1000], [-800, -800, -805]], labels [1, 2]",
                 ("logits", "labels")),
            Case((np.array([[0.5, -1.0]]), np.array([1])), "a batch of one: logits [[0.5, -1]], label 1",
                 ("logits", "labels"))]


def _ce_hidden(rng):
    cases = []
    for n, k in [(1, 3), (1, 1), (7, 4), (25, 10)]:
        cases.append(Case((rng.normal(0.0, 3.0, size=(n, k)), rng.integers(0, k, size=n)),
                          f"random logits ({n}, {k})", ("logits", "labels")))
    big = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -805.0]])
    cases.append(Case((big, np.array([1, 2])), "large logits (up to 1000)", ("logits", "labels")))
    return cases


def _softmax_mse_visible():
    logits = np.array([[2.0, 1.0, 0.1, -1.0], [0.5, 0.5, 3.0, 0.0], [-2.0, 1.0, 0.0, 4.0]])
    return [Case((logits, np.array([0, 3, 1])), "3 examples, 4 classes: logits [[2, 1, 0.1, -1], "
                 "[0.5, 0.5, 3, 0], [-2, 1, 0, 4]], labels [0, 3, 1]", ("logits", "labels")),
            Case((np.array([[1000.0, 999.0, -5.0]]), np.array([1])),
                 "a batch of one with large logits: [[1000, 999, -5]], label 1", ("logits", "labels"))]


def _softmax_mse_hidden(rng):
    cases = []
    for n, k in [(1, 3), (1, 1), (7, 4), (25, 10), (5, 2)]:
        cases.append(Case((rng.normal(0.0, 3.0, size=(n, k)), rng.integers(0, k, size=n)),
                          f"random logits ({n}, {k})", ("logits", "labels")))
    big = np.array([[1000.0, 1.0, -1000.0], [-800.0, -799.0, -805.0]])
    cases.append(Case((big, np.array([1, 0])), "large logits (up to 1000)", ("logits", "labels")))
    cases.append(Case((np.zeros((2, 3)), np.array([2, 0])), "all logits zero", ("logits", "labels")))
    return cases


def _net_case(rng, sizes, n, label):
    theta = ref.init_params(sizes, rng) + rng.normal(0.0, 0.1, size=knob_count(sizes))
    X = rng.normal(size=(n, sizes[0]))
    return Case((theta, sizes, X, rng.integers(0, sizes[-1], size=n)), label, NET_NAMES)


def _random_sizes(rng):
    depth = int(rng.integers(1, 4))
    return tuple(int(s) for s in rng.integers(1, 7, size=depth + 1)) + (int(rng.integers(2, 5)),)


def _forward_visible():
    rng = np.random.default_rng(1)
    case = _net_case(rng, (3, 4, 2), 2, "")
    deeper = _net_case(rng, (2, 3, 3, 2), 1, "")
    flat = _net_case(rng, (3, 2), 2, "")
    return [Case(case.args[:3], "a 3-4-2 network on 2 examples", NET_NAMES[:3]),
            Case(deeper.args[:3], "a 2-3-3-2 network (two hidden layers) on one example",
                 NET_NAMES[:3]),
            Case(flat.args[:3], "a network with no hidden layer (3-2) on 2 examples", NET_NAMES[:3]),
            Case((case.args[0], case.args[1], np.zeros((0, 3))),
                 "the 3-4-2 network on a batch of zero rows (X of shape (0, 3))", NET_NAMES[:3])]


def _forward_hidden(rng):
    cases = []
    for n in (1, 5, 9):
        sizes = _random_sizes(rng)
        c = _net_case(rng, sizes, n, "")
        cases.append(Case(c.args[:3], f"a random {'-'.join(map(str, sizes))} network on {n} examples",
                          NET_NAMES[:3]))
    c = _net_case(rng, (3, 2), 4, "")
    cases.append(Case(c.args[:3], "a network with no hidden layer (3-2)", NET_NAMES[:3]))
    c = _net_case(rng, (4, 3, 2), 1, "")
    cases.append(Case((c.args[0], c.args[1], np.zeros((0, 4))), "a batch of zero rows",
                      NET_NAMES[:3]))
    return cases


def _backward_visible():
    rng = np.random.default_rng(1)
    return [_net_case(rng, (3, 4, 2), 2, "a 3-4-2 network on 2 examples"),
            _net_case(rng, (2, 3, 3, 2), 1, "a 2-3-3-2 network (two hidden layers) on one example"),
            _net_case(rng, (3, 2), 2, "a network with no hidden layer (3-2) on 2 examples"),
            _kink_case(np.random.default_rng(4), 5,
                       "a 3-4-2 network with zero hidden biases on 5 examples, the first all zeros: "
                       "its hidden Z are exactly 0, where ReLU's slope is 0")]


def _kink_case(rng, n, label):
    """Hidden weighted sums exactly 0 (an all-zero example, zero biases): ReLU's kink."""
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    theta = ref.pack([(W1, np.zeros(4)), (W2, np.array([0.1, -0.1]))])
    X = rng.normal(size=(n, 3))
    X[0] = 0.0
    return Case((theta, (3, 4, 2), X, rng.integers(0, 2, size=n)), label, NET_NAMES)


def _backward_hidden(rng):
    cases = []
    for n in (1, 6, 11, 4):
        sizes = _random_sizes(rng)
        cases.append(_net_case(rng, sizes, n,
                               f"a random {'-'.join(map(str, sizes))} network on {n} examples"))
    cases.append(_net_case(rng, (3, 2), 5, "a network with no hidden layer (3-2)"))
    cases.append(_net_case(rng, (5, 8, 8, 8, 3), 7, "a deep 5-8-8-8-3 network"))
    cases.append(_kink_case(rng, 6, "hidden weighted sums exactly 0 (ReLU's kink)"))
    return cases


TRAIN_NAMES = ("X", "labels", "sizes", "epochs", "batch_size", "learning_rate", "seed")


def _train_visible():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(10, 3))
    X7 = rng.normal(size=(7, 2))
    return [Case((X, (X[:, 0] > 0).astype(np.int64), (3, 4, 2), 2, 4, 0.5, 0),
                 "10 examples, a 3-4-2 network, 2 epochs of batches of 4", TRAIN_NAMES),
            Case((X7, (X7[:, 1] > 0).astype(np.int64) + (X7[:, 0] > 1).astype(np.int64), (2, 5, 3),
                  3, 2, 0.3, 5), "7 examples, a 2-5-3 network, 3 epochs of batches of 2, seed 5",
                 TRAIN_NAMES)]


def _train_hidden(rng):
    cases = []
    for n, sizes, epochs, batch in [(9, (2, 5, 3), 3, 4), (6, (4, 3, 3, 2), 2, 1), (12, (3, 2), 2, 12)]:
        X = rng.normal(size=(n, sizes[0]))
        cases.append(Case((X, rng.integers(0, sizes[-1], size=n), sizes, epochs, batch, 0.3,
                           int(rng.integers(0, 1000))),
                          f"{n} random examples, a {'-'.join(map(str, sizes))} network, "
                          f"{epochs} epochs of batches of {batch}", TRAIN_NAMES))
    return cases


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


def _softmax_overflow(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


SOFTMAX_MISTAKES = [
    _m("normalised over the wrong axis", "Each row (one example) must sum to 1: sum over axis=1 "
       "with keepdims=True.", SOFTMAX, lambda L: np.exp(L) / np.exp(L).sum(axis=0, keepdims=True)),
    _m("overflow for large logits", "np.exp(1000) is inf, and inf / inf is nan. Subtract each "
       "row's largest logit first; softmax does not change.", SOFTMAX, _softmax_overflow),
    _m("forgot to exponentiate", "softmax is e^z / sum(e^z), not z / sum(z).", SOFTMAX,
       lambda L: L / L.sum(axis=1, keepdims=True)),
]


def _ce_variant(average=True, sign=1.0, onehot=True, stable=True):
    def wrong(logits, labels):
        n = logits.shape[0]
        P = ref.softmax(logits) if stable else _softmax_overflow(logits)
        loss = float(-np.log(P[np.arange(n), labels]).mean())
        d = P.copy()
        if onehot:
            d[np.arange(n), labels] -= 1.0
        return loss, sign * d / (n if average else 1)
    return wrong


CE_MISTAKES = [
    _m("forgot the batch average", "The loss is the mean over the n examples, so dlogits carries "
       "a factor 1/n.", SOFTMAX, _ce_variant(average=False)),
    _m("sign flip", "dlogits = (P - onehot) / n; you returned (onehot - P) / n, the wish, which "
       "is minus the gradient.", SOFTMAX, _ce_variant(sign=-1.0)),
    _m("forgot to subtract the one-hot labels", "The gradient is P minus 1 at the right label: "
       "subtract 1 from each row's entry at its label.", SOFTMAX, _ce_variant(onehot=False)),
    _m("overflow for large logits", "Exponentiating large logits overflows: subtract each row's "
       "maximum first (or work with log-softmax).", SOFTMAX, _ce_variant(stable=False)),
]


def _forward_variant(hidden="relu", output_relu=False):
    acts = {"relu": lambda Z: np.maximum(Z, 0.0), "none": lambda Z: Z,
            "sigmoid": lambda Z: 1.0 / (1.0 + np.exp(-Z))}

    def wrong(theta, sizes, X):
        layers = ref.unpack(theta, sizes)
        A = X
        for W, b in layers[:-1]:
            A = acts[hidden](A @ W + b)
        W, b = layers[-1]
        Z = A @ W + b
        return np.maximum(Z, 0.0) if output_relu else Z
    return wrong


FORWARD_MISTAKES = [
    _m("ReLU on the output layer", "The last layer's Z are the logits: no ReLU there (softmax "
       "comes in the loss).", FORWARD, _forward_variant(output_relu=True)),
    _m("forgot the ReLU", "Every hidden layer applies ReLU after Z = A @ W + b; without it the "
       "network is one linear map.", FORWARD, _forward_variant(hidden="none")),
    _m("sigmoid instead of ReLU", "This network's hidden layers use ReLU.", FORWARD,
       _forward_variant(hidden="sigmoid")),
]


def _backward_variant(transpose_dW=False, relu_slope=True, average=True, db="sum", sign=1.0,
                      onehot=True):
    def wrong(theta, sizes, X, labels):
        layers = ref.unpack(theta, sizes)
        acts, pre = [X], []
        for W, b in layers[:-1]:
            pre.append(acts[-1] @ W + b)
            acts.append(np.maximum(pre[-1], 0.0))
        n = X.shape[0]
        logits = acts[-1] @ layers[-1][0] + layers[-1][1]
        loss, _ = ref.cross_entropy_backward(logits, labels)
        dZ = ref.softmax(logits)
        if onehot:
            dZ[np.arange(n), labels] -= 1.0
        dZ = dZ / (n if average else 1)
        grads = []
        for i in range(len(layers) - 1, -1, -1):
            W = layers[i][0]
            dW = acts[i].T @ dZ
            if transpose_dW:
                dW = (dZ.T @ acts[i]).reshape(dW.shape) if dW.shape[0] != dW.shape[1] else dW.T
            grads.append((dW, dZ.mean(axis=0) if db == "mean" else dZ.sum(axis=0)))
            if i > 0:
                dZ = (dZ @ W.T) * ((pre[i - 1] > 0) if relu_slope else 1.0)
        return loss, sign * ref.pack(grads[::-1])
    return wrong


BACKWARD_MISTAKES = [
    _m("sign flip", "You returned minus the gradient (the wish); gradient descent subtracts the "
       "gradient, so return dloss/dtheta itself.", BACKWARD, _backward_variant(sign=-1.0)),
    _m("transposed dW", "Each dW has its W's shape (d_in, d_out): A_prev.T @ dZ, not dZ.T @ A_prev.",
       BACKWARD, _backward_variant(transpose_dW=True)),
    _m("missing the ReLU slope", "Passing dZ back through a hidden layer multiplies by ReLU's "
       "slope, (Z > 0), as well as by W.T.", BACKWARD, _backward_variant(relu_slope=False)),
    _m("forgot the batch average", "The loss averages over the batch: the 1/n enters once, in "
       "dlogits.", BACKWARD, _backward_variant(average=False)),
    _m("bias gradient averaged instead of summed", "dZ already carries 1/n; each db is dZ summed "
       "over the batch (axis 0), not averaged again.", BACKWARD, _backward_variant(db="mean")),
    _m("forgot to subtract the one-hot labels", "dlogits = (softmax - onehot) / n.", SOFTMAX,
       _backward_variant(onehot=False)),
]


def _train_variant(sign=1.0, shuffle=True, per_epoch=False):
    def wrong(X, labels, sizes, epochs, batch_size, learning_rate, seed):
        rng = np.random.default_rng(seed)
        theta = ref.init_params(sizes, rng)
        losses = []
        for _ in range(epochs):
            order = rng.permutation(X.shape[0]) if shuffle else np.arange(X.shape[0])
            epoch = []
            for start in range(0, X.shape[0], batch_size):
                batch = order[start:start + batch_size]
                loss, gradient = ref.mlp_backward(theta, sizes, X[batch], labels[batch])
                theta = theta - sign * learning_rate * gradient
                epoch.append(loss)
            losses.extend([np.mean(epoch)] if per_epoch else epoch)
        return theta, np.array(losses)
    return wrong


TRAIN_MISTAKES = [
    _m("stepped uphill", "theta must move against the gradient: theta - learning_rate * gradient.",
       TRAINING, _train_variant(sign=-1.0)),
    _m("no shuffling", "Each epoch visits the examples in the order rng.permutation(n), drawn "
       "from the one generator made from seed.", TRAINING, _train_variant(shuffle=False)),
    _m("one loss per epoch", "Record every step's batch loss (before its update), not one "
       "average per epoch.", TRAINING, _train_variant(per_epoch=True)),
]


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

SOFTMAX_MISTAKES += [
    _m("forgot to divide by the sum", "exp(L - m) are the unnormalised weights; divide each row by "
       "its sum so each example's probabilities add up to 1.", SOFTMAX,
       lambda L: np.exp(L - L.max(axis=1, keepdims=True))),
]


def _ce_summed_loss(logits, labels):
    loss, d = ref.cross_entropy_backward(logits, labels)
    return loss * logits.shape[0], d


def _onehot(P, labels):
    Y = np.zeros_like(P)
    Y[np.arange(len(P)), labels] = 1.0
    return Y


def _softmax_mse_variant(slope, scale=1.0):
    """A softmax + squared error backward pass: the right loss times scale, and dlogits = slope(P, dP)."""
    def backward(logits, labels):
        P = ref.softmax(logits)
        Y = _onehot(P, labels)
        n = len(P)
        return scale * float(0.5 * np.sum((P - Y) ** 2) / n), slope(P, scale * (P - Y) / n)
    return backward


def _through_softmax(P, dP):
    return P * (dP - np.sum(dP * P, axis=1, keepdims=True))


SOFTMAX_MSE_MISTAKES = [
    _m("the cross-entropy shortcut", "(P - Y) / n is the gradient of softmax followed by "
       "cross-entropy, where the softmax's slope cancels; under the squared error it does not cancel: "
       "(P - Y) / n is the gradient with respect to the probabilities, and it has to pass back "
       "through the softmax to reach the logits.", SOFTMAX,
       _softmax_mse_variant(lambda P, dP: dP)),
    _m("the softmax's slope taken entry by entry", "Each logit moves every probability of its row, "
       "not only its own: P * (1 - P) is only the diagonal of the softmax's slopes, and the other "
       "probabilities' slopes (negative) are missing.", SOFTMAX,
       _softmax_mse_variant(lambda P, dP: dP * P * (1 - P))),
    _m("sign flip", "Your gradient points the wrong way: it must be the direction that raises the "
       "loss.", SOFTMAX, _softmax_mse_variant(lambda P, dP: -_through_softmax(P, dP))),
    _m("forgot the batch average", "The loss is an average over the n examples: divide the "
       "squared error, and so its gradient, by n.", SOFTMAX,
       lambda logits, labels: _softmax_mse_variant(lambda P, dP: len(P) * _through_softmax(P, dP))(logits, labels)),
    _m("forgot the half", "This course's squared error has a half in front: without it the loss and "
       "its gradient are twice the course's.", SOFTMAX, _softmax_mse_variant(_through_softmax, scale=2.0)),
    _m("the other probabilities' slopes unweighted", "The sum in the softmax's backward pass weights "
       "each probability's gradient by that probability: sum over j of dP_j * P_j, not of dP_j.",
       SOFTMAX, _softmax_mse_variant(lambda P, dP: P * (dP - np.sum(dP, axis=1, keepdims=True)))),
]

CE_MISTAKES += [
    _m("loss summed instead of averaged", "Your loss is n times too big: the loss is the mean of "
       "the examples' -log p, as the 1/n in dlogits says.", SOFTMAX, _ce_summed_loss),
]

FORWARD_MISTAKES += [
    _m("ReLU before the bias", "Each hidden layer is ReLU(A @ W + b): the bias goes inside.",
       FORWARD, lambda theta, sizes, X: _forward_relu_before_bias(theta, sizes, X)),
]


def _forward_relu_before_bias(theta, sizes, X):
    layers = ref.unpack(theta, sizes)
    A = X
    for W, b in layers[:-1]:
        A = np.maximum(A @ W, 0.0) + b
    W, b = layers[-1]
    return A @ W + b


# ------------------------------------------------------- graded functions

GRADED = {g.name: g for g in [
    GradedFunction(name="softmax", reference=ref.softmax, visible_cases=_logits_visible,
                   hidden_cases=_logits_hidden, mistakes=SOFTMAX_MISTAKES, seed=1001),
    GradedFunction(name="cross_entropy_backward", reference=ref.cross_entropy_backward,
                   visible_cases=_ce_visible, hidden_cases=_ce_hidden, mistakes=CE_MISTAKES,
                   outputs=("loss", "dlogits"), seed=1002),
    GradedFunction(name="mlp_forward", reference=ref.mlp_forward, visible_cases=_forward_visible,
                   hidden_cases=_forward_hidden, mistakes=FORWARD_MISTAKES, seed=1003),
    GradedFunction(name="mlp_backward", reference=ref.mlp_backward,
                   visible_cases=_backward_visible, hidden_cases=_backward_hidden,
                   mistakes=BACKWARD_MISTAKES, outputs=("loss", "gradient"), seed=1004),
    GradedFunction(name="train", reference=ref.train, visible_cases=_train_visible,
                   hidden_cases=_train_hidden, mistakes=TRAIN_MISTAKES,
                   outputs=("theta", "losses"), seed=1005,
                   extra_checks=(partial(trains_on_digits, TRAINING),)),
    GradedFunction(name="softmax_mse_backward", reference=ref.softmax_mse_backward,
                   visible_cases=_softmax_mse_visible, hidden_cases=_softmax_mse_hidden,
                   mistakes=SOFTMAX_MSE_MISTAKES, outputs=("loss", "dlogits"), seed=1006),
]}
