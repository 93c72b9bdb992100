"""Exercise 7 (gradient descent step by step): graded functions, their cases, and known mistakes."""

from functools import partial

import numpy as np

from autograder.reference import training as ref
from autograder.specs import sections
from course.check_inputs import loss_falls
from course.checking import Case, GradedFunction, Mistake

ASSIGNMENT = "07_training"
_section = sections(ASSIGNMENT)

ONE_STEP = _section("One training step, by hand")
AVERAGING = _section("Averaging over examples")
BATCHES = _section("Mini-batches")


# ------------------------------------------------------------------ cases

def _order_visible():
    return [Case((10, 0), "n = 10, seed 0", ("n", "seed")),
            Case((5, 42), "n = 5, seed 42", ("n", "seed")),
            Case((1, 7), "n = 1, seed 7: one example, still an array of shape (1,)", ("n", "seed"))]


def _order_hidden(rng):
    return [Case((int(n), int(seed)), f"n = {n}, seed {seed}", ("n", "seed"))
            for n, seed in [(17, int(rng.integers(1000))), (100, int(rng.integers(1000))), (2, 8), (1, 3)]]


def _data(rng, n, d=2, m=1):
    return rng.normal(size=(n, d)), rng.uniform(size=(n, m))


def _batch_case(X, Y, order, k, bs, label):
    return Case((X, Y, order, k, bs), label, ("X", "Y", "order", "k", "batch_size"))


def _minibatch_visible():
    X = np.arange(14.0).reshape(7, 2)
    Y = np.arange(7.0).reshape(7, 1) / 10
    order = np.array([3, 0, 6, 1, 5, 2, 4])
    return [_batch_case(X, Y, order, 0, 3, "7 examples, order [3, 0, 6, 1, 5, 2, 4], batch size 3, batch 0"),
            _batch_case(X, Y, order, 2, 3, "the same, batch 2 (the last, partial batch)"),
            _batch_case(X, Y, order, 4, 1, "the same, batch size 1 (batches of one), batch 4"),
            _batch_case(X, Y, order, 0, 10, "the same, batch size 10 (larger than the data), batch 0")]


def _minibatch_hidden(rng):
    cases = []
    for n, bs, k in [(10, 4, 1), (10, 4, 2), (9, 3, 2), (5, 1, 4), (8, 8, 0), (6, 10, 0)]:
        X, Y = _data(rng, n, d=int(rng.integers(1, 4)), m=int(rng.integers(1, 3)))
        order = rng.permutation(n)
        cases.append(_batch_case(X, Y, order, k, bs, f"{n} examples, batch size {bs}, batch {k}"))
    return cases


def _grads(rng, shapes):
    return {name: rng.normal(size=shape) for name, shape in shapes.items()}


SHAPES_231 = {"W1": (2, 3), "b1": (3,), "W2": (3, 1), "b2": (1,)}


def _mean_visible():
    a = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([0.5])}
    b = {"W1": np.array([[3.0, -2.0]]), "b1": np.array([1.5])}
    one = {"W1": np.array([[2.0, -1.0]]), "b1": np.array([0.5])}
    return [Case(([a, b],), "two gradients: W1 [[1, 2]] and [[3, -2]], b1 [0.5] and [1.5]",
                 ("per_example",)),
            Case(([one],), "a batch of one: one gradient, W1 [[2, -1]], b1 [0.5]", ("per_example",))]


def _mean_hidden(rng):
    cases = []
    for count, shapes in [(1, SHAPES_231), (3, SHAPES_231), (8, {"W1": (4, 2), "b1": (2,)}),
                          (5, {"W1": (2, 4), "b1": (4,), "W2": (4, 3), "b2": (3,), "W3": (3, 1),
                               "b3": (1,)})]:
        cases.append(Case(([_grads(rng, shapes) for _ in range(count)],),
                          f"{count} gradient{'s' if count > 1 else ''} with keys {list(shapes)}",
                          ("per_example",)))
    return cases


