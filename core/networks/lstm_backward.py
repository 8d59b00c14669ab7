"""The LSTM's backward pass through time (the forward pass is in lstm.py).

    dL/dh_t = dy_t W_hq^T + dz_{t+1} W_h^T             (second term absent at T-1 and at cuts)
    dL/dc_t = dL/dh_t * o_t (1 - tanh^2 c_t) + dL/dc_{t+1} * f_{t+1}
    di_t = dL/dc_t * g_t       * i_t (1 - i_t)
    df_t = dL/dc_t * c_{t-1}   * f_t (1 - f_t)
    dg_t = dL/dc_t * i_t       * (1 - g_t^2)
    do_t = dL/dh_t * tanh(c_t) * o_t (1 - o_t)
    dz_t = [di_t df_t dg_t do_t] (B, 4H);  dW_h = sum_t h_{t-1}^T dz_t,  dW_x = sum_t x_t^T dz_t

The factors after dL/dc_t and dL/dh_t need no gradient: they are computed for a chunk of steps at a
time, and the loop over time only multiplies them in.
"""
from dataclasses import dataclass

import numpy as np

from core.networks.bptt import linked
from core.networks.chunks import chunk_steps, chunks
from core.networks.lstm_params import COLUMNS, param_shapes, sizes, stacked
from core.numerics import memory
from core.numerics.blas import single_thread
from core.numerics.validate import check_params, check_truncate, first_nonfinite_step

TINY = 1e-300


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


def local_factors(tr, t0, t1, A, A_c):
    """For steps t0..t1-1, transposed like the loop's arrays: ``A (n, 4H, B)`` = the factors
    [g i(1-i); c_{t-1} f(1-f); i (1-g^2); tanh(c) o(1-o)] of dz_t, and ``A_c (n, H, B)`` =
    o (1 - tanh^2 c), the factor from dL/dh_t to dL/dc_t.

    Both are read off h = o tanh(c) without a tanh: tanh(c) o (1-o) = h (1-o) and
    o (1 - tanh^2 c) = o - h^2 / o. Where o = 0, h = 0 and the factor is 0; dividing by max(o, TINY)
    instead of o keeps it so, and changes the factor by at most o < TINY elsewhere.
    """
    H = tr.h.shape[2]
    n = t1 - t0
    A_i, A_f, A_g, A_o = (A[:n, k * H:(k + 1) * H] for k in range(4))
    i, f, g, o, h = (a[t0:t1].transpose(0, 2, 1) for a in (tr.i, tr.f, tr.g, tr.o, tr.h))
    A_c = A_c[:n]
    np.subtract(1.0, o, out=A_o)
    A_o *= h
    np.maximum(o, TINY, out=A_c)                # o, kept off 0 (NaN stays NaN)
    np.divide(h, A_c, out=A_c)                  # tanh(c) = h / o; 0 where o = 0, since h = 0 there
    A_c *= h
    np.subtract(o, A_c, out=A_c)
    np.subtract(1.0, i, out=A_i)
    A_i *= i
    A_i *= g
    np.subtract(1.0, f, out=A_f)
    A_f *= f
    A_f[0] *= (tr.c[t0 - 1] if t0 > 0 else tr.c0).T
    A_f[1:] *= tr.c[t0:t1 - 1].transpose(0, 2, 1)
    np.multiply(g, g, out=A_g)
    np.subtract(1.0, A_g, out=A_g)
    A_g *= i


