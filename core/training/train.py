"""Live training: a fresh batch every step, BPTT, clipping, an optimizer step, and everything recorded.

    cfg = TrainConfig(model="lstm", task="adding", seq_len=20, steps=2000)
    history = train(cfg, on_step=None)    # on_step(step, history_so_far), e.g. for a progress bar

Each step: forward -> loss (on the task's mask) -> backward (truncated if cfg.truncate) -> global
gradient norm, before clipping -> clip -> update. Same config, same history, bit for bit.
"""
from dataclasses import dataclass

import numpy as np

from core.networks import lstm, rnn
from core.data import series as ts
from core.training.config import TrainConfig  # noqa: F401  (part of this module's API)
from core.training.optim import SGD, Adam, all_finite, clip
from core.training.probe import accuracy, loss_of, measure, model_of, run_forward
from core.training.solved import criterion, verdict
from core.data.tasks import SERIES, Batch, make_batch, task_info
from core.numerics.validate import as_array, whole

BATCH_STREAM, PROBE_STREAM = 1, 2    # seed the training batches and the probe batch independently


@dataclass(eq=False)
class History:
    config: TrainConfig
    loss: np.ndarray             # (steps,) each step's loss on its fresh batch, before its update
    grad_norm: np.ndarray        # (steps,) global gradient norm before clipping
    clipped: np.ndarray          # (steps,) bool: clipping changed the gradient
    accuracy: np.ndarray | None  # (steps,) classification tasks only
    probe_steps: np.ndarray      # (n_probes,) updates done when each probe was taken: 0, k, 2k, ..., end
    probe_loss: np.ndarray       # (n_probes,) loss on the fixed probe batch
    dh_norm: np.ndarray          # (n_probes, T) mean over the probe batch of ||dL/dh_t||
    dc_norm: np.ndarray          # (n_probes, T) the same for the cell state; NaN for the rnn
    spectral_radius: np.ndarray  # (n_probes,) of W_hh (rnn) or W_hf (lstm)
    sigma_max: np.ndarray        # (n_probes,) largest singular value of the same matrix
    forget_mean: np.ndarray      # (n_probes,) mean forget gate on the probe batch; NaN for the rnn
    params: dict                 # the final parameters
    stopped_at: int | None       # first step that could not be completed (non-finite), else None
    message: str                 # "Solved at step N of M.", "Not solved in N steps.", or why it stopped
    baseline: float | None
    task_kind: str
    scaler: ts.Scaler | None     # standardization of a series task, to show forecasts in its units
    solved_at: int | None = None  # steps done when the task's criterion was first met (core.training.solved)


PROBE_FIELDS = ("loss", "dh_norm", "dc_norm", "spectral_radius", "sigma_max", "forget_mean")


class _Recorder:
    """Preallocated per-step arrays and a list of probes, viewed as a History at any point."""

    def __init__(self, cfg, info, scaler):
        steps = cfg.steps
        self.cfg, self.info, self.scaler = cfg, info, scaler
        self.loss, self.grad_norm = np.full(steps, np.nan), np.full(steps, np.nan)
        self.clipped = np.zeros(steps, dtype=bool)
        self.acc = np.full(steps, np.nan) if info.kind == "classification" else None
        self.probe_steps, self.probes = [], []

    def history(self, steps, params, stopped_at=None, message="", solved_at=None):
        T = self.cfg.seq_len
        probes = {f: np.array([getattr(p, f) for p in self.probes], dtype=np.float64)
                  for f in PROBE_FIELDS}
        for f in ("dh_norm", "dc_norm"):
            probes[f] = probes[f].reshape(len(self.probes), T)
        return History(
            config=self.cfg, loss=self.loss[:steps], grad_norm=self.grad_norm[:steps],
            clipped=self.clipped[:steps], accuracy=None if self.acc is None else self.acc[:steps],
            probe_steps=np.array(self.probe_steps, dtype=int), probe_loss=probes["loss"],
            dh_norm=probes["dh_norm"], dc_norm=probes["dc_norm"],
            spectral_radius=probes["spectral_radius"], sigma_max=probes["sigma_max"],
            forget_mean=probes["forget_mean"], params=params, stopped_at=stopped_at,
            message=message, baseline=self.info.baseline, task_kind=self.info.kind,
            scaler=self.scaler, solved_at=solved_at)


def init_params(cfg, D, O):
    if cfg.model == "lstm":
        return lstm.init_params(D, cfg.hidden_size, O, seed=cfg.seed, weight_scale=cfg.weight_scale,
                                forget_bias=cfg.forget_bias)
    return rnn.init_params(D, cfg.hidden_size, O, seed=cfg.seed, weight_scale=cfg.weight_scale,
                           spectral_radius=cfg.spectral_radius or None)


def _setup(cfg, series):
    """(task info, draw(rng) -> Batch, scaler). A person's series is standardized once, here."""
    if cfg.task != SERIES:
        if series is not None:
            raise ValueError(f"series is only used with task='series'; the task is {cfg.task!r}")
        scaler = ts.vega_series(cfg.task)[1] if cfg.task in ("weather", "seattle_temps") else None
        return (task_info(cfg.task), lambda rng: make_batch(cfg.task, cfg.seq_len, cfg.batch_size, rng),
                scaler)
    if series is None:
        raise ValueError("task 'series' trains on your data: pass it as train(cfg, series=data), "
                         "data (N, D) with one row per time step")
    info = task_info(SERIES, series)
    if cfg.seq_len > info.max_seq_len:
        raise ValueError(f"Window length T must be at most {info.max_seq_len} for your data (it has "
                         f"{info.max_seq_len + 1} rows; a window needs T + 1); got {cfg.seq_len}")
    z, scaler = ts.standardize(series)
    T, B, ones = cfg.seq_len, cfg.batch_size, np.ones((cfg.seq_len, cfg.batch_size))
    return info, (lambda rng: Batch(*ts.windows(z, T, B, rng), ones, "regression")), scaler


