"""What a teacher draws on the board, computed from the live model.

Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural networks": for
h_t = act(x_t W_xh + h_{t-1} W_hh + b_h), the Jacobian of one step is diag(act'(a_t)) W_hh^T, so

    || dh_s / dh_t ||  <=  (gamma * sigma_max(W_hh)) ** (s - t),      gamma = max |act'|

(gamma = 1 for tanh, relu and linear; 1/4 for sigmoid). If sigma_max < 1/gamma the gradient must
vanish geometrically; if the spectral radius exceeds 1/gamma it can explode.
"""
from dataclasses import dataclass

import numpy as np

from core.numerics.validate import norm
from core.networks import lstm, rnn
from core.numerics.blas import single_thread
from core.networks.bptt import linked
from core.networks.init import spectral_radius_of

GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "linear": 1.0}


@dataclass(frozen=True)
class Spectrum:
    spectral_radius: float          # max |eigenvalue| of W_hh
    sigma_max: float                # largest singular value of W_hh
    gamma: float                    # max |act'|
    threshold: float                # 1 / gamma: sigma_max below it guarantees vanishing

    @property
    def rate(self):
        """gamma * sigma_max: the per-step factor of the bound."""
        return self.gamma * self.sigma_max


def spectrum(W_hh, activation="tanh"):
    W_hh = np.asarray(W_hh, dtype=np.float64)
    rnn.check_activation(activation)
    with single_thread():
        rho, sigma = spectral_radius_of(W_hh), float(np.linalg.norm(W_hh, 2))
    return Spectrum(spectral_radius=rho, sigma_max=sigma, gamma=GAMMA[activation],
                    threshold=1.0 / GAMMA[activation])


def bound(spec, T, s=None):
    """(gamma sigma_max)^(s - t) for t = 0..T-1 (s = T-1 by default); NaN after s.

    Multiplied by ||dL/dh_s||, it bounds ||dL/dh_t|| for a loss at step s alone.
    """
    s = T - 1 if s is None else s
    t = np.arange(T)
    with np.errstate(over="ignore", divide="ignore"):
        out = np.power(spec.rate, (s - t).astype(np.float64))
    out[t > s] = np.nan
    return out


@dataclass(frozen=True)
class Transport:
    """``dh_norm[j, t] = ||dL_s / dh_t||`` for loss step s = ``loss_steps[j]``: how much of the loss at
    step s reaches the state at step t. Zero for t > s (a later state cannot change an earlier loss).
    For the LSTM, ``dc_norm`` is the same for the cell state."""
    loss_steps: np.ndarray          # (S,)
    dh_norm: np.ndarray             # (S, T)
    dc_norm: np.ndarray | None      # (S, T), LSTM only


