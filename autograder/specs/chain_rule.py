"""Exercise 9 (the chain rule): graded functions, their cases, and known mistakes."""

import numpy as np

from autograder.reference import chain_rule as ref
from autograder.reference.neuron import sigmoid
from autograder.specs import sections
from course.checking import Case, GradedFunction, Mistake

ASSIGNMENT = "09_chain_rule"
_section = sections(ASSIGNMENT)

WISHES = _section("Wishes are derivatives")
CHAIN = _section("A chain of three links, by hand")
DELTAS = _section("Deltas: the shared part of the chain")
SIGMOID = _section("The sigmoid's slope in the backward pass")
DENSE = _section("A dense layer's backward pass")
AVERAGE = _section("Averaging over the batch")
WORKED = _section("The published worked example, recomputed")
GATES = _section("Graphs: where values branch and merge")

CHAIN_NAMES = ("x", "y", "w1", "b1", "w2", "b2")


# ------------------------------------------------------------------ cases

def _chain_visible():
    x = np.array([0.35, 1.0, -2.0])
    y = np.array([0.5, 0.0, 1.0])
    x5, y5 = np.array([0.0, 0.5, -1.0, 2.0, 1.5]), np.array([1.0, 0.25, 0.0, 0.75, 0.5])
    return [Case((x, y, 0.8, 0.1, -1.5, 0.3), "x = [0.35, 1, -2], y = [0.5, 0, 1], "
                 "w1 = 0.8, b1 = 0.1, w2 = -1.5, b2 = 0.3", CHAIN_NAMES),
            Case((x5, y5, -0.6, 0.2, 2.0, -0.5), "5 examples: x = [0, 0.5, -1, 2, 1.5], "
                 "y = [1, 0.25, 0, 0.75, 0.5], w1 = -0.6, b1 = 0.2, w2 = 2, b2 = -0.5", CHAIN_NAMES)]


def _chain_hidden(rng):
    cases = []
    for n in (1, 5, 12):
        x, y = rng.normal(size=n), rng.uniform(size=n)
        w1, b1, w2, b2 = (float(v) for v in rng.normal(0.0, 1.5, size=4))
        cases.append(Case((x, y, w1, b1, w2, b2), f"{n} random examples and random weights",
                          CHAIN_NAMES))
    x = np.array([-30.0, 0.0, 30.0])
    cases.append(Case((x, np.array([1.0, 0.5, 0.0]), 2.0, 0.0, 3.0, -1.0),
                      "large |z| (a saturated hidden neuron)", CHAIN_NAMES))
    cases.append(Case((np.zeros(0), np.zeros(0), 0.5, 0.1, 0.7, -0.2), "zero examples",
                      CHAIN_NAMES))
    return cases


DIVIDE_NAMES = ("dQ", "A", "B")


def _divide_visible():
    dQ = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, -1.0]])
    A = np.array([[3.0, 1.0, -2.0], [0.5, -4.0, 1.0]])
    B = np.array([[2.0, -0.5, 4.0], [0.25, 2.0, -1.0]])
    return [Case((dQ, A, B), "dQ, A, B of shape (2, 3), B with both signs", DIVIDE_NAMES),
            Case((np.array([[1.0, 1.0]]), np.array([[6.0, -1.0]]), np.array([[3.0, 0.1]])),
                 "a batch of one: dQ = [[1, 1]], A = [[6, -1]], B = [[3, 0.1]]", DIVIDE_NAMES)]