def _stop_message(cfg, step, what):
    tips = ["turn on Gradient clipping: norm" if cfg.clip == "none"
            else f"clip harder (a Clipping threshold c below {cfg.clip_threshold:g})",
            f"lower the Learning rate η (now {cfg.lr:g})"]
    if cfg.model == "rnn" and cfg.spectral_radius > 1:
        tips.append(f"start with a smaller Initial spectral radius ρ(W_hh) (now {cfg.spectral_radius:g})")
    why = ("Already with the initial weights, signals grow at every time step until they overflow"
           if step == 0 else "The gradient exploded and the updates threw the weights too far")
    return f"Training stopped at step {step} of {cfg.steps}: {what}. {why}. Try: {'; '.join(tips)}."


def train(cfg, on_step=None, series=None):
    """Train per ``cfg`` and return a :class:`History`; ``series (N, D)`` is the data of task "series"."""
    info, draw, scaler = _setup(cfg, series)
    rng = np.random.default_rng([cfg.seed, BATCH_STREAM])
    probe_batch = draw(np.random.default_rng([cfg.seed, PROBE_STREAM]))
    params = init_params(cfg, info.input_size, info.output_size)
    opt = (Adam(params, lr=cfg.lr) if cfg.optimizer == "adam"
           else SGD(params, lr=cfg.lr, momentum=cfg.momentum))
    backward, truncate = model_of(cfg).backward, cfg.truncate or None
    recorder = _Recorder(cfg, info, scaler)
    crit = criterion(cfg.task, info.baseline)

    def probe(step):
        recorder.probe_steps.append(step)
        recorder.probes.append(measure(cfg, params, probe_batch))

    for step in range(cfg.steps):
        if step % cfg.probe_every == 0:
            probe(step)
        batch = draw(rng)
        trace = run_forward(cfg, params, batch.x)
        loss, dy = loss_of(batch, trace.y)
        if trace.nonfinite_step is not None or not np.isfinite(loss):
            where = "" if trace.nonfinite_step is None else \
                f" (the hidden state overflowed at time step {trace.nonfinite_step})"
            return _stop(recorder, cfg, step, params, probe, f"the loss became infinite or NaN{where}")
        grads = backward(params, trace, dy, truncate=truncate).params
        if not all_finite(grads):           # a finite gradient always has a finite norm (global_norm)
            return _stop(recorder, cfg, step, params, probe, "the gradient became infinite or NaN")
        step_grads, norm, clipped = clip(grads, cfg.clip, cfg.clip_threshold)
        before = {name: p.copy() for name, p in params.items()}           # to undo an update that overflows
        with np.errstate(over="ignore", invalid="ignore"):
            opt.step(params, step_grads)
        if not all(np.isfinite(v).all() for v in params.values()):
            params.update(before)
            return _stop(recorder, cfg, step, params, probe, "the update made the weights infinite")
        recorder.loss[step], recorder.grad_norm[step], recorder.clipped[step] = loss, norm, clipped
        if recorder.acc is not None:
            recorder.acc[step] = accuracy(batch, trace.y)
        if on_step is not None:
            on_step(step, recorder.history(step + 1, params))
        if crit is not None and crit.met(recorder.loss, recorder.acc, step + 1):   # solved: stop here
            probe(step + 1)
            return recorder.history(step + 1, params, message=verdict(step + 1, step + 1, cfg.steps),
                                    solved_at=step + 1)
    probe(cfg.steps)
    return recorder.history(cfg.steps, params,
                            message=verdict(None, cfg.steps, cfg.steps, crit is not None))


def _stop(recorder, cfg, step, params, probe, what):
    """Stop cleanly: the steps done so far, a last probe of the weights as they are, and the reason."""
    if not recorder.probe_steps or recorder.probe_steps[-1] != step:
        probe(step)
    return recorder.history(step, params, stopped_at=step, message=_stop_message(cfg, step, what))


def predict(cfg, params, x):
    """The model's outputs for ``x (T, D)`` -> ``(T, O)``, or ``(T, B, D)`` -> ``(T, B, O)``: the
    next-step predictions of a series task, the class scores (logits) of a classification task."""
    x = np.asarray(x, dtype=np.float64)
    one = x.ndim == 2
    y = run_forward(cfg, params, x[:, None, :] if one else x).y
    return y[:, 0] if one else y


def forecast(cfg, params, context, horizon):
    """Run over ``context (T, D)``, then feed each prediction back as the next input ``horizon`` times:
    ``(horizon, D)``. Only for next-step tasks, whose outputs are their next inputs (O = D)."""
    whole("horizon", horizon, 1)
    context = as_array("context", context, 2)[:, None, :]                   # (T, 1, D)
    trace = run_forward(cfg, params, context)
    if trace.y.shape[2] != context.shape[2]:
        raise ValueError("forecast needs a next-step task, whose outputs are its inputs (O = D)")
    state = (trace.h[-1], trace.c[-1]) if cfg.model == "lstm" else (trace.h[-1],)
    x, out = trace.y[-1:], []
    for _ in range(horizon):
        out.append(x[0, 0])
        trace = run_forward(cfg, params, x, *state)
        state = (trace.h[-1], trace.c[-1]) if cfg.model == "lstm" else (trace.h[-1],)
        x = trace.y
    return np.array(out)                                                    # (horizon, D)

