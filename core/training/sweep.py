"""Success against length: the runs of Hochreiter & Schmidhuber's kind of table, and its summary.

    cfgs = sweep_configs(lengths=(10, 20, 50, 100, 200), seeds=(0, 1, 2), steps=3000)
    rows = summarize(cfgs, {cfg: outcome(history) for finished runs})

Every run is TrainConfig() (the Training lab's defaults) with the model, task = "adding", the length T,
the seed and the step budget set; it stops once solved (core.training.solved). ``summarize`` works on
any subset of finished runs, so a page can fill the table in as runs finish.
"""
from dataclasses import dataclass, replace

import numpy as np

from core.training.config import TrainConfig

LENGTHS = (10, 20, 50, 100, 200)
MODELS = ("rnn", "lstm")
TASK = "adding"


@dataclass(frozen=True)
class Outcome:
    solved_at: int | None       # steps to solve, or None
    steps_done: int
    failed: bool = False        # stopped on a non-finite number


def outcome(history):
    return Outcome(history.solved_at, len(history.loss), history.stopped_at is not None)


def sweep_configs(lengths=LENGTHS, seeds=(0, 1, 2), steps=TrainConfig.steps, models=MODELS):
    """Every run of the sweep, shortest sequences first (they finish first)."""
    base = TrainConfig()
    return [replace(base, model=m, task=TASK, seq_len=int(T), seed=int(s), steps=int(steps),
                    probe_every=max(1, int(steps) // 10))
            for T in lengths for m in models for s in seeds]


@dataclass(frozen=True)
class Row:
    model: str
    T: int
    runs: int                   # in the sweep
    finished: int
    solved: int
    steps_to_solve: tuple       # of the solved runs, in seed order
    budget: int

    @property
    def share(self):
        """Share of the finished runs that solved; None before any finished."""
        return self.solved / self.finished if self.finished else None

    @property
    def median_steps(self):
        return float(np.median(self.steps_to_solve)) if self.steps_to_solve else None


def summarize(cfgs, outcomes):
    """One Row per (model, T) of ``cfgs``, from the ``outcomes`` ({cfg: Outcome}) finished so far."""
    rows = []
    for model in MODELS:
        for T in sorted({c.seq_len for c in cfgs}):
            mine = [c for c in cfgs if c.model == model and c.seq_len == T]
            if not mine:
                continue
            done = [outcomes[c] for c in mine if c in outcomes]
            solved = tuple(o.solved_at for o in done if o.solved_at is not None)
            rows.append(Row(model, T, len(mine), len(done), len(solved), solved, mine[0].steps))
    return rows