def _divide_hidden(rng):
    cases = []
    for shape in [(1, 1), (4, 3), (6, 2), (3,), (5, 7)]:
        B = rng.uniform(0.2, 3.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        cases.append(Case((rng.normal(size=shape), rng.normal(0, 2, size=shape), B),
                          f"random dQ, A, B of shape {shape}", DIVIDE_NAMES))
    cases.append(Case((rng.normal(size=(2, 3)), np.zeros((2, 3)), rng.uniform(0.5, 2.0, size=(2, 3))),
                      "A all zeros (Q = 0 but its slopes are not)", DIVIDE_NAMES))
    cases.append(Case((rng.normal(size=(3, 2)), 1e3 * rng.normal(size=(3, 2)), 1e-2 * rng.uniform(1, 2, size=(3, 2))),
                      "large A over small B", DIVIDE_NAMES))
    return cases


def _neuron_visible():
    X = np.array([[0.35, 0.7], [1.0, -1.0], [0.0, 2.0]])
    X4 = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0], [-0.5, 0.0, 0.0], [3.0, 1.0, -2.0]])
    return [Case((X, np.array([0.2, -0.4]), 0.1, np.array([0.5, 1.0, 0.0])),
                 "X of shape (3, 2), w = [0.2, -0.4], b = 0.1, y = [0.5, 1, 0]",
                 ("X", "w", "b", "y")),
            Case((X4, np.array([0.5, -0.25, 1.0]), -0.3, np.array([1.0, 0.0, 0.5, 1.0])),
                 "X of shape (4, 3), w = [0.5, -0.25, 1], b = -0.3, y = [1, 0, 0.5, 1]",
                 ("X", "w", "b", "y"))]


def _neuron_hidden(rng):
    cases = []
    for n, d in [(1, 1), (1, 4), (6, 3), (20, 5)]:
        X = rng.normal(size=(n, d))
        cases.append(Case((X, rng.normal(size=d), float(rng.normal()), rng.uniform(size=n)),
                          f"random X of shape ({n}, {d})", ("X", "w", "b", "y")))
    X = rng.normal(size=(4, 2)) * 20.0
    cases.append(Case((X, np.array([3.0, -2.0]), 0.5, np.array([0.0, 1.0, 1.0, 0.0])),
                      "large |z| (saturated outputs)", ("X", "w", "b", "y")))
    return cases


def _activation_visible():
    Z = np.array([[-2.0, 0.0, 0.5], [3.0, -0.25, 1.0]])
    dA = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, -1.0]])
    return [Case((dA, Z), "dA and Z of shape (2, 3)", ("dA", "Z")),
            Case((np.array([[1.0, -1.0, 2.0, 0.5]]), np.array([[-1000.0, 0.0, 40.0, 1000.0]])),
                 "a batch of one with saturated neurons: dA = [[1, -1, 2, 0.5]], "
                 "Z = [[-1000, 0, 40, 1000]]", ("dA", "Z")),
            Case((np.zeros((0, 3)), np.zeros((0, 3))), "a batch of zero rows: dA and Z of shape (0, 3)",
                 ("dA", "Z"))]


def _activation_hidden(rng):
    cases = []
    for shape in [(1, 1), (1, 6), (5, 3), (16, 8)]:
        cases.append(Case((rng.normal(size=shape), rng.normal(0.0, 3.0, size=shape)),
                          f"random dA, Z of shape {shape}", ("dA", "Z")))
    Z = np.array([[-1000.0, -40.0, -1e-9, 0.0, 1e-9, 40.0, 1000.0]])
    cases.append(Case((rng.normal(size=Z.shape), Z), "Z with large |z| and z = 0 exactly",
                      ("dA", "Z")))
    cases.append(Case((np.zeros((0, 3)), np.zeros((0, 3))), "a batch of zero rows", ("dA", "Z")))
    return cases


def _output_delta_visible():
    A = np.array([[0.6651], [0.2], [0.9]])
    Y = np.array([[0.5], [0.0], [1.0]])
    return [Case((A, Y), "A = [[0.6651], [0.2], [0.9]], Y = [[0.5], [0], [1]]", ("A", "Y")),
            Case((np.array([[0.8, 0.3]]), np.array([[1.0, 0.0]])),
                 "a batch of one with 2 outputs: A = [[0.8, 0.3]], Y = [[1, 0]]", ("A", "Y")),
            Case((np.zeros((0, 2)), np.zeros((0, 2))), "a batch of zero rows: A and Y of shape (0, 2)",
                 ("A", "Y")),
            Case((np.linspace(0.05, 0.95, 12).reshape(4, 3), np.eye(4, 3)),
                 "a batch of 4 with 3 outputs: A from 0.05 to 0.95 row by row, Y = np.eye(4, 3)",
                 ("A", "Y"))]


