"""What training measures now and then on one fixed probe batch: how far the gradient reaches back in
time, the size of the recurrent weights, and how open the LSTM's forget gates are."""
from dataclasses import dataclass

import numpy as np

from core.numerics.validate import norm
from core.networks import lstm, rnn
from core.training.losses import mse, softmax_cross_entropy
from core.gradients.theory import spectrum


def model_of(cfg):
    return lstm if cfg.model == "lstm" else rnn


def run_forward(cfg, params, x, h0=None, c0=None):
    if cfg.model == "lstm":
        return lstm.forward(params, x, h0, c0)
    return rnn.forward(params, x, h0, activation=cfg.activation)


def loss_of(batch, y):
    """(loss, dy) with the task's loss: MSE for regression, softmax cross-entropy for classes."""
    if batch.kind == "classification":
        return softmax_cross_entropy(y, batch.target, batch.mask)
    return mse(y, batch.target, batch.mask)


def accuracy(batch, y):
    """Fraction of the masked steps whose largest output is the right class."""
    hits = np.argmax(y, axis=2) == batch.target                 # (T, B)
    return float((hits * batch.mask).sum() / batch.mask.sum())


@dataclass(frozen=True)
class Probe:
    loss: float
    dh_norm: np.ndarray          # (T,) mean over the batch of ||dL/dh_t||
    dc_norm: np.ndarray          # (T,) the same for the LSTM's cell state; NaN for the RNN
    spectral_radius: float       # of W_hh (rnn) or W_hf (lstm)
    sigma_max: float
    forget_mean: float           # mean f_t over the batch, steps and units; NaN for the RNN


def measure(cfg, params, batch):
    """One forward and backward pass on ``batch`` with the training's own loss and truncation.

    The LSTM's recurrent weights [W_hi W_hf W_ho W_hg] are (H, 4H), not square: its spectrum is that of
    W_hf, the matrix through which h_{t-1} sets the forget gate."""
    trace = run_forward(cfg, params, batch.x)
    loss, dy = loss_of(batch, trace.y)
    grads = model_of(cfg).backward(params, trace, dy, truncate=cfg.truncate or None)
    with np.errstate(all="ignore"):
        dh_norm = norm(grads.dh, axis=2).mean(axis=1)
        dc_norm = (norm(grads.dc, axis=2).mean(axis=1) if cfg.model == "lstm"
                   else np.full(len(dh_norm), np.nan))
        forget = float(trace.f.mean()) if cfg.model == "lstm" else np.nan
    W = params["W_hf"] if cfg.model == "lstm" else params["W_hh"]
    if np.isfinite(W).all():
        spec = spectrum(W, "sigmoid" if cfg.model == "lstm" else cfg.activation)
        rho, sigma = spec.spectral_radius, spec.sigma_max
    else:
        rho = sigma = np.nan
    return Probe(loss, dh_norm, dc_norm, rho, sigma, forget)
