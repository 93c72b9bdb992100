"""Functions the visible checks hand to your code as inputs.

Some graded functions take a function as an argument: the nudging formulas take the `f` whose
slope they estimate, `minimise` takes a gradient function, `numerical_gradient` takes a loss.
The visible checks call them with the functions below (and with numpy's and the activations of
`course.given`), so that what a check runs can be read and tried by hand.
"""

import numpy as np

from course.checking import CheckFailed, call_quietly


def cube(x):
    """x^3 by multiplication (its slope is 3 x^2)."""
    return x * x * x


def wrong_tanh_prime(z):
    """A wrong slope for tanh, 1 - tanh(z) (the true slope is 1 - tanh(z)^2): a derivative
    check must catch it."""
    return 1.0 - np.tanh(z)


class QuadraticGradient:
    """The gradient of a quadratic valley, 1/2 (theta - c)^T A (theta - c): A @ (theta - c).

    A is a symmetric positive definite matrix (k, k), c the bottom (k,). Built from the diagonal
    2a, it is the gradient of the bowl sum_i a_i (theta_i - c_i)^2."""

    def __init__(self, A, c):
        self.A, self.c = np.asarray(A, dtype=float), np.asarray(c, dtype=float)
        self.__name__ = "quadratic gradient"

    @classmethod
    def of_bowl(cls, a, c):
        return cls(np.diag(2.0 * np.asarray(a, dtype=float)), c)

    def __call__(self, theta):
        return self.A @ (theta - self.c)

    def stored_args(self):
        return (self.A, self.c)

    def __eq__(self, other):
        return (type(other) is type(self) and np.array_equal(other.A, self.A)
                and np.array_equal(other.c, self.c))

    __hash__ = None


class CubicLoss:
    """A loss whose gradient is known exactly: sum over names k of sum(c[k] * params[k]^3)."""

    def __init__(self, c):
        self.c = c
        self.__name__ = "a cubic loss"

    def __call__(self, params):
        return float(sum(np.sum(self.c[k] * params[k] ** 3) for k in self.c))

    def stored_args(self):
        return (self.c,)

    def __eq__(self, other):
        return (type(other) is type(self) and other.c.keys() == self.c.keys()
                and all(np.array_equal(other.c[k], v) for k, v in self.c.items()))

    __hash__ = None


class NetworkLoss:
    """The loss of a sigmoid network on fixed data X, Y, as a function of its parameters: what
    a numerical gradient nudges. It is exercise 5's network_loss (half the squared error,
    averaged over examples), from course.given."""

    def __init__(self, X, Y):
        self.X, self.Y = X, Y
        self.__name__ = "a network's loss"

    def __call__(self, params):
        from course.given import network_loss
        return network_loss(params, self.X, self.Y)

    def stored_args(self):
        return (self.X, self.Y)

    def __eq__(self, other):
        return (type(other) is type(self) and np.array_equal(other.X, self.X)
                and np.array_equal(other.Y, self.Y))

    __hash__ = None


# ------------------------------------------- numerical_gradient's restore checks (exercise 5)

LESSON5 = "lesson 5 (lessons/05_numerical_gradient.ipynb)"
ONE_KNOB = f'{LESSON5}, section "Nudging one knob, and putting it back"'
EVERY_KNOB = f'{LESSON5}, section "Every knob, one at a time"'
RESTORE_OFF_BY_ONE = "off-by-one in the nudge restore"
NOT_RESTORED = "parameters not restored"
WHOLE_ARRAY = "nudged a whole array at once"
RESTORE_EXPLANATIONS = {
    RESTORE_OFF_BY_ONE: (
        "You put the knob back by arithmetic (add h, subtract 2h, add h). In floating point "
        "x + h - 2h + h is not always x: it can land one unit in the last binary place away. "
        "Save the entry before nudging and write the saved value back."),
    NOT_RESTORED: (
        "After measuring the loss at x - h your code moved on without putting the knob back, "
        "so every later knob is measured on a network that has already been changed, and the "
        "caller gets changed parameters back. Write the saved value back after each knob."),
    WHOLE_ARRAY: (
        "Adding h to every entry of an array measures how the loss moves when all of them move "
        "together. Nudge one entry at a time: each entry gets its own slope."),
}