def _output_delta_hidden(rng):
    cases = []
    for n, k in [(1, 1), (1, 3), (7, 2), (25, 4)]:
        cases.append(Case((rng.uniform(0.01, 0.99, size=(n, k)), rng.uniform(size=(n, k))),
                          f"random A, Y of shape ({n}, {k})", ("A", "Y")))
    cases.append(Case((np.zeros((0, 2)), np.zeros((0, 2))), "a batch of zero rows", ("A", "Y")))
    return cases


def _dense_visible():
    X = np.array([[0.35, 0.7], [1.0, -1.0], [0.0, 2.0]])
    W = np.array([[0.2, 0.3, -0.1], [0.2, 0.3, 0.5]])
    dZ = np.array([[0.1, -0.2, 0.05], [0.0, 0.3, -0.1], [0.2, 0.1, 0.4]])
    dZ4 = np.array([[0.1, -0.2, 0.05], [0.0, 0.3, -0.1], [0.2, 0.1, 0.4], [-0.3, 0.0, 0.2]])
    X4 = np.array([[0.35, 0.7], [1.0, -1.0], [0.0, 2.0], [-0.5, 0.25]])
    return [Case((dZ, X, W), "dZ (3, 3), X (3, 2), W (2, 3)", ("dZ", "X", "W")),
            Case((dZ4, X4, W), "4 examples: dZ (4, 3), X (4, 2), the same W (2, 3)", ("dZ", "X", "W")),
            Case((np.array([[0.5, -1.0, 2.0]]), np.array([[1.0, -2.0]]), W),
                 "a batch of one: dZ = [[0.5, -1, 2]], X = [[1, -2]], the same W", ("dZ", "X", "W")),
            Case((np.zeros((0, 3)), np.zeros((0, 2)), W),
                 "a batch of zero rows: dZ (0, 3), X (0, 2), the same W", ("dZ", "X", "W"))]


def _dense_hidden(rng):
    cases = []
    for n, d_in, d_out in [(1, 3, 2), (1, 1, 1), (5, 4, 3), (8, 2, 6), (30, 7, 5)]:
        cases.append(Case((rng.normal(size=(n, d_out)), rng.normal(size=(n, d_in)),
                           rng.normal(size=(d_in, d_out))),
                          f"random dZ ({n}, {d_out}), X ({n}, {d_in}), W ({d_in}, {d_out})",
                          ("dZ", "X", "W")))
    cases.append(Case((np.zeros((0, 3)), np.zeros((0, 4)), rng.normal(size=(4, 3))),
                      "a batch of zero rows", ("dZ", "X", "W")))
    return cases


def _worked_example_visible():
    s = ref.WORKED_EXAMPLE
    return [Case((s["x"], s["t"], s["W1"], s["W2"], s["step"]),
                 "the published worked example (x = [0.35, 0.7], t = 0.5, step 1)",
                 ("x", "t", "W1", "W2", "step")),
            Case((np.array([1.0, -0.5, 0.25]), 0.9, np.array([[0.4, -0.2], [0.1, 0.3], [-0.5, 0.6]]),
                  np.array([0.7, -0.3]), 0.5),
                 "a 3-2-1 network: x = [1, -0.5, 0.25], t = 0.9, step 0.5",
                 ("x", "t", "W1", "W2", "step"))]


