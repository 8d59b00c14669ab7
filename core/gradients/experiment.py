"""One forward and backward pass of an untrained network, set up by a handful of scalars.

``GradientSetup`` is one run's key: the cache key and the argument of ``run``; each page's settings
(core.gradients.settings, the URL schema) give it by ``setup_of``. ``run`` returns everything those
pages draw.
"""
from dataclasses import dataclass, fields

import numpy as np

from core.numerics.validate import norm
from core.networks import lstm, rnn
from core.data import tasks
from core.gradients import theory
from core.gradients.settings import setting, validate
from core.training.losses import mse, softmax, softmax_cross_entropy
from core.training.optim import clip, global_norm


@dataclass(frozen=True)
class GradientSetup:
    """One run's settings, in the family of core.gradients.settings (labels in its messages)."""
    model: str = setting("rnn", "Model", options=("rnn", "lstm"))
    task: str = setting("sine", "Input sequences", options=tasks.TASKS)
    activation: str = setting("tanh", "Activation φ", options=rnn.ACTIVATIONS)       # rnn only
    seq_len: int = setting(100, "Sequence length T", (2, None))
    hidden_size: int = setting(32, "Hidden units H", (1, None))
    batch_size: int = setting(8, "Sequences in the batch B", (1, None))
    spectral_radius: float = setting(0.9, "Spectral radius ρ(W_hh)", (0.0, None, "open"))  # rnn
    w_hh: str = setting("orthogonal", "Recurrent matrix W_hh", options=("orthogonal", "gaussian"))
    weight_scale: float = setting(1.0, "Weight scale", (0.0, None, "open"))            # lstm
    forget_bias: float = setting(0.0, "Forget-gate bias b_f")                          # lstm
    loss_at: str = setting("last", "Where the loss sits", options=("last", "every"))
    truncate: int = setting(0, "Truncate BPTT every k steps (0 = never)", (0, None))
    clip: str = setting("none", "Gradient clipping", options=("none", "norm", "value"))
    clip_threshold: float = setting(1.0, "Clipping threshold c", (0.0, None, "open"))
    seed: int = setting(0, "Random seed", (0, None))

    def __post_init__(self):
        validate(self)

    @classmethod
    def keys(cls):
        return tuple(f.name for f in fields(cls))


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
                                 spectral_radius=s.spectral_radius, orthogonal=s.w_hh == "orthogonal")
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


_RNN_ONLY, _LSTM_ONLY = ("activation", "spectral_radius", "w_hh"), ("forget_bias", "weight_scale")


def setup_of(page_settings, model):
    """The GradientSetup of a page's settings (core.gradients.settings) for ``model``: the fields
    they share; the other model's fields keep their defaults, so equal runs share one cache entry."""
    skip = _LSTM_ONLY if model == "rnn" else _RNN_ONLY
    kw = {f.name: getattr(page_settings, f.name) for f in fields(page_settings)
          if f.name in GradientSetup.keys() and f.name not in skip}
    return GradientSetup(model=model, **kw)