def _update_visible():
    params = {"W1": np.array([[0.5, -0.5]]), "b1": np.array([0.1])}
    grads = {"W1": np.array([[0.2, -0.4]]), "b1": np.array([1.0])}
    other = {"W": np.array([[1.0, 0.0, -1.0], [2.0, 0.5, 0.0]]), "b": np.array([0.0, 1.0, -2.0]),
             "V": np.array([[0.5], [-0.5], [1.0]])}
    other_grads = {"W": np.array([[0.1, -0.2, 0.3], [0.0, 1.0, -1.0]]), "b": np.array([2.0, 0.0, -1.0]),
                   "V": np.array([[1.0], [0.0], [-4.0]])}
    return [Case((params, grads, 0.5), "W1 [[0.5, -0.5]], b1 [0.1], learning rate 0.5",
                 ("params", "grads", "learning_rate")),
            Case((other, other_grads, 0.25), "any key names: W (2, 3), b (3,) and V (3, 1), "
                 "learning rate 0.25", ("params", "grads", "learning_rate"))]


def _update_hidden(rng):
    cases = []
    for shapes, lr in [(SHAPES_231, 0.1), (SHAPES_231, 3.0), ({"W1": (1, 1), "b1": (1,)}, 0.01),
                       ({"weights": (4, 2), "bias": (2,), "scale": (3,)}, 0.2)]:
        cases.append(Case((_grads(rng, shapes), _grads(rng, shapes), lr),
                          f"random params with keys {list(shapes)}, learning rate {lr}",
                          ("params", "grads", "learning_rate")))
    return cases


EPOCH_NAMES = ("params", "X", "Y", "batch_size", "learning_rate", "seed", "h")


def _epoch_visible():
    X, Y = ref.make_dataset(12, seed=7)
    params = ref.init_params((2, 3, 1), seed=7)
    X7, Y7 = ref.make_dataset(7, seed=3)
    return [Case((params, X, Y, 5, 2.0, 0, 1e-5),
                 "the 2-3-1 network (seed 7) on 12 examples, batch size 5, learning rate 2, seed 0",
                 EPOCH_NAMES),
            Case((ref.init_params((2, 4, 1), seed=3), X7, Y7, 3, 1.0, 5, 1e-5),
                 "a 2-4-1 network (seed 3) on 7 examples, batch size 3, learning rate 1, seed 5",
                 EPOCH_NAMES)]


def _epoch_hidden(rng):
    cases = []
    for n, bs, lr, sizes in [(10, 4, 1.0, (2, 3, 1)), (9, 9, 3.0, (2, 3, 1)), (6, 1, 0.5, (2, 3, 1)),
                             (11, 3, 2.0, (2, 2, 1)), (8, 5, 1.5, (3, 3, 2))]:
        X, Y = _data(rng, n, d=sizes[0], m=sizes[-1])
        params = ref.init_params(sizes, seed=int(rng.integers(1000)))
        seed = int(rng.integers(1000))
        cases.append(Case((params, X, Y, bs, lr, seed, 1e-5),
                          f"a random {'-'.join(map(str, sizes))} network, {n} examples, batch size "
                          f"{bs}, learning rate {lr}, seed {seed}", EPOCH_NAMES))
    return cases


# --------------------------------------------------------------- mistakes

def _m(name, explanation, lesson, implementation):
    return Mistake(name, explanation, lesson, implementation)


def _global_generator(n, seed):
    """What np.random.seed(seed); np.random.permutation(n) returns, without touching global state."""
    return np.random.RandomState(seed).permutation(n)