def _worked_example_hidden(rng):
    cases = []
    for d, m in [(3, 4), (1, 1), (2, 2), (5, 2)]:
        cases.append(Case((rng.normal(size=d), float(rng.uniform()), rng.normal(size=(d, m)),
                           rng.normal(size=m), float(rng.uniform(0.1, 2.0))),
                          f"random x ({d},), W1 ({d}, {m}), W2 ({m},)",
                          ("x", "t", "W1", "W2", "step")))
    return cases


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


DIVIDE_MISTAKES = [
    _m("sign flip in dB", "Raising B shrinks A / B where A / B is positive, so where dQ and A / B "
       "are both positive dB is negative: derive the slope of A / B with respect to B carefully "
       "(write it as A * B ** -1).", GATES, lambda dQ, A, B: (dQ / B, dQ * A / B ** 2)),
    _m("missing square in dB", "The slope of 1 / B with respect to B is not -1 / B: check it by "
       "nudging B in one example.", GATES, lambda dQ, A, B: (dQ / B, -dQ * A / B)),
    _m("multiplied where it divides", "Q = A / B moves by 1 / B per unit of A, not by B: a multiply "
       "gate's swap rule does not apply as is.", GATES, lambda dQ, A, B: (dQ * B, -dQ * A / B ** 2)),
    _m("dB without A", "The slope of A / B with respect to B depends on A as well as B: Q does not "
       "move with B where A is 0.", GATES, lambda dQ, A, B: (dQ / B, -dQ / B ** 2)),
    _m("upstream gradient dropped", "Each input's gradient is its local slope times the upstream "
       "gradient dQ (lesson section on gates): yours is the local slope alone.", GATES,
       lambda dQ, A, B: (1.0 / B + 0.0 * dQ, -A / B ** 2 + 0.0 * dQ)),
    _m("dA and dB returned in the other order", "Return (dA, dB): the gradient with respect to the "
       "numerator first.", GATES, lambda dQ, A, B: (-dQ * A / B ** 2, dQ / B)),
]


def _chain_variant(out_slope=True, hid_slope=True, sign=1.0, through_w2=True, dw2_uses_z=False):
    def wrong(x, y, w1, b1, w2, b2):
        z1, a1, z2, y_hat = ref.chain_forward(x, w1, b1, w2, b2)
        d2 = sign * (y_hat - y) * (y_hat * (1 - y_hat) if out_slope else 1.0)
        d1 = d2 * (w2 if through_w2 else 1.0) * (a1 * (1 - a1) if hid_slope else 1.0)
        return d1 * x, d1 + 0.0 * x, d2 * (z1 if dw2_uses_z else a1), d2 + 0.0 * x
    return wrong


CHAIN_MISTAKES = [
    _m("sign flip", "Your gradients have the wrong sign: you used (y - y_hat) where dE/dy_hat = "
       "y_hat - y. (y - y_hat) is the wish, which is minus the gradient.", WISHES,
       _chain_variant(sign=-1.0)),
    _m("missing sigma' at the output", "The factor dy_hat/dz2 = y_hat * (1 - y_hat) is missing: "
       "the output's sigmoid sits between z2 and the loss.", CHAIN, _chain_variant(out_slope=False)),
    _m("missing sigma' at the hidden neuron", "The factor da1/dz1 = a1 * (1 - a1) is missing from "
       "dw1 and db1.", CHAIN, _chain_variant(hid_slope=False)),
    _m("skipped the weight w2 on the way back", "The hidden neuron reaches the loss through w2, so "
       "dz2/da1 = w2 belongs in dw1 and db1.", DELTAS, _chain_variant(through_w2=False)),
    _m("used z1 instead of a1", "dz2/dw2 is the input that w2 multiplies, the activation a1 = "
       "sigmoid(z1), not z1.", CHAIN, _chain_variant(dw2_uses_z=True)),
]

