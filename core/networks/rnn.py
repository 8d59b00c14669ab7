"""A vanilla RNN, forward and backward through time, recording every state and gradient.

    h_t = act(x_t W_xh + h_{t-1} W_hh + b_h)        x_t (B, D), h_t (B, H)
    y_t = h_t W_hq + b_q                            y_t (B, O)

Row-vector convention and time-major arrays: ``x (T, B, D)``, ``h (T, B, H)``, ``y (T, B, O)``.
"""
from dataclasses import dataclass

import numpy as np

from core.numerics.blas import single_thread
from core.networks.bptt import WeightGrads, linked
from core.networks.overlap import chunk_steps, chunks, flat, overlapped
from core.networks.init import recurrent_matrix
from core.numerics.validate import (check_params, check_sequence, check_state, check_truncate,
                           first_nonfinite_step)

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear")


def _act_(name, a):
    """Apply the activation to ``a`` in place."""
    if name == "tanh":
        np.tanh(a, out=a)
    elif name == "sigmoid":
        sigmoid_(a)
    elif name == "relu":
        np.maximum(a, 0.0, out=a)
    # linear: nothing to do


def act_grad(name, h, out):
    """out <- act'(a), written through the output h = act(a) so that no pre-activation is kept;
    returns ``out``."""
    if name == "tanh":                       # 1 - h^2
        np.multiply(h, h, out=out)
        np.subtract(1.0, out, out=out)
    elif name == "sigmoid":                  # h (1 - h)
        np.subtract(1.0, h, out=out)
        out *= h
    elif name == "relu":                     # 1 where h > 0
        np.greater(h, 0.0, out=out)
    else:                                    # linear
        out.fill(1.0)
    return out


def sigmoid_(a):
    """In-place logistic sigmoid 1 / (1 + exp(-a)); exp(-a) = inf for a < -709 gives the right 0."""
    with np.errstate(over="ignore"):
        np.negative(a, out=a)
        np.exp(a, out=a)
    a += 1.0
    np.reciprocal(a, out=a)
    return a


def check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    return activation


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
    D, H, O = _check_sizes(input_size, hidden_size, output_size)
    rng = np.random.default_rng(seed)
    return {
        "W_xh": rng.standard_normal((D, H)) * weight_scale / np.sqrt(D),
        "W_hh": recurrent_matrix(rng, H, weight_scale=weight_scale,
                                 spectral_radius=spectral_radius, orthogonal=orthogonal),
        "b_h": np.zeros(H),
        "W_hq": rng.standard_normal((H, O)) * weight_scale / np.sqrt(H),
        "b_q": np.zeros(O),
    }


def _check_sizes(*sizes):
    names = ("input_size", "hidden_size", "output_size")
    for name, n in zip(names, sizes):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a whole number >= 1; got {n!r}")
    return tuple(int(n) for n in sizes)


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

    h = np.empty((T, B, H))
    y = np.empty((T, B, O))

    def project_inputs(_, t0, t1):                  # x_t W_xh + b_h, into h, for a chunk of steps
        np.matmul(flat(x, t0, t1), p["W_xh"], out=flat(h, t0, t1))
        h[t0:t1] += p["b_h"]

    def outputs(_, t0, t1):                         # y_t = h_t W_hq + b_q
        np.matmul(flat(h, t0, t1), p["W_hq"], out=flat(y, t0, t1))
        y[t0:t1] += p["b_q"]

    W_hh = p["W_hh"]
    rec = np.empty((B, H))
    h_prev = h0
    spans = chunks(T, chunk_steps(T, B * H * 8))
    with single_thread(), np.errstate(all="ignore"):
        for _, t0, t1 in overlapped(spans, project_inputs, outputs, elements=T * B * H):
            for t in range(t0, t1):
                np.matmul(h_prev, W_hh, out=rec)
                h_t = h[t]
                h_t += rec
                _act_(activation, h_t)
                h_prev = h_t
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

    dh = np.empty((T, B, H))                         # (T, B, H) total dL/dh_t
    acc = WeightGrads(x, trace.h0, h, dy, p["W_xh"], H)
    size = chunk_steps(T, B * H * 8)
    spans = chunks(T, size, reverse=True)
    # act'(a_t), then overwritten by da_t in the loop; two chunks' worth (the loop's and the
    # worker's) when there is more than one chunk.
    da_bufs = np.empty((min(2, len(spans)), size, B, H))

    def prepare(k, t0, t1):
        # backprop into h_t through y_t, and the local derivative act'(a_t): no dL/dh_t needed yet
        np.matmul(flat(dy, t0, t1), p["W_hq"].T, out=flat(dh, t0, t1))
        act_grad(trace.activation, h[t0:t1], out=da_bufs[k % len(da_bufs), :t1 - t0])

    def weight_grads(k, t0, t1):
        acc.add(da_bufs[k % len(da_bufs)], t0, t1)

    W_hh_T = np.ascontiguousarray(p["W_hh"].T)
    rec = np.empty((B, H))
    da_next = None                                  # da_{t+1} (B, H)
    with single_thread(), np.errstate(all="ignore"):
        for k, t0, t1 in overlapped(spans, prepare, weight_grads, elements=T * B * H):
            da = da_bufs[k % len(da_bufs)]
            for t in range(t1 - 1, t0 - 1, -1):
                if linked(t, T, k_trunc):           # backprop into h_t through step t+1
                    np.matmul(da_next, W_hh_T, out=rec)
                    dh[t] += rec
                da_next = da[t - t0]
                da_next *= dh[t]                    # da_t = dL/dh_t * act'(a_t)
        dh0 = da_next @ W_hh_T                      # da_0 W_hh^T
    grads = {"W_xh": acc.dW_x, "W_hh": acc.dW_h, "b_h": acc.db, "W_hq": acc.dW_hq, "b_q": acc.db_q}
    dx = acc.dx
    return Grads(params=grads, dh=dh, dx=dx, dh0=dh0,
                 nonfinite_step=first_nonfinite_step(dh, reverse=True))
