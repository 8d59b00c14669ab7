"""When a training run has solved its task: one criterion per task, stated in words and checked the
same way. A run stops itself at the first step that meets it (core.training.train).

    crit = criterion("adding", baseline=1/6)
    crit.met(loss, accuracy, steps_done)   # True once the last WINDOW of those steps meet it
    crit.text                     # "the mean loss of the last 100 steps is below 0.01"

- adding: the mean loss of the last 100 steps below 0.01 (always predicting 1 scores 1/6).
- temporal_order, copy_first (classes): a mean accuracy of at least 99% over the last 100 steps.
- sine, lorenz, weather, seattle_temps (next-step series): the mean loss of the last 100 steps below
  a tenth of the repeat-the-last-value baseline.
- series (a person's own data): no criterion; the run uses all its steps.
"""
from dataclasses import dataclass

import numpy as np

WINDOW = 100               # steps averaged: one lucky batch does not solve a task
ADDING_LOSS = 0.01
CLASS_ACCURACY = 0.99
SERIES_FRACTION = 0.1      # of the repeat-the-last-value baseline's loss
CLASS_TASKS = ("temporal_order", "copy_first")
OWN_DATA = "series"
ROUNDING = 1e-12           # a mean of accuracies that is exactly 99% may sum to just under it


@dataclass(frozen=True)
class Criterion:
    measure: str            # "loss" | "accuracy"
    threshold: float        # loss below it, or accuracy at least it
    text: str

    def met(self, loss, accuracy, steps_done):
        """Whether the last WINDOW of the first ``steps_done`` steps meet the criterion (never before
        WINDOW)."""
        if steps_done < WINDOW:
            return False
        last = slice(steps_done - WINDOW, steps_done)
        if self.measure == "accuracy":
            return bool(np.mean(accuracy[last]) >= self.threshold - ROUNDING)
        return bool(np.mean(loss[last]) < self.threshold)


def criterion(task, baseline=None):
    """The Criterion of ``task`` (``baseline``: the task's trivial loss), or None for a person's data."""
    if task == OWN_DATA:
        return None
    if task == "adding":
        return Criterion("loss", ADDING_LOSS,
                         f"the mean loss of the last {WINDOW} steps is below {ADDING_LOSS:g}")
    if task in CLASS_TASKS:
        return Criterion("accuracy", CLASS_ACCURACY,
                         f"the accuracy over the last {WINDOW} steps is at least {CLASS_ACCURACY:.0%}")
    if baseline is None or not np.isfinite(baseline) or baseline <= 0:
        raise ValueError(f"a series task needs its baseline loss to set the criterion; got {baseline!r}")
    return Criterion("loss", SERIES_FRACTION * baseline,
                     f"the mean loss of the last {WINDOW} steps is below {SERIES_FRACTION:g} × the "
                     f"repeat-the-last-value loss, {SERIES_FRACTION * baseline:.3g}")


def stated(task, baseline=None):
    """The criterion as a page says it."""
    crit = criterion(task, baseline)
    if crit is None:
        return "Your own data has no 'solved' criterion: a run uses all its steps."
    return f"A run counts as solved, and stops, once {crit.text}."


def verdict(solved_at, steps_done, steps, has_criterion=True):
    """"Solved at step N of M." / "Not solved in N steps." (or, with no criterion, the steps done)."""
    if solved_at is not None:
        return f"Solved at step {solved_at} of {steps}."
    if not has_criterion:
        return f"Finished all {steps_done} steps."
    return f"Not solved in {steps_done} steps."