NEURON_MISTAKES = [
    _m("forgot the batch average", "The loss is the mean over the batch, so every gradient has a "
       "factor 1/n; you summed instead.", AVERAGE,
       lambda X, w, b, y: tuple(g * X.shape[0] if i == 0 else float(g * X.shape[0])
                                for i, g in enumerate(ref.neuron_backward(X, w, b, y)))),
    _m("missing sigma'", "The neuron's slope a * (1 - a) is missing: the loss sees z only through "
       "the sigmoid.", SIGMOID,
       lambda X, w, b, y: _neuron_no_slope(X, w, b, y)),
    _m("sign flip", "Your gradient points the wrong way: use (a - y), not (y - a). (y - a) is the "
       "wish, minus the gradient.", WISHES,
       lambda X, w, b, y: tuple(-g if i == 0 else float(-g)
                                for i, g in enumerate(ref.neuron_backward(X, w, b, y)))),
    _m("bias gradient not summed over the batch", "db is one number: add up (sum) every example's "
       "contribution instead of returning one per example.", AVERAGE,
       lambda X, w, b, y: _neuron_per_example_db(X, w, b, y)),
]


def _neuron_no_slope(X, w, b, y):
    a = sigmoid(X @ w + b)
    delta = (a - y) / X.shape[0]
    return X.T @ delta, float(np.sum(delta))


def _neuron_per_example_db(X, w, b, y):
    a = sigmoid(X @ w + b)
    delta = (a - y) * a * (1 - a) / X.shape[0]
    return X.T @ delta, delta


SIGMOID_BACKWARD_MISTAKES = [
    _m("missing sigma'", "You returned dA unchanged; multiply by the sigmoid's slope s * (1 - s).",
       SIGMOID, lambda dA, Z: dA.copy()),
    _m("slope of z instead of sigmoid(z)", "You used Z * (1 - Z); the slope is s * (1 - s) with "
       "s = sigmoid(Z).", SIGMOID, lambda dA, Z: dA * Z * (1 - Z)),
    _m("returned the slope alone", "You returned sigmoid'(Z) without multiplying by dA, the "
       "gradient arriving from above.", SIGMOID,
       lambda dA, Z: sigmoid(Z) * (1 - sigmoid(Z))),
]

RELU_BACKWARD_MISTAKES = [
    _m("missing the ReLU slope", "You returned dA unchanged; where Z <= 0 ReLU is flat, so the "
       "gradient there is 0.", SIGMOID, lambda dA, Z: dA.copy()),
    _m("slope 1 at z = 0", "This course uses ReLU'(0) = 0: keep dA only where Z > 0 (not Z >= 0).",
       SIGMOID, lambda dA, Z: dA * (Z >= 0)),
    _m("returned the slope alone", "You returned ReLU'(Z) without multiplying by dA.", SIGMOID,
       lambda dA, Z: (Z > 0).astype(float)),
]

OUTPUT_DELTA_MISTAKES = [
    _m("forgot the batch average", "The loss is the mean over the n examples, so dL/dZ carries a "
       "factor 1/n.", AVERAGE, lambda A, Y: (A - Y) * A * (1 - A)),
    _m("missing sigma'", "The output's slope A * (1 - A) is missing.", SIGMOID,
       lambda A, Y: (A - Y) / A.shape[0]),
    _m("sign flip", "Use (A - Y), not (Y - A): (Y - A) is the wish, minus the gradient.", WISHES,
       lambda A, Y: (Y - A) * A * (1 - A) / A.shape[0]),
    _m("averaged over every entry", "Divide by the number of examples n, not by n * k: the loss "
       "adds up the k outputs of one example and averages over examples.", AVERAGE,
       lambda A, Y: (A - Y) * A * (1 - A) / A.size),
]


def _dense_variant(dW=None, db=None, dX=None):
    def wrong(dZ, X, W):
        right = ref.dense_backward(dZ, X, W)
        return (dX(dZ, X, W) if dX else right[0], dW(dZ, X, W) if dW else right[1],
                db(dZ, X, W) if db else right[2])
    return wrong


