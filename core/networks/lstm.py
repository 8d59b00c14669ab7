"""An LSTM, forward and backward through time, recording every gate, state and gradient.

    i_t = sigmoid(x_t W_xi + h_{t-1} W_hi + b_i)        input gate
    f_t = sigmoid(x_t W_xf + h_{t-1} W_hf + b_f)        forget gate
    o_t = sigmoid(x_t W_xo + h_{t-1} W_ho + b_o)        output gate
    g_t = tanh(x_t W_xg + h_{t-1} W_hg + b_g)           input node (C~ in d2l.ai)
    c_t = f_t * c_{t-1} + i_t * g_t                     memory cell
    h_t = o_t * tanh(c_t)                               hidden state
    y_t = h_t W_hq + b_q                                output

Row-vector convention and time-major arrays; every gate and state is ``(T, B, H)``.
"""
from dataclasses import dataclass

import numpy as np

from core.numerics.blas import single_thread
from core.networks.bptt import WeightGrads, linked
from core.networks.overlap import chunk_steps, chunks, flat, overlapped
from core.networks.init import recurrent_matrix
from core.networks.rnn import sigmoid_
from core.numerics.validate import (check_params, check_sequence, check_state, check_truncate,
                           first_nonfinite_step)

GATES = ("i", "f", "o", "g")   # gate letters = parameter suffixes (W_xi, W_hi, b_i, ...), in the column order of the stacked weights


def param_shapes(input_size, hidden_size, output_size):
    D, H, O = input_size, hidden_size, output_size
    shapes = {}
    for gate in GATES:
        shapes[f"W_x{gate}"] = (D, H)
        shapes[f"W_h{gate}"] = (H, H)
        shapes[f"b_{gate}"] = (H,)
    shapes["W_hq"] = (H, O)
    shapes["b_q"] = (O,)
    return shapes