def backward(params, trace, dy, *, truncate=None):
    """Backpropagation through time from ``dy = dL/dy (T, B, O)``; returns :class:`Grads`.

    ``truncate=k`` detaches both h and c entering steps k, 2k, ...
    As in the forward pass, every per-step array is transposed, (H, B) or (4H, B); the weight
    gradients come from one product per chunk of steps, [dW_h; dW_x; db] = [h_{t-1}; x_t; 1] dz_t^T.
    """
    D, H, O = sizes(params)
    p = check_params(params, param_shapes(D, H, O))
    k = check_truncate(truncate)
    tr = trace
    T, B, _ = tr.h.shape
    dy = np.ascontiguousarray(dy, dtype=np.float64)
    if dy.shape != (T, B, O):
        raise ValueError(f"dy must have the shape of y, {(T, B, O)}; got {dy.shape}")

    K = H + D + 1
    dh = memory.empty((T, H, B))                # total dL/dh_t, transposed
    dc = memory.empty((T, H, B))                # total dL/dc_t, transposed
    dx = np.empty((T, B, D))
    size = chunk_steps(T, 4 * B * H * 8)
    dz = np.empty((4 * H, size, B))             # a chunk of dz_t side by side, rows i f g o: dz[:, s]
    A = np.empty((size, 4 * H, B))
    A_c = np.empty((size, H, B))
    dz_ifg = dz[:3 * H].reshape(3, H, size, B)  # views: the three gates dL/dc_t reaches
    A_ifg = A[:, :3 * H].reshape(size, 3, H, B)
    hx_cols = np.empty((K, size, B))            # [h_{t-1}; x_t; 1] side by side: (K, n B)
    hx_cols[K - 1] = 1.0
    dW = np.zeros((K, 4 * H))                   # [dW_h; dW_x; db], columns i f g o
    W_h = stacked(p, "W_h")                     # (H, 4H)
    W_x = stacked(p, "W_x")                     # (D, 4H)
    f = tr.f.transpose(0, 2, 1)
    h = tr.h.transpose(0, 2, 1)
    rec = np.empty((H, B))
    dz_next = None                              # dz_{t+1} (4H, B)
    with single_thread(), np.errstate(all="ignore"):
        np.matmul(p["W_hq"], dy.transpose(0, 2, 1), out=dh)    # dy_t W_hq^T, transposed
        for t0, t1 in chunks(T, size, reverse=True):
            n = t1 - t0
            local_factors(tr, t0, t1, A, A_c)
            for t in range(t1 - 1, t0 - 1, -1):
                s, dh_t, dc_t = t - t0, dh[t], dc[t]
                link = linked(t, T, k)
                if link:                        # backprop into h_t via step t+1
                    np.matmul(W_h, dz_next, out=rec)
                    dh_t += rec
                np.multiply(dh_t, A_c[s], out=dc_t)
                if link:                        # backprop into c_t via c_{t+1}
                    np.multiply(dc[t + 1], f[t + 1], out=rec)
                    dc_t += rec
                np.multiply(dc_t, A_ifg[s], out=dz_ifg[:, :, s])     # di, df, dg
                np.multiply(dh_t, A[s, 3 * H:], out=dz[3 * H:, s])   # do
                dz_next = dz[:, s]
            cols = slice(0, n)
            np.copyto(hx_cols[H:K - 1, cols], tr.x[t0:t1].transpose(2, 0, 1))
            if t0 == 0:
                hx_cols[:H, 0] = tr.h0.T
                np.copyto(hx_cols[:H, 1:n], h[:t1 - 1].transpose(1, 0, 2))
            else:
                np.copyto(hx_cols[:H, cols], h[t0 - 1:t1 - 1].transpose(1, 0, 2))
            dz2 = dz[:, cols].reshape(4 * H, n * B)     # a view: (4H, n B)
            dW += hx_cols[:, cols].reshape(K, n * B) @ dz2.T
            np.matmul(dz2.T, W_x.T, out=dx[t0:t1].reshape(n * B, D))   # dx_t = dz_t W_x^T
        dh0 = (W_h @ dz_next).T                 # dz_0 W_h^T
        dc0 = (dc[0] * f[0]).T
        dW_hq = np.matmul(h, dy).sum(axis=0)    # sum_t h_t^T dy_t
    grads = {"W_hq": dW_hq, "b_q": dy.sum(axis=(0, 1))}
    for n, gate in enumerate(COLUMNS):
        cols = slice(n * H, (n + 1) * H)
        grads[f"W_x{gate}"] = np.ascontiguousarray(dW[H:H + D, cols])
        grads[f"W_h{gate}"] = np.ascontiguousarray(dW[:H, cols])
        grads[f"b_{gate}"] = dW[K - 1, cols].copy()
    grads = {key: grads[key] for key in param_shapes(D, H, O)}     # the parameters' own order
    bad = [s for s in (first_nonfinite_step(dh, reverse=True),
                       first_nonfinite_step(dc, reverse=True)) if s is not None]
    return Grads(params=grads, dh=dh.transpose(0, 2, 1), dc=dc.transpose(0, 2, 1), dx=dx,
                 dh0=dh0, dc0=dc0, nonfinite_step=max(bad) if bad else None)