DENSE_MISTAKES = [
    _m("transposed dW", "dW must have W's shape (d_in, d_out): it is X.T @ dZ, not dZ.T @ X.",
       DENSE, _dense_variant(dW=lambda dZ, X, W: dZ.T @ X)),
    _m("bias gradient not summed over the batch", "db has one entry per output neuron: add up dZ "
       "over the examples (axis 0).", DENSE, _dense_variant(db=lambda dZ, X, W: dZ.copy())),
    _m("bias gradient averaged instead of summed", "dZ already carries the 1/n of the batch "
       "average; dividing again by n counts it twice. Sum dZ over the batch.", AVERAGE,
       _dense_variant(db=lambda dZ, X, W: dZ.mean(axis=0))),
    _m("bias gradient summed over the wrong axis", "db sums over the examples (axis 0), giving one "
       "entry per output neuron.", DENSE, _dense_variant(db=lambda dZ, X, W: dZ.sum(axis=1))),
    _m("transposed dX", "dX must have X's shape (n, d_in): it is dZ @ W.T, not W @ dZ.T.",
       DENSE, _dense_variant(dX=lambda dZ, X, W: W @ dZ.T)),
    _m("dW averaged over the batch", "dZ already carries the 1/n; dW = X.T @ dZ with no further "
       "division.", AVERAGE, _dense_variant(dW=lambda dZ, X, W: X.T @ dZ / max(X.shape[0], 1))),
]


def _worked_variant(sign=1.0, delta_sign=1.0, hidden_slope=True, rounded=False, factor=1.0):
    def wrong(x, t, W1, W2, step):
        h = sigmoid(x @ W1)
        y = float(sigmoid(h @ W2))
        yd = round(y, 2) if rounded else y
        delta = factor * delta_sign * (t - yd) * yd * (1 - yd)
        hd = delta * W2 * (h * (1 - h) if hidden_slope else 1.0)
        W2n = W2 + sign * step * delta * h
        W1n = W1 + sign * step * np.outer(x, hd)
        after = float(sigmoid(sigmoid(x @ W1n) @ W2n))
        return h, y, float(delta), W1n, W2n, after
    return wrong


WORKED_MISTAKES = [
    _m("stepped uphill", "You added the gradient: w_new = w + step * dE/dw climbs the loss. "
       "Gradient descent subtracts it (equivalently, adds step * wish).", WORKED,
       _worked_variant(sign=-1.0)),
    _m("output delta with the wrong sign", "The article's delta is (t - y) * y * (1 - y), "
       "negative here because the output overshoots the target.", WORKED,
       _worked_variant(delta_sign=-1.0)),
    _m("missing sigma' at the hidden layer", "Each hidden delta needs the hidden neuron's own slope "
       "h * (1 - h).", DELTAS, _worked_variant(hidden_slope=False)),
    _m("rounded the output before the delta", "Rounding y to 0.67 first gives the article's "
       "-0.0376; keep full precision.", WORKED, _worked_variant(rounded=True)),
    _m("differentiated the square without the half", "Your delta and your step are twice the "
       "expected ones: that is the slope of (t - y)^2, the article's stated loss. This exercise, like "
       "the article's own delta, uses E = 0.5 * (t - y)^2; the plain square is another convention, "
       "exactly a factor 2 away.", WORKED, _worked_variant(factor=2.0)),
]


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

def _chain_through_w1(x, y, w1, b1, w2, b2):
    z1, a1, z2, y_hat = ref.chain_forward(x, w1, b1, w2, b2)
    d2 = (y_hat - y) * y_hat * (1 - y_hat)
    d1 = d2 * w1 * a1 * (1 - a1)
    return d1 * x, d1 + 0.0 * x, d2 * a1, d2 + 0.0 * x


CHAIN_MISTAKES += [
    _m("used w1 on the way back", "From a1 to the loss the path goes through z2 = w2 * a1 + b2, "
       "so the factor is dz2/da1 = w2; w1 is before a1.", DELTAS,
       lambda x, y, w1, b1, w2, b2: _chain_through_w1(x, y, w1, b1, w2, b2)),
]