ORDER_MISTAKES = [
    _m("not shuffled", "You returned 0, 1, 2, ...: the examples must be visited in a shuffled order, "
       "a new one each epoch.", BATCHES, lambda n, seed: np.arange(n)),
    _m("used numpy's global generator", "np.random.seed / np.random.permutation draw from a "
       "different generator than np.random.default_rng(seed).permutation(n), which this course uses "
       "(and which does not disturb anyone else's random numbers).", BATCHES, _global_generator),
    _m("sampled with replacement", "An epoch visits every example exactly once: use a permutation, "
       "not random draws, which repeat some examples and skip others.", BATCHES,
       lambda n, seed: np.random.default_rng(seed).integers(0, n, size=n)),
]


MINIBATCH_MISTAKES = [
    _m("ignored the shuffled order", "Take the rows listed in order[k * batch_size:(k + 1) * batch_size], "
       "not rows k * batch_size onwards of X.", BATCHES,
       lambda X, Y, order, k, bs: (X[k * bs:(k + 1) * bs], Y[k * bs:(k + 1) * bs])),
    _m("batches counted from 1", "Batch k = 0 is the first one: it starts at order[0].", BATCHES,
       lambda X, Y, order, k, bs: (X[order[(k + 1) * bs:(k + 2) * bs]], Y[order[(k + 1) * bs:(k + 2) * bs]])),
    _m("last batch padded to full size", "The last batch holds only the examples that are left; "
       "wrapping around repeats examples from the start of the epoch.", BATCHES,
       lambda X, Y, order, k, bs: (X[np.take(order, np.arange(k * bs, (k + 1) * bs), mode="wrap")],
                                   Y[np.take(order, np.arange(k * bs, (k + 1) * bs), mode="wrap")])),
    _m("one example too few per batch", "A slice a:b stops before b: order[k * batch_size:(k + 1) * "
       "batch_size] already holds batch_size entries.", BATCHES,
       lambda X, Y, order, k, bs: (X[order[k * bs:(k + 1) * bs - 1]], Y[order[k * bs:(k + 1) * bs - 1]])),
]


MEAN_MISTAKES = [
    _m("summed instead of averaged", "Forgetting to average over the batch makes the step grow "
       "with the batch size: divide the sum by the number of gradients.", AVERAGING,
       lambda per: {k: np.sum([g[k] for g in per], axis=0) for k in per[0]}),
    _m("averaged over the wrong axis", "Average the gradients entry by entry (over the list), not the "
       "entries within one gradient.", AVERAGING,
       lambda per: {k: np.full(per[0][k].shape, np.mean([g[k] for g in per])) for k in per[0]}),
    _m("kept only the last gradient", "Every example's gradient counts: average all of them.",
       AVERAGING, lambda per: {k: per[-1][k].copy() for k in per[0]}),
]


UPDATE_MISTAKES = [
    _m("climbed uphill", "A descent step subtracts learning_rate * gradient.", ONE_STEP,
       lambda params, grads, lr: {k: p + lr * grads[k] for k, p in params.items()}),
    _m("learning rate ignored", "Multiply each gradient by the learning rate.", ONE_STEP,
       lambda params, grads, lr: {k: p - grads[k] for k, p in params.items()}),
    _m("returned the step instead of the new parameters", "Return params - learning_rate * grads "
       "for every name, not the step alone.", ONE_STEP,
       lambda params, grads, lr: {k: -lr * grads[k] for k in params}),
]


def _epoch_variant(order_fn=ref.shuffled_order, batches=ref.batch_count, summed=False, whole=False,
                   sign=1.0):
    def train_epoch(params, X, Y, batch_size, learning_rate, seed, h):
        order = order_fn(len(X), seed)
        for k in range(batches(len(X), batch_size)):
            Xb, Yb = (X, Y) if whole else ref.minibatch(X, Y, order, k, batch_size)
            size = len(Xb) if summed else 1

            def loss(p, Xb=Xb, Yb=Yb, size=size):
                return size * ref.network_loss(p, Xb, Yb)

            grads = ref.numerical_gradient(loss, {n: p.copy() for n, p in params.items()}, h)
            params = ref.sgd_update(params, grads, sign * learning_rate)
        return params
    return train_epoch


