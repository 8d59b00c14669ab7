"""The settings of one training run: a frozen dataclass of plain scalars that is at once the argument
of ``train``, the cache key and the URL schema. Every field is checked when the object is built.

Its defaults are the Training lab's defaults (ui/controls/training.py reads them). They are chosen so
the lab shows the long lag: with only task = adding and T = 100 changed, the LSTM solves the adding
problem for most seeds and the tanh RNN for none (bench/bench_longlag.py measures it). What matters:
b_f = 3 opens the forget gates (f ~ 0.95), so the cell path carries the gradient back 100 steps
(the gradient reaching t = 10 over the one at t = 99 is ~0.3 at the start, against 7e-4 at b_f = 1);
Adam at 1e-3 with norm clipping at 1 keeps the first large updates from undoing that (2e-3 and
above solved fewer seeds); H = 32 solved as many seeds as 64 at T = 100, in fewer steps (1809 and
2233 against 2322 and 2553), each step about twice as fast: a class sees the LSTM solve it in about
15 s instead of 45 s."""
import math
from dataclasses import dataclass, fields

import numpy as np

from core.data import tasks
from core.networks.rnn import ACTIVATIONS
from core.numerics.validate import whole
from core.training.optim import CLIPS

MODELS = ("rnn", "lstm")
OPTIMIZERS = ("adam", "sgd")

# field: (lowest, highest) for numbers; "open" lows exclude the bound (a learning rate of 0 learns nothing)
WHOLE = {"seq_len": (2, 2000), "hidden_size": (1, 512), "batch_size": (1, 1024),
         "steps": (1, 100_000), "truncate": (0, 2000), "probe_every": (1, 100_000),
         "seed": (0, 2**32 - 1)}
REAL = {"lr": (0.0, 10.0, "open"), "momentum": (0.0, 0.999, "closed"),
        "clip_threshold": (0.0, 1e6, "open"), "forget_bias": (-10.0, 10.0, "closed"),
        "spectral_radius": (0.0, 10.0, "closed"), "weight_scale": (0.0, 10.0, "open")}
CHOICES = {"model": MODELS, "optimizer": OPTIMIZERS, "clip": CLIPS, "activation": ACTIVATIONS,
           "task": tasks.TASKS + (tasks.SERIES,)}


@dataclass(frozen=True)
class TrainConfig:
    model: str = "lstm"
    task: str = "adding"
    seq_len: int = 20
    hidden_size: int = 32          # enough for the long lag, and twice as fast a step as 64
    batch_size: int = 32
    steps: int = 3000              # a budget: a run stops once solved (core.training.solved)
    lr: float = 1e-3
    optimizer: str = "adam"
    momentum: float = 0.0          # sgd only
    clip: str = "norm"
    clip_threshold: float = 1.0
    truncate: int = 0              # 0: full BPTT; k: no gradient crosses steps k, 2k, ...
    activation: str = "tanh"       # rnn only
    forget_bias: float = 3.0       # lstm only: b_f at the start; 3 opens the forget gates (f ~ 0.95)
    spectral_radius: float = 0.0   # rnn only: 0 keeps the plain init, r > 0 sets max |eig W_hh| = r
    weight_scale: float = 1.0
    probe_every: int = 50          # steps between measurements on the fixed probe batch
    seed: int = 0

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (np.integer, np.floating)):     # e.g. from a NumPy slider range
                value = value.item()
            if f.name in CHOICES:
                _choice(f.name, value, CHOICES[f.name])
            elif f.name in WHOLE:
                whole(f.name, value, *WHOLE[f.name])
            else:
                _real(f.name, value, *REAL[f.name])
                value = float(value)                             # lr=1 and lr=1.0: one cache key
            object.__setattr__(self, f.name, value)              # plain Python scalars only
        if self.task != tasks.SERIES:        # a person's series is checked when it is given
            tasks.check_seq_len(self.task, self.seq_len)


def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")


def _real(name, value, lo, hi, low_end):
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if not ok or value > hi or value < lo or (low_end == "open" and value == lo):
        above = f"above {lo}" if low_end == "open" else f"from {lo}"
        raise ValueError(f"{name} must be a number {above} up to {hi}; got {value!r}")