SIGMOID_BACKWARD_MISTAKES += [
    _m("multiplied by s instead of s * (1 - s)", "You returned dA * s: the sigmoid's value, not "
       "its slope. The slope is s * (1 - s).", SIGMOID, lambda dA, Z: dA * sigmoid(Z)),
    _m("multiplied by (1 - s) only", "You returned dA * (1 - s); the slope is s * (1 - s).",
       SIGMOID, lambda dA, Z: dA * (1 - sigmoid(Z))),
    _m("mixed s and z in the slope", "You computed s * (1 - Z): the input Z slipped in where "
       "s belongs. The slope is s * (1 - s).", SIGMOID,
       lambda dA, Z: dA * sigmoid(Z) * (1 - Z)),
]

RELU_BACKWARD_MISTAKES += [
    _m("multiplied by ReLU(Z) instead of its slope", "You returned dA * max(Z, 0); the slope is "
       "1 where Z > 0 and 0 elsewhere, so keep dA unchanged where Z > 0.", SIGMOID,
       lambda dA, Z: dA * np.maximum(Z, 0.0)),
]

OUTPUT_DELTA_MISTAKES += [
    _m("slope of the targets, not the outputs", "The slope is the output's own, A * (1 - A); you "
       "used Y * (1 - Y).", SIGMOID, lambda A, Y: (A - Y) * Y * (1 - Y) / A.shape[0]),
]

NEURON_MISTAKES += [
    _m("bias gradient averaged a second time", "delta already carries the 1/n; db is its sum.",
       AVERAGE, lambda X, w, b, y: (ref.neuron_backward(X, w, b, y)[0],
                                    ref.neuron_backward(X, w, b, y)[1] / X.shape[0])),
]


# ------------------------------------------------------- graded functions

def _activation(name, reference, mistakes, seed):
    return GradedFunction(name=name, reference=reference, visible_cases=_activation_visible,
                          hidden_cases=_activation_hidden, mistakes=mistakes, seed=seed)


GRADED = {g.name: g for g in [
    GradedFunction(name="chain_backward", reference=ref.chain_backward,
                   visible_cases=_chain_visible, hidden_cases=_chain_hidden,
                   mistakes=CHAIN_MISTAKES, outputs=("dw1", "db1", "dw2", "db2"), seed=901),
    _activation("sigmoid_backward", ref.sigmoid_backward, SIGMOID_BACKWARD_MISTAKES, 902),
    _activation("relu_backward", ref.relu_backward, RELU_BACKWARD_MISTAKES, 903),
    GradedFunction(name="output_delta", reference=ref.output_delta,
                   visible_cases=_output_delta_visible, hidden_cases=_output_delta_hidden,
                   mistakes=OUTPUT_DELTA_MISTAKES, seed=904),
    GradedFunction(name="neuron_backward", reference=ref.neuron_backward,
                   visible_cases=_neuron_visible, hidden_cases=_neuron_hidden,
                   mistakes=NEURON_MISTAKES, outputs=("dw", "db"), seed=905),
    GradedFunction(name="dense_backward", reference=ref.dense_backward,
                   visible_cases=_dense_visible, hidden_cases=_dense_hidden,
                   mistakes=DENSE_MISTAKES, outputs=("dX", "dW", "db"), seed=906),
    GradedFunction(name="worked_example_step", reference=ref.worked_example_step,
                   visible_cases=_worked_example_visible, hidden_cases=_worked_example_hidden,
                   mistakes=WORKED_MISTAKES,
                   outputs=("hidden", "output", "output_delta", "W1_new", "W2_new",
                            "output_after"),
                   seed=907),
    GradedFunction(name="divide_backward", reference=ref.divide_backward,
                   visible_cases=_divide_visible, hidden_cases=_divide_hidden,
                   mistakes=DIVIDE_MISTAKES, outputs=("dA", "dB"), seed=908),
]}
