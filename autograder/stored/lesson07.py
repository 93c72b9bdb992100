"""Lesson 7's stored results: what exercise 7's functions give on the lesson's toy problem, and
the training runs its figures and widget show."""

import numpy as np

from autograder.reference import training as ref
from autograder.stored import produces
from course import training as tr

# Each training step moves the parameters by learning_rate times a numerical gradient, and a
# numerical gradient with step h carries round-off of about eps / h of the loss: 2e-11 at
# h = 1e-5, times learning rates up to 40, over 40 epochs of up to 40 steps. Two processors
# (another SIMD exp, another BLAS kernel) were measured 4.6e-10 of the scale apart on a run
# that settles; 1e-8 leaves room and still catches a formula changed by one part in a million.
RTOL = 1e-8
# Runs with a large learning rate and small batches are chaotic: a difference in the last bit
# grows until the curve is another curve (learning rate 40, batch size 2: by epoch 11). Their
# slack is measured, not guessed: each run again from parameters nudged by PERTURBATION of
# their size, twice, and ten times the largest gap seen so far, epoch by epoch.
PERTURBATION = 1e-13


def _run(params, X, Y, rate, size):
    """tr.EPOCHS epochs of exercise 7's train_epoch from params, epoch e shuffled with seed e."""
    return ref.train(params, X, Y, tr.EPOCHS, size, rate, seed=0)


def run_slack(rate, size, trained, losses):
    """Allowances for one run (trained parameters, losses): ten times how far the same run goes
    from a start nudged by PERTURBATION (for the losses the running maximum over the epochs; for
    each trained parameter array its largest gap, on every entry)."""
    X, Y, params = tr.toy_problem()
    rng = np.random.default_rng(0)
    loss_gaps, param_gaps = np.zeros_like(losses), {k: 0.0 for k in trained}
    for _ in range(2):
        start = {k: v * (1 + PERTURBATION * rng.choice([-1.0, 1.0], size=v.shape))
                 for k, v in params.items()}
        other, other_losses = _run(start, X, Y, rate, size)
        loss_gaps = np.maximum(loss_gaps, np.abs(other_losses - losses))
        param_gaps = {k: max(g, float(np.abs(other[k] - trained[k]).max()))
                      for k, g in param_gaps.items()}
    return ({k: np.full_like(trained[k], 10 * g) for k, g in param_gaps.items()},
            10 * np.maximum.accumulate(loss_gaps))


def chaos_slack(fresh):
    """run_slack for every run of lesson_runs()."""
    return {"order": None, "batches": None,
            "runs": {key: run_slack(*key, *run) for key, run in fresh["runs"].items()}}


@produces("lesson07_training", rtol=RTOL, slack=chaos_slack)
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
            runs[rate, size] = _run(params, X, Y, rate, size)
    return {"order": order, "batches": batches, "runs": runs}