def init_params(input_size, hidden_size, output_size, *, seed=0, weight_scale=1.0,
                forget_bias=0.0, orthogonal=False):
    """Random parameters, reproducible by ``seed``.

    Input weights N(0, weight_scale^2 / D); each recurrent matrix N(0, weight_scale^2 / H), or
    ``weight_scale`` times an orthogonal matrix; output weights N(0, weight_scale^2 / H). Biases are
    zero except ``b_f = forget_bias``: a positive value opens the forget gates (f near 1) at the start.
    """
    from core.networks.rnn import _check_sizes
    D, H, O = _check_sizes(input_size, hidden_size, output_size)
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be a finite number; got {forget_bias!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for gate in GATES:
        params[f"W_x{gate}"] = rng.standard_normal((D, H)) * weight_scale / np.sqrt(D)
        params[f"W_h{gate}"] = recurrent_matrix(rng, H, weight_scale=weight_scale,
                                                orthogonal=orthogonal)
        params[f"b_{gate}"] = np.full(H, float(forget_bias) if gate == "f" else 0.0)
    params["W_hq"] = rng.standard_normal((H, O)) * weight_scale / np.sqrt(H)
    params["b_q"] = np.zeros(O)
    return params


def _sizes(params):
    try:
        D, H = np.shape(params["W_xi"])
        O = np.shape(params["W_hq"])[1]
    except (KeyError, ValueError, IndexError):
        raise ValueError("params must hold the LSTM weights W_xi, W_hi, b_i, ..., W_hq, b_q; "
                         "build them with core.networks.lstm.init_params") from None
    return D, H, O


def _stacked(p, prefix):
    """[W_?i W_?f W_?o W_?c] side by side: one product gives all four gates."""
    return np.concatenate([p[f"{prefix}{gate}"] for gate in GATES], axis=1)


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything the forward pass computed. ``nonfinite_step``: first t with NaN/inf in c_t or h_t."""
    x: np.ndarray        # (T, B, D)
    h0: np.ndarray       # (B, H)
    c0: np.ndarray       # (B, H)
    h: np.ndarray        # (T, B, H)
    c: np.ndarray        # (T, B, H)
    i: np.ndarray        # (T, B, H)
    f: np.ndarray        # (T, B, H)
    o: np.ndarray        # (T, B, H)
    g: np.ndarray        # (T, B, H)
    y: np.ndarray        # (T, B, O)
    nonfinite_step: int | None


@dataclass(frozen=True, eq=False)
class Grads:
    """Gradients of the loss. ``dh[t]``, ``dc[t]`` are the total dL/dh_t and dL/dc_t."""
    params: dict
    dh: np.ndarray       # (T, B, H)
    dc: np.ndarray       # (T, B, H)
    dx: np.ndarray       # (T, B, D)
    dh0: np.ndarray      # (B, H)
    dc0: np.ndarray      # (B, H)
    nonfinite_step: int | None


def forward(params, x, h0=None, c0=None):
    """Run the LSTM over ``x (T, B, D)`` and return a :class:`Trace`."""
    D, H, O = _sizes(params)
    p = check_params(params, param_shapes(D, H, O))
    x = check_sequence(x, D)
    T, B, _ = x.shape
    h0 = check_state("h0", h0, B, H)
    c0 = check_state("c0", c0, B, H)

    gates = np.empty((4, T, B, H))              # i, f, o, g: each gates[k] is a contiguous (T, B, H)
    i, f, o, g = gates
    h = np.empty((T, B, H))
    c = np.empty((T, B, H))
    y = np.empty((T, B, O))

    def project_inputs(_, t0, t1):              # x_t W_x? + b_? for each gate, for a chunk of steps
        for k, gate in enumerate(GATES):
            np.matmul(flat(x, t0, t1), p[f"W_x{gate}"], out=flat(gates[k], t0, t1))
            gates[k, t0:t1] += p[f"b_{gate}"]

    def outputs(_, t0, t1):                     # y_t = h_t W_hq + b_q
        np.matmul(flat(h, t0, t1), p["W_hq"], out=flat(y, t0, t1))
        y[t0:t1] += p["b_q"]

    W_h = _stacked(p, "W_h")                    # (H, 4H)
    z = np.empty((B, 4 * H))
    z_by_gate = z.reshape(B, 4, H).transpose(1, 0, 2)      # (4, B, H) view of z
    ig = np.empty((B, H))
    h_prev, c_prev = h0, c0
    spans = chunks(T, chunk_steps(T, 4 * B * H * 8))
    with single_thread(), np.errstate(all="ignore"):
        for _, t0, t1 in overlapped(spans, project_inputs, outputs, elements=4 * T * B * H):
            for t in range(t0, t1):
                np.matmul(h_prev, W_h, out=z)       # the one product per step
                gates_t = gates[:, t]               # (4, B, H)
                gates_t += z_by_gate
                sigmoid_(gates_t[:3])               # i, f, o
                np.tanh(gates_t[3], out=gates_t[3])  # g
                np.multiply(f[t], c_prev, out=c[t])
                np.multiply(i[t], g[t], out=ig)
                c[t] += ig
                np.tanh(c[t], out=h[t])
                h[t] *= o[t]
                h_prev, c_prev = h[t], c[t]
    bad = [s for s in (first_nonfinite_step(c), first_nonfinite_step(h)) if s is not None]
    return Trace(x=x, h0=h0, c0=c0, h=h, c=c, i=i, f=f, o=o, g=g, y=y,
                 nonfinite_step=min(bad) if bad else None)


def backward(params, trace, dy, *, truncate=None):
    """Backpropagation through time from ``dy = dL/dy (T, B, O)``; returns :class:`Grads`.

        dL/dh_t = dy_t W_hq^T + dz_{t+1} W_h^T            (second term absent at T-1 and at cuts)
        dL/dc_t = dL/dh_t * o_t * (1 - tanh^2 c_t) + dL/dc_{t+1} * f_{t+1}
        do_t = dL/dh_t * tanh(c_t)     * o_t (1 - o_t)
        di_t = dL/dc_t * g_t           * i_t (1 - i_t)
        df_t = dL/dc_t * c_{t-1}       * f_t (1 - f_t)
        dg_t = dL/dc_t * i_t           * (1 - g_t^2)
        dz_t = [di_t df_t do_t dg_t] (B, 4H);  dW_h = sum_t h_{t-1}^T dz_t,  dW_x = sum_t x_t^T dz_t

    ``truncate=k`` detaches both h and c entering steps k, 2k, ...
    """
    D, H, O = _sizes(params)
    p = check_params(params, param_shapes(D, H, O))
    k = check_truncate(truncate)
    tr = trace
    T, B, _ = tr.h.shape
    dy = np.ascontiguousarray(dy, dtype=np.float64)
    if dy.shape != (T, B, O):
        raise ValueError(f"dy must have the shape of y, {(T, B, O)}; got {dy.shape}")

    dh = np.empty((T, B, H))                    # total dL/dh_t
    dc = np.empty((T, B, H))                    # total dL/dc_t
    acc = WeightGrads(tr.x, tr.h0, tr.h, dy, _stacked(p, "W_x"), 4 * H)
    size = chunk_steps(T, 4 * B * H * 8)
    spans = chunks(T, size, reverse=True)
    n_bufs = min(2, len(spans))                 # two chunks in flight (the loop's and the worker's)
    dz_bufs = np.empty((n_bufs, size, B, 4 * H))
    # The local derivatives, which need no gradient: the loop only multiplies them in.
    #   A_o = tanh(c) o(1-o)   A_c = o (1-tanh^2 c)   A_i = g i(1-i)   A_f = c_{t-1} f(1-f)   A_g = i (1-g^2)
    factors = np.empty((n_bufs, 5, size, B, H))   # each factor's chunk contiguous, for bulk ops

    def prepare(k, t0, t1):
        # backprop into h_t through y_t: dy_t W_hq^T
        np.matmul(flat(dy, t0, t1), p["W_hq"].T, out=flat(dh, t0, t1))
        n = t1 - t0
        A_o, A_c, A_i, A_f, A_g = factors[k % n_bufs, :, :n]
        i, f, o, g, c = (a[t0:t1] for a in (tr.i, tr.f, tr.o, tr.g, tr.c))
        np.tanh(c, out=A_c)                     # tanh(c), for A_o and A_c
        np.subtract(1.0, o, out=A_o)
        A_o *= o
        A_o *= A_c
        A_c *= A_c
        np.subtract(1.0, A_c, out=A_c)
        A_c *= o
        np.subtract(1.0, i, out=A_i)
        A_i *= i
        A_i *= g
        A_f[0] = tr.c[t0 - 1] if t0 > 0 else tr.c0
        A_f[1:] = tr.c[t0:t1 - 1]
        A_f *= f
        A_f *= 1.0 - f
        np.multiply(g, g, out=A_g)
        np.subtract(1.0, A_g, out=A_g)
        A_g *= i

    def weight_grads(k, t0, t1):
        acc.add(dz_bufs[k % n_bufs], t0, t1)

    W_h_T = np.ascontiguousarray(_stacked(p, "W_h").T)    # (4H, H)
    rec = np.empty((B, H))
    dz_next = None                              # dz_{t+1} (B, 4H)
    with single_thread(), np.errstate(all="ignore"):
        for kc, t0, t1 in overlapped(spans, prepare, weight_grads, elements=4 * T * B * H):
            for t in range(t1 - 1, t0 - 1, -1):
                dh_t, dc_t = dh[t], dc[t]
                A_o, A_c, A_i, A_f, A_g = factors[kc % n_bufs, :, t - t0]
                link = linked(t, T, k)
                if link:                        # backprop into h_t via step t+1
                    np.matmul(dz_next, W_h_T, out=rec)
                    dh_t += rec
                dz = dz_bufs[kc % n_bufs, t - t0]
                di, df, do, dg = (dz[:, n * H:(n + 1) * H] for n in range(4))
                np.multiply(dh_t, A_o, out=do)
                np.multiply(dh_t, A_c, out=dc_t)
                if link:                        # backprop into c_t via c_{t+1}
                    np.multiply(dc[t + 1], tr.f[t + 1], out=rec)
                    dc_t += rec
                np.multiply(dc_t, A_i, out=di)
                np.multiply(dc_t, A_f, out=df)
                np.multiply(dc_t, A_g, out=dg)
                dz_next = dz
        dh0 = dz_next @ W_h_T                   # dz_0 W_h^T
        dc0 = dc[0] * tr.f[0]
    grads = {}
    for n, gate in enumerate(GATES):
        cols = slice(n * H, (n + 1) * H)
        grads[f"W_x{gate}"] = np.ascontiguousarray(acc.dW_x[:, cols])
        grads[f"W_h{gate}"] = np.ascontiguousarray(acc.dW_h[:, cols])
        grads[f"b_{gate}"] = acc.db[cols].copy()
    grads["W_hq"], grads["b_q"] = acc.dW_hq, acc.db_q
    dx = acc.dx
    bad = [s for s in (first_nonfinite_step(dh, reverse=True),
                       first_nonfinite_step(dc, reverse=True)) if s is not None]
    return Grads(params=grads, dh=dh, dc=dc, dx=dx, dh0=dh0, dc0=dc0,
                 nonfinite_step=max(bad) if bad else None)