class WatchedLoss:
    """A loss function that checks, on every call, that at most one entry has been moved.

    Deep-copied with the case, so each run (reference, learner, catalogued mistake) is
    watched against its own snapshot of the starting parameters.
    """

    def __init__(self, loss, params, what):
        self.loss = loss
        self.start = {name: p.copy() for name, p in params.items()}
        self.what = what
        self.__name__ = what

    def __eq__(self, other):
        return (type(other) is WatchedLoss and other.loss == self.loss and other.what == self.what
                and other.start.keys() == self.start.keys()
                and all(np.array_equal(other.start[k], v) for k, v in self.start.items()))

    __hash__ = None

    def stored_args(self):
        return (self.loss, self.start, self.what)

    def _kind(self, moved):
        """Which known mistake leaves these entries moved at the same time."""
        if any(abs(now - was) <= 1e-12 * max(1.0, abs(was)) for _, _, was, now in moved):
            return RESTORE_OFF_BY_ONE
        names = {m[0] for m in moved}
        steps = {round(now - was, 12) for _, _, was, now in moved}
        if len(names) == 1 and len(steps) == 1 and len(moved) == self.start[moved[0][0]].size:
            return WHOLE_ARRAY
        return NOT_RESTORED

    def _moved(self, params):
        moved = []
        for name, start in self.start.items():
            now = params.get(name) if isinstance(params, dict) else None
            if not isinstance(now, np.ndarray) or now.shape != start.shape:
                raise CheckFailed(f"the loss function was handed params whose {name!r} is "
                                  f"{type(now).__name__} {getattr(now, 'shape', '')}; keep each "
                                  "parameter array's name and shape while nudging.")
            for index in map(tuple, np.argwhere(~((now == start) | (np.isnan(now) & np.isnan(start))))):
                moved.append((name, tuple(int(i) for i in index), float(start[index]),
                              float(now[index])))
        return moved

    def __call__(self, params):
        moved = self._moved(params)
        if len(moved) > 1:
            kind = self._kind(moved)
            stale = [m for m in moved if abs(m[3] - m[2]) <= 1e-12 * max(1.0, abs(m[2]))]
            name, index, was, now = (stale or moved)[0]
            where = f"{name}{list(index)}"
            lesson = EVERY_KNOB if kind == WHOLE_ARRAY else ONE_KNOB
            raise CheckFailed(
                f"the loss was asked for with {len(moved)} entries moved at once; {where} "
                f"started as {was!r} and is now {now!r}.",
                f"\n  This looks like a known mistake: {kind}. {RESTORE_EXPLANATIONS[kind]}\n"
                f"  See {lesson}.\n  (Stopped at that loss call)", [kind])
        return self.loss(params)


def restores_bit_for_bit(params, X, Y, learner_fn):
    """The caller's params are back exactly (bit for bit) when numerical_gradient returns."""
    __tracebackhide__ = True
    params = {k: v.copy() for k, v in params.items()}
    before = {k: v.copy() for k, v in params.items()}
    try:
        call_quietly(learner_fn, (NetworkLoss(X, Y), params, 1e-3))
    except CheckFailed:
        raise
    except Exception as exc:
        raise CheckFailed(f"numerical_gradient raised {type(exc).__name__}: {exc} "
                          "(while checking that it puts the parameters back).") from None
    for name, start in before.items():
        now = params.get(name)
        if not isinstance(now, np.ndarray) or now.shape != start.shape:
            raise CheckFailed(f"After numerical_gradient returned, params[{name!r}] is no longer "
                              f"an array of shape {start.shape}.")
        differ = np.argwhere(now != start)
        if differ.shape[0]:
            index = tuple(int(i) for i in differ[0])
            was, got = float(start[index]), float(now[index])
            kind = (RESTORE_OFF_BY_ONE if abs(got - was) <= 1e-12 * max(1.0, abs(was))
                    else NOT_RESTORED)
            raise CheckFailed(
                f"After numerical_gradient returned, params[{name!r}]{list(index)} was {got!r}; "
                f"it started as {was!r}. The parameters must come back bit for bit.",
                f"\n  This looks like a known mistake: {kind}. {RESTORE_EXPLANATIONS[kind]}\n"
                f"  See {ONE_KNOB}.", [kind])


# ------------------------------------------------------------ checks beyond the values

def whole_number(name, args, learner_fn):
    """The result is a whole number (an int), not a float or a bool."""
    __tracebackhide__ = True
    result = call_quietly(learner_fn, args)
    if isinstance(result, bool) or not isinstance(result, (int, np.integer)):
        raise CheckFailed(f"{name} returned {type(result).__name__} {result!r}; a count "
                          "is a whole number: return an int (wrap it in int(...)).")


