"""One forward and backward pass of an untrained network, set up by a handful of scalars.

``GradientSetup`` is the single source of the settings of the gradient pages: the cache key, the URL
schema and the argument of ``run``. ``run`` returns everything those pages draw.
"""
from dataclasses import dataclass, fields

import numpy as np

from core.numerics.validate import norm, whole
from core.networks import lstm, rnn
from core.data import tasks
from core.gradients import theory
from core.training.losses import mse, softmax, softmax_cross_entropy
from core.training.optim import clip, global_norm


@dataclass(frozen=True)
class GradientSetup:
    model: str = "rnn"              # rnn | lstm
    task: str = "sine"              # input sequences, see core.data.tasks
    activation: str = "tanh"        # rnn only
    seq_len: int = 100              # T
    hidden_size: int = 32           # H
    batch_size: int = 8             # B
    spectral_radius: float = 0.9    # rnn: exact max |eigenvalue| of W_hh
    weight_scale: float = 1.0       # lstm: scale of every weight matrix
    forget_bias: float = 0.0        # lstm: b_f
    loss_at: str = "last"           # last | every
    truncate: int = 0               # 0: full BPTT; k: detach the state every k steps
    clip: str = "none"              # none | norm | value
    clip_threshold: float = 1.0
    seed: int = 0

    def __post_init__(self):
        _one_of("model", self.model, ("rnn", "lstm"))
        _one_of("task", self.task, tasks.TASKS)
        _one_of("activation", self.activation, rnn.ACTIVATIONS)
        _one_of("loss_at", self.loss_at, ("last", "every"))
        _one_of("clip", self.clip, ("none", "norm", "value"))
        for name, low in (("seq_len", 2), ("hidden_size", 1), ("batch_size", 1), ("truncate", 0),
                          ("seed", 0)):
            whole(name, getattr(self, name), low)
        for name in ("spectral_radius", "weight_scale", "clip_threshold"):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number; got {value!r}")
        if not np.isfinite(self.forget_bias):
            raise ValueError(f"forget_bias must be a finite number; got {self.forget_bias!r}")

    @classmethod
    def keys(cls):
        return tuple(f.name for f in fields(cls))


def _one_of(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)}; got {value!r}")


@dataclass(frozen=True, eq=False)
class GradientRun:
    setup: GradientSetup
    params: dict
    batch: object                   # core.data.tasks.Batch: x (T, B, D), target, mask
    trace: object                   # core.networks.rnn.Trace or core.networks.lstm.Trace
    grads: object                   # core.networks.rnn.Grads or core.networks.lstm.Grads
    loss: float
    dh_norm: np.ndarray             # (B, T) ||dL/dh_t|| per sequence
    dc_norm: np.ndarray | None      # (B, T) ||dL/dc_t||, lstm only
    spectrum: theory.Spectrum | None    # rnn only
    grad_norm: float                # global norm of the parameter gradient, before clipping
    clipped_norm: float             # the same after clipping


def run(setup: GradientSetup) -> GradientRun:
    """Build the network, run one batch forward and backward, and measure what the pages show."""
    s = setup
    batch = tasks.make_batch(s.task, s.seq_len, s.batch_size, np.random.default_rng(s.seed))
    info = tasks.task_info(s.task)
    if s.model == "rnn":
        params = rnn.init_params(info.input_size, s.hidden_size, info.output_size, seed=s.seed,
                                 spectral_radius=s.spectral_radius)
        trace = rnn.forward(params, batch.x, activation=s.activation)
    else:
        params = lstm.init_params(info.input_size, s.hidden_size, info.output_size, seed=s.seed,
                                  weight_scale=s.weight_scale, forget_bias=s.forget_bias)
        trace = lstm.forward(params, batch.x)
    mask = _loss_mask(s, batch)
    if batch.kind == "classification":
        loss, dy = softmax_cross_entropy(trace.y, batch.target, mask)
    else:
        loss, dy = mse(trace.y, batch.target, mask)
    model = rnn if s.model == "rnn" else lstm
    grads = model.backward(params, trace, dy, truncate=s.truncate or None)
    with np.errstate(all="ignore"):
        dh_norm = norm(grads.dh, axis=2).T
        dc_norm = norm(grads.dc, axis=2).T if s.model == "lstm" else None
    applied, total, _ = clip(grads.params, s.clip, s.clip_threshold)
    clipped_norm = global_norm(applied)
    return GradientRun(setup=s, params=params, batch=batch, trace=trace, grads=grads, loss=loss,
                       dh_norm=dh_norm, dc_norm=dc_norm,
                       spectrum=theory.spectrum(params["W_hh"], s.activation) if s.model == "rnn" else None,
                       grad_norm=total, clipped_norm=clipped_norm)


def _loss_mask(s, batch):
    """Where the loss sits: the task's own steps, or only the last one."""
    if s.loss_at == "every" and batch.mask.all():
        return batch.mask
    mask = np.zeros_like(batch.mask)
    mask[-1] = 1.0
    return mask


def transport(run_: GradientRun, sequence=0, max_rows=100):
    """The transport matrix ||dL_s/dh_t|| of one sequence of the batch, at most ``max_rows`` loss
    steps (evenly spaced, always including the last), as core.gradients.theory.transport computes it."""
    s = run_.setup
    T = s.seq_len
    steps = np.unique(np.linspace(0, T - 1, min(T, max_rows)).round().astype(int))
    y = run_.trace.y[:, sequence]
    batch = run_.batch
    if batch.kind == "classification":
        # dL_s/dy_s for a cross-entropy loss at step s: softmax(y_s) - onehot(label_s)
        dy = softmax(y, axis=1)
        dy[np.arange(T), batch.target[:, sequence]] -= 1.0
    else:
        dy = 2.0 * (y - batch.target[:, sequence]) / y.shape[1]
    return theory.transport(s.model, run_.params, batch.x[:, sequence], dy, activation=s.activation,
                            loss_steps=steps, truncate=s.truncate or None)