def _one_update_per_epoch(params, X, Y, batch_size, learning_rate, seed, h):
    order = ref.shuffled_order(len(X), seed)
    grads = []
    for k in range(ref.batch_count(len(X), batch_size)):
        Xb, Yb = ref.minibatch(X, Y, order, k, batch_size)
        grads.append(ref.numerical_gradient(lambda p: ref.network_loss(p, Xb, Yb),
                                            {n: p.copy() for n, p in params.items()}, h))
    return ref.sgd_update(params, ref.mean_gradient(grads), learning_rate)


EPOCH_MISTAKES = [
    _m("not shuffled", "Each epoch visits the examples in the order shuffled_order(n, seed) gives.",
       BATCHES, _epoch_variant(order_fn=lambda n, seed: np.arange(n))),
    _m("dropped the last partial batch", "When n is not a multiple of the batch size, the last batch "
       "is smaller but still counts: there are ceil(n / batch_size) batches.", BATCHES,
       _epoch_variant(batches=lambda n, bs: n // bs)),
    _m("summed the batch loss instead of averaging", "The loss of a batch is the mean over its "
       "examples; a sum makes the step grow with the batch size.", AVERAGING,
       _epoch_variant(summed=True)),
    _m("whole dataset used for every step", "Each step's gradient comes from its own mini-batch "
       "only.", BATCHES, _epoch_variant(whole=True)),
    _m("one update per epoch", "Update the parameters after every mini-batch; that is the point of "
       "mini-batches: many cheap steps per epoch.", BATCHES, _one_update_per_epoch),
    _m("climbed uphill", "Subtract learning_rate * gradient.", ONE_STEP, _epoch_variant(sign=-1.0)),
]


# ------------------------------------------------------- extra checks

def _loss_falls_case():
    """The lesson's data (16 examples) and a fresh 2-3-1 network for the loss-falls check."""
    X, Y = ref.make_dataset(16, seed=11)
    return ref.init_params((2, 3, 1), seed=3), X, Y


# Wrong variants learners write (issue: "the mistakes learners actually make are named").

ORDER_MISTAKES += [
    _m("argsort of random numbers", "rng.random(n).argsort() is a shuffled order too, but a "
       "different one: this course draws np.random.default_rng(seed).permutation(n).", BATCHES,
       lambda n, seed: np.random.default_rng(seed).random(n).argsort()),
]

MEAN_MISTAKES += [
    _m("divided by the number of parameters", "Divide each summed gradient by the number of "
       "gradients in the list (the examples), not by the number of keys.", AVERAGING,
       lambda per: {k: np.sum([g[k] for g in per], axis=0) / len(per[0]) for k in per[0]}),
]


# ------------------------------------------------------- graded functions

GRADED = {g.name: g for g in [
    GradedFunction(name="shuffled_order", reference=ref.shuffled_order, visible_cases=_order_visible,
                   hidden_cases=_order_hidden, mistakes=ORDER_MISTAKES, seed=701),
    GradedFunction(name="minibatch", reference=ref.minibatch, visible_cases=_minibatch_visible,
                   hidden_cases=_minibatch_hidden, mistakes=MINIBATCH_MISTAKES, outputs=("Xb", "Yb"),
                   seed=702),
    GradedFunction(name="mean_gradient", reference=ref.mean_gradient, visible_cases=_mean_visible,
                   hidden_cases=_mean_hidden, mistakes=MEAN_MISTAKES, seed=703),
    GradedFunction(name="sgd_update", reference=ref.sgd_update, visible_cases=_update_visible,
                   hidden_cases=_update_hidden, mistakes=UPDATE_MISTAKES, seed=704),
    GradedFunction(name="train_epoch", reference=ref.train_epoch, visible_cases=_epoch_visible,
                   hidden_cases=_epoch_hidden, mistakes=EPOCH_MISTAKES, seed=705,
                   extra_checks=(partial(loss_falls, *_loss_falls_case(), ONE_STEP),)),
]}
