"""Lesson 7's stored results: what exercise 7's functions give on the lesson's toy problem, and
the training runs its figures and widget show."""

import numpy as np

from autograder.reference import training as ref
from autograder.stored import produces
from course import training as tr


@produces("lesson07_training")
def lesson_runs():
    """"order": shuffled_order(40, 0); "batches": minibatch(X, Y, order, k, 12) for each k;
    "runs": {(learning rate, batch size): (params after tr.EPOCHS epochs, losses)} for every
    choice of the lesson's widget, each run epoch e shuffled with seed e."""
    X, Y, params = tr.toy_problem()
    order = ref.shuffled_order(len(X), 0)
    batches = [ref.minibatch(X, Y, order, k, 12) for k in range(tr.batch_count(len(X), 12))]
    runs = {}
    for rate in tr.RATE_CHOICES:
        for size in tr.BATCH_SIZES:
            trained, losses = params, [ref.network_loss(params, X, Y)]
            for epoch in range(tr.EPOCHS):
                trained = ref.train_epoch(trained, X, Y, size, rate, seed=epoch)
                losses.append(ref.network_loss(trained, X, Y))
            runs[rate, size] = (trained, np.array(losses))
    return {"order": order, "batches": batches, "runs": runs}
