"""A vanilla RNN, forward and backward through time, recording every state and gradient.

    h_t = act(x_t W_xh + h_{t-1} W_hh + b_h)        x_t (B, D), h_t (B, H)
    y_t = h_t W_hq + b_q                            y_t (B, O)

Row-vector convention and time-major arrays: ``x (T, B, D)``, ``h (T, B, H)``, ``y (T, B, O)``.
"""
from dataclasses import dataclass

import numpy as np

from core.networks.activations import ACTIVATIONS, act_, act_grad, check_activation  # noqa: F401
from core.networks.bptt import WeightGrads, linked
from core.networks.chunks import chunk_steps, chunks, flat, with_ones
from core.networks.init import check_sizes, recurrent_matrix
from core.numerics import memory
from core.numerics.blas import single_thread
from core.numerics.validate import (check_params, check_sequence, check_state, check_truncate,
                           first_nonfinite_step)

def param_shapes(input_size, hidden_size, output_size):
    D, H, O = input_size, hidden_size, output_size
    return {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, O), "b_q": (O,)}


def init_params(input_size, hidden_size, output_size, *, seed=0, weight_scale=1.0,
                spectral_radius=None, orthogonal=False):
    """Random parameters, reproducible by ``seed``.

    Input and output weights are N(0, weight_scale^2 / fan_in). ``W_hh`` is N(0, weight_scale^2 / H)
    (spectral radius close to ``weight_scale``), or orthogonal times ``weight_scale``, and with
    ``spectral_radius=r`` it is rescaled so that its largest |eigenvalue| is exactly r. Biases are zero.
    """
    D, H, O = check_sizes(input_size, hidden_size, output_size)
    rng = np.random.default_rng(seed)
    return {
        "W_xh": rng.standard_normal((D, H)) * weight_scale / np.sqrt(D),
        "W_hh": recurrent_matrix(rng, H, weight_scale=weight_scale,
                                 spectral_radius=spectral_radius, orthogonal=orthogonal),
        "b_h": np.zeros(H),
        "W_hq": rng.standard_normal((H, O)) * weight_scale / np.sqrt(H),
        "b_q": np.zeros(O),
    }