def float64_number(name, args, learner_fn):
    """The scalar result is a float64 number (comparing values at rtol 1e-6 cannot tell a
    float32 result from a float64 one)."""
    __tracebackhide__ = True
    result = call_quietly(learner_fn, args)
    if isinstance(result, np.ndarray) and result.shape == () and result.dtype == np.float64:
        return
    if type(result) not in (float, np.float64):
        raise CheckFailed(f"{name} returned {type(result).__name__} {result!r}; return a "
                          "float64 number (a Python float or np.float64). float32 keeps only "
                          "about 7 digits.")


def loss_falls(params, X, Y, where, learner_fn):
    """One epoch of train_epoch(params, X, Y, 4, 1.0, 5, 1e-5) lowers the network's loss."""
    __tracebackhide__ = True
    from course.given import network_loss
    before = network_loss(params, X, Y)
    try:
        after_params = call_quietly(learner_fn, ({k: v.copy() for k, v in params.items()},
                                                 X.copy(), Y.copy(), 4, 1.0, 5, 1e-5))
        after = network_loss(after_params, X, Y)
    except Exception as exc:
        raise CheckFailed(f"train_epoch failed while checking that the loss falls: "
                          f"{type(exc).__name__}: {exc}") from None
    if not after < before:
        raise CheckFailed(f"The loss did not fall over one epoch: {before:.6f} before, {after:.6f} "
                          f"after ({len(X)} examples, batch size 4, learning rate 1). Check the "
                          f"sign of your update. See {where}.")


def _own_function(learner_fn, name):
    """The learner's own function `name`, from the notebook that defined learner_fn: its globals
    in the learner's kernel; while grading, the grader's stand-in for that notebook's `name`."""
    namespace = getattr(learner_fn, "__globals__", None)
    if namespace is not None:
        return namespace.get(name)
    sibling = getattr(learner_fn, "sibling", None)
    return sibling(name) if callable(sibling) else None


# The forward pass that scores a trained network while grading: set by the grader's specs (the
# course's own mlp_forward), so train is graded on its own, whatever the learner's mlp_forward
# does. In a learner's visible check it stays None and the learner's own mlp_forward scores it.
GRADING_FORWARD = None


def trains_on_digits(where, learner_train):
    """train() on the digits reaches the accuracy lesson 10 states, on the held-out digits."""
    __tracebackhide__ = True
    from course.costs import knob_count
    from course.whole_picture import DIGITS as d
    from course.whole_picture import accuracy, digits_split
    X_train, y_train, X_test, y_test = digits_split()
    args = (X_train.copy(), y_train.copy(), d["sizes"], d["epochs"], d["batch_size"],
            d["learning_rate"], d["seed"])
    try:
        theta, _ = call_quietly(learner_train, args)
    except Exception as exc:
        raise CheckFailed(f"train raised {type(exc).__name__}: {exc} when training on the digits "
                          f"(sizes {d['sizes']}).") from None
    expected = knob_count(d["sizes"])
    if not isinstance(theta, np.ndarray) or theta.shape != (expected,) or not np.all(np.isfinite(theta)):
        raise CheckFailed(f"train on the digits should return a finite theta of shape ({expected},).")
    forward = GRADING_FORWARD or _own_function(learner_train, "mlp_forward")
    if forward is None:
        raise CheckFailed("The test accuracy of your trained network is measured with your own "
                          "mlp_forward: define it (above train) and run its cell first.")
    try:
        acc = accuracy(call_quietly(forward, (theta.copy(), d["sizes"], X_test.copy())), y_test)
    except Exception as exc:
        raise CheckFailed(f"The test accuracy of your trained network is measured with your own "
                          f"mlp_forward, which raised {type(exc).__name__}: {exc}. Make mlp_forward "
                          f"pass its check first.") from None
    if acc < d["required_accuracy"]:
        raise CheckFailed(
            f"train reached {acc:.1%} test accuracy on the digits (sizes {d['sizes']}, "
            f"{d['epochs']} epochs, batches of {d['batch_size']}, learning rate "
            f"{d['learning_rate']}, seed {d['seed']}); at least {d['required_accuracy']:.0%} is "
            f"required. See {where}.")