def transport(model, params, x, dy, *, activation="tanh", loss_steps=None, truncate=None):
    """The gradient transport matrix of one sequence.

    ``x (T, D)`` is the sequence, ``dy (T, O)`` the gradient of each step's loss with respect to its
    output. Each loss step s gets its own row: the backward pass of a loss at step s alone. The RNN
    carries all rows back together through one forward pass (``_rnn_rows``); the LSTM gives each loss
    step its own copy of the sequence in the batch, with dy at that step only, so one batched
    backward pass computes every row at once.
    """
    x = np.asarray(x, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    if x.ndim != 2 or dy.ndim != 2 or len(x) != len(dy):
        raise ValueError(f"x must be (T, D) and dy (T, O) for one sequence; got {x.shape} and {dy.shape}")
    T = len(x)
    steps = np.arange(T) if loss_steps is None else np.asarray(loss_steps, dtype=int)
    if steps.ndim != 1 or len(steps) == 0 or steps.min() < 0 or steps.max() >= T:
        raise ValueError(f"loss_steps must be steps in [0, {T - 1}]; got {loss_steps!r}")
    if model == "rnn":
        return Transport(loss_steps=steps, dh_norm=_rnn_rows(params, x, dy, steps, activation, truncate),
                         dc_norm=None)
    if model != "lstm":
        raise ValueError(f"model must be 'rnn' or 'lstm'; got {model!r}")
    S = len(steps)
    xs = np.broadcast_to(x[:, None, :], (T, S, x.shape[1]))            # (T, S, D)
    dys = np.zeros((T, S, dy.shape[1]))                                 # (T, S, O)
    dys[steps, np.arange(S)] = dy[steps]
    g = lstm.backward(params, lstm.forward(params, xs), dys, truncate=truncate)
    with np.errstate(all="ignore"):         # an overflowed gradient has an inf norm: that is the answer
        dh = norm(g.dh, axis=2).T
        dc = norm(g.dc, axis=2).T
    return Transport(loss_steps=steps, dh_norm=dh, dc_norm=dc)


def _rnn_rows(params, x, dy, steps, activation, truncate):
    """``||dL_s/dh_t||`` (S, T) for the RNN, by core.networks.rnn.backward's recursion

        dL/dh_t = dy_t W_hq^T + (dL/dh_{t+1} * act'(a_{t+1})) W_hh^T

    with every row s's dy zero except at step s. The rows share one sequence, so they share its
    states: one forward pass gives act'(a_t) (H,) for all of them, and only the rows' gradients
    G_t (S, H) are carried back, their norms kept. That is T products (S, H) @ (H, H), and memory
    O(S H), where the batched pass of the LSTM builds (T, S, H) arrays and every weight gradient."""
    p = params
    T, S = len(x), len(steps)
    h = rnn.forward(p, x[:, None, :], activation=activation).h[:, 0]     # (T, H)
    slope = rnn.act_grad(activation, h, out=np.empty_like(h))           # act'(a_t) (T, H)
    W_hh_T = np.ascontiguousarray(p["W_hh"].T)
    start = dy[steps] @ p["W_hq"].T                                      # (S, H) dL_s/dh_s
    rows = np.arange(S)
    out = np.empty((T, S))
    G = np.zeros((S, h.shape[1]))                                        # (S, H) dL_s/dh_t
    with single_thread(), np.errstate(all="ignore"):
        for t in range(T - 1, -1, -1):
            if linked(t, T, truncate):
                G = (G * slope[t + 1]) @ W_hh_T
            else:
                G = np.zeros_like(G)
            here = rows[steps == t]
            G[here] += start[here]
            out[t] = norm(G, axis=1)
    return out.T


def temporal_terms(model, trace, grads):
    """Yield h_{t-1}^T dz_t for t = 0..T-1: step t's term of the recurrent weights' gradient
    dW_h = sum_t h_{t-1}^T dz_t (dz_t = da_t for the RNN; the four gates' side by side for the LSTM)."""
    h = trace.h
    with np.errstate(all="ignore"):
        gates = np.concatenate(lstm_gate_grads(trace, grads), axis=2) if model == "lstm" else None
        for t in range(h.shape[0]):
            h_prev = h[t - 1] if t > 0 else trace.h0
            if model == "rnn":
                d = rnn.act_grad(trace.activation, h[t], out=np.empty_like(h[t]))   # act'(a_t)
                yield h_prev.T @ (grads.dh[t] * d)
            else:
                yield h_prev.T @ gates[t]


def temporal_contributions(model, trace, grads):
    """``||h_{t-1}^T dz_t||_F`` for each step t, (T,): the size of step t's term in the recurrent
    weights' gradient. Pascanu et al. call these the temporal contributions: when they fade with
    distance from the loss, long-range dependencies stop shaping the update.

    Computed through Gram matrices over the batch, ||A^T D||_F^2 = sum((A A^T) * (D D^T)), so the
    cost is T products of (B, n) @ (n, B) instead of T (H, B) @ (B, n) ones (the same numbers as
    the norms of ``temporal_terms``)."""
    h = trace.h
    h_prev = np.concatenate([trace.h0[None], h[:-1]])                   # (T, B, H)
    with np.errstate(all="ignore"):
        if model == "rnn":
            d = rnn.act_grad(trace.activation, h, out=np.empty_like(h))  # (T, B, H) act'(a_t)
            dz = grads.dh * d                                           # (T, B, H) da_t
        else:
            dz = np.concatenate(lstm_gate_grads(trace, grads), axis=2)  # (T, B, 4H)
        # each step's factors scaled by their largest entry first, so that huge but finite terms
        # (a linear RNN's 1e105 states) keep a finite size instead of overflowing in the squares
        a = _step_scale(h_prev)                                         # (T, 1, 1)
        d = _step_scale(dz)
        h_prev, dz = h_prev / a, dz / d
        gram_h = h_prev @ h_prev.transpose(0, 2, 1)                     # (T, B, B)
        gram_dz = dz @ dz.transpose(0, 2, 1)                            # (T, B, B)
        return np.sqrt(np.maximum((gram_h * gram_dz).sum(axis=(1, 2)), 0.0)) * (a * d)[:, 0, 0]


def _step_scale(a):
    """The largest |entry| of each step of ``a (T, ...)``, (T, 1, 1); 1 where it is 0 or not finite."""
    big = np.max(np.abs(a), axis=(1, 2), keepdims=True)
    return np.where((big > 0) & np.isfinite(big), big, 1.0)


def lstm_gate_grads(trace, grads):
    """(di, df, do, dg), each (T, B, H), from the recorded gates and the total dL/dh_t, dL/dc_t."""
    i, f, o, g, c = trace.i, trace.f, trace.o, trace.g, trace.c
    c_prev = np.concatenate([trace.c0[None], c[:-1]])
    return (grads.dc * g * i * (1 - i), grads.dc * c_prev * f * (1 - f),
            grads.dh * np.tanh(c) * o * (1 - o), grads.dc * i * (1 - g * g))


def forget_product(f, s=None):
    """prod_{k=t+1..s} f_k for t = 0..T-1 (s = T-1 by default; 1 at t = s, NaN after s).

    Along the cell path c_s = f_s * c_{s-1} + ..., so this product is how much of dL/dc_s reaches c_t
    directly: forget gates near 1 keep it, near 0.5 halve it every step. ``f (T, ...)``.
    """
    f = np.asarray(f, dtype=np.float64)
    T = f.shape[0]
    s = T - 1 if s is None else s
    out = np.full(f.shape, np.nan)
    out[s] = 1.0
    for t in range(s - 1, -1, -1):
        out[t] = out[t + 1] * f[t + 1]
    return out


def cell_carry(f, dc_last):
    """||dL/dc_{T-1} ⊙ prod_{k=t+1..T-1} f_k|| / ||dL/dc_{T-1}|| for t = 0..T-1: the last step's
    cell gradient carried back along the cell path alone, through each unit's own forget gates.
    ``f (T, H)`` of one sequence, ``dc_last (H,)``. Unlike the mean of ``forget_product`` over units,
    it weighs each unit by how much gradient it actually holds at the last step."""
    dc_last = np.asarray(dc_last, dtype=np.float64)
    carried = forget_product(f) * dc_last                              # (T, H)
    with np.errstate(all="ignore"):
        return norm(carried, axis=1) / norm(dc_last[None], axis=1)[0]