def _sizes(params):
    """(D, H, O) read off the parameters, validating them on the way."""
    try:
        D, H = np.shape(params["W_xh"])
        O = np.shape(params["W_hq"])[1]
    except (KeyError, ValueError, IndexError):
        raise ValueError("params must hold W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, O), b_q (O,); "
                         "build them with core.networks.rnn.init_params") from None
    return D, H, O


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything the forward pass computed; ``backward`` needs nothing else.

    ``nonfinite_step`` is the first t at which h_t held NaN or inf (None when all is finite).
    """
    x: np.ndarray        # (T, B, D)
    h0: np.ndarray       # (B, H)
    h: np.ndarray        # (T, B, H)
    y: np.ndarray        # (T, B, O)
    activation: str
    nonfinite_step: int | None


@dataclass(frozen=True, eq=False)
class Grads:
    """Gradients of the loss. ``dh[t]`` is the total dL/dh_t: through y_t and through every later step
    that truncation lets it reach. ``nonfinite_step`` is the last t (the first reached going backward)
    at which dL/dh_t held NaN or inf."""
    params: dict         # same keys and shapes as the parameters
    dh: np.ndarray       # (T, B, H)
    dx: np.ndarray       # (T, B, D)
    dh0: np.ndarray      # (B, H)
    nonfinite_step: int | None


def forward(params, x, h0=None, *, activation="tanh"):
    """Run the RNN over ``x (T, B, D)`` and return a :class:`Trace`."""
    check_activation(activation)
    D, H, O = _sizes(params)
    p = check_params(params, param_shapes(D, H, O))
    x = check_sequence(x, D)
    T, B, _ = x.shape
    h0 = check_state("h0", h0, B, H)

    h = memory.empty((T, B, H))
    y = np.empty((T, B, O))
    x1 = with_ones(x)                   # [x_t 1] [W_xh; b_h] = x_t W_xh + b_h
    W_xb = np.vstack([p["W_xh"], p["b_h"]])
    W_hh = p["W_hh"]
    rec = np.empty((B, H))
    h_prev = h0
    with single_thread(), np.errstate(all="ignore"):
        for t0, t1 in chunks(T, chunk_steps(T, B * H * 8)):
            np.matmul(flat(x1, t0, t1), W_xb, out=flat(h, t0, t1))   # x_t W_xh + b_h, into h
            for t in range(t0, t1):
                np.matmul(h_prev, W_hh, out=rec)
                h_t = h[t]
                h_t += rec
                act_(activation, h_t)
                h_prev = h_t
            np.matmul(flat(h, t0, t1), p["W_hq"], out=flat(y, t0, t1))   # y_t = h_t W_hq + b_q
        y += p["b_q"]
    return Trace(x=x, h0=h0, h=h, y=y, activation=activation,
                 nonfinite_step=first_nonfinite_step(h))


def backward(params, trace, dy, *, truncate=None):
    """Backpropagation through time from ``dy = dL/dy (T, B, O)``; returns :class:`Grads`.

        dL/dh_t = dy_t W_hq^T + da_{t+1} W_hh^T       (second term absent at T-1 and at cut points)
        da_t    = dL/dh_t * act'(a_t)                 a_t is the pre-activation
        dW_hh = sum_t h_{t-1}^T da_t,  dW_xh = sum_t x_t^T da_t,  db_h = sum_t da_t
        dW_hq = sum_t h_t^T dy_t,      db_q = sum_t dy_t

    ``truncate=k`` detaches the state entering steps k, 2k, ...: no gradient crosses those boundaries,
    while every step still contributes its own term to the weight gradients.
    """
    D, H, O = _sizes(params)
    p = check_params(params, param_shapes(D, H, O))
    k_trunc = check_truncate(truncate)
    x, h = trace.x, trace.h
    T, B, _ = h.shape
    dy = np.ascontiguousarray(dy, dtype=np.float64)
    if dy.shape != (T, B, O):
        raise ValueError(f"dy must have the shape of y, {(T, B, O)}; got {dy.shape}")

    dh = memory.empty((T, B, H))                    # (T, B, H) total dL/dh_t
    acc = WeightGrads(with_ones(x), trace.h0, h, dy, p["W_xh"], H)
    size = chunk_steps(T, B * H * 8)
    da = np.empty((size, B, H))                     # act'(a_t) for a chunk, then da_t in the loop
    W_hh_T = np.ascontiguousarray(p["W_hh"].T)
    rec = np.empty((B, H))
    da_next = None                                  # da_{t+1} (B, H)
    with single_thread(), np.errstate(all="ignore"):
        for t0, t1 in chunks(T, size, reverse=True):
            # backprop into h_t through y_t, and the local derivative act'(a_t): no dL/dh_t needed yet
            np.matmul(flat(dy, t0, t1), p["W_hq"].T, out=flat(dh, t0, t1))
            act_grad(trace.activation, h[t0:t1], out=da[:t1 - t0])
            for t in range(t1 - 1, t0 - 1, -1):
                if linked(t, T, k_trunc):           # backprop into h_t through step t+1
                    np.matmul(da_next, W_hh_T, out=rec)
                    dh[t] += rec
                da_next = da[t - t0]
                da_next *= dh[t]                    # da_t = dL/dh_t * act'(a_t)
            acc.add(da, t0, t1)
            da_next = da_next.copy()                # the next chunk's act'(a_t) overwrites da
        dh0 = da_next @ W_hh_T                      # da_0 W_hh^T
    grads = {"W_xh": acc.dW_x[:D], "W_hh": acc.dW_h, "b_h": acc.dW_x[D], "W_hq": acc.dW_hq,
             "b_q": acc.db_q}
    return Grads(params=grads, dh=dh, dx=acc.dx, dh0=dh0,
                 nonfinite_step=first_nonfinite_step(dh, reverse=True))
