"""An LSTM, forward and backward through time, recording every gate, state and gradient.

    i_t = sigmoid(x_t W_xi + h_{t-1} W_hi + b_i)        input gate
    f_t = sigmoid(x_t W_xf + h_{t-1} W_hf + b_f)        forget gate
    o_t = sigmoid(x_t W_xo + h_{t-1} W_ho + b_o)        output gate
    g_t = tanh(x_t W_xg + h_{t-1} W_hg + b_g)           input node (C~ in d2l.ai)
    c_t = f_t * c_{t-1} + i_t * g_t                     memory cell
    h_t = o_t * tanh(c_t)                               hidden state
    y_t = h_t W_hq + b_q                                output

Row-vector convention and time-major arrays; every gate and state is ``(T, B, H)``. The readable
version of the same maths, one step at a time, is ``core.reference.lstm``; this one is fast.
"""
from dataclasses import dataclass

import numpy as np

from core.networks.activations import sigmoid_of_negated_, tanh_, tanh_from_sigmoid_
from core.networks.lstm_backward import Grads, backward  # noqa: F401  (part of this module's API)
from core.networks.lstm_params import GATES, init_params, param_shapes, sizes, stacked  # noqa: F401
from core.numerics import memory
from core.numerics.blas import single_thread
from core.numerics.validate import check_params, check_sequence, check_state, first_nonfinite_step


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


def forward(params, x, h0=None, c0=None):
    """Run the LSTM over ``x (T, B, D)`` and return a :class:`Trace`.

    How it is fast. Each step is one product [W_h; W_x; b]^T [h_{t-1}; x_t; 1] (4H, K) @ (K, B), with
    K = H + D + 1: all four gates at once, input and bias included, so nothing is added afterwards.
    The states are kept transposed, (H, B) per step, so that every gate is a contiguous block; the
    trace's (T, B, H) arrays are transposed views of them. The weights are stacked with signs (-1 for
    the sigmoid gates, -2 for g) so that one exp of the product gives every gate (see activations.py).
    """
    D, H, O = sizes(params)
    p = check_params(params, param_shapes(D, H, O))
    x = check_sequence(x, D)
    T, B, _ = x.shape
    h0 = check_state("h0", h0, B, H)
    c0 = check_state("c0", c0, B, H)

    K = H + D + 1
    hx = memory.empty((T + 1, K, B))            # hx[t] = [h_{t-1}; x_t; 1]; h_t is written into hx[t + 1]
    hx[0, :H] = h0.T
    hx[:T, H:H + D] = x.transpose(0, 2, 1)
    hx[:T, K - 1] = 1.0
    hx[T, H:] = 0.0
    W = np.vstack([stacked(p, "W_h", signed=True), stacked(p, "W_x", signed=True),
                   stacked(p, "b_", signed=True)]).T.copy()     # (4H, K), signed, gates i f g o
    z = memory.empty((T, 4 * H, B))             # pre-activations, then in place the gates i f g o
    c = memory.empty((T, H, B))
    ig = np.empty((H, B))
    c_prev = np.ascontiguousarray(c0.T)
    with single_thread(), np.errstate(all="ignore"):
        for t in range(T):
            z_t, c_t, h_t = z[t], c[t], hx[t + 1, :H]
            np.matmul(W, hx[t], out=z_t)        # the one product per step
            sigmoid_of_negated_(z_t)            # i, f, o; g's block now holds sigmoid(2 a_g)
            i_t, f_t, g_t, o_t = z_t[:H], z_t[H:2 * H], z_t[2 * H:3 * H], z_t[3 * H:]
            tanh_from_sigmoid_(g_t)
            np.multiply(f_t, c_prev, out=c_t)   # c_t = f_t * c_{t-1} + i_t * g_t
            np.multiply(i_t, g_t, out=ig)
            c_t += ig
            tanh_(c_t, out=h_t)                 # h_t = o_t * tanh(c_t)
            h_t *= o_t
            c_prev = c_t
        h = hx[1:, :H]                          # (T, H, B)
        y = np.matmul(h.transpose(0, 2, 1), p["W_hq"])      # y_t = h_t W_hq + b_q
        y += p["b_q"]
    bad = [s for s in (first_nonfinite_step(c), first_nonfinite_step(h)) if s is not None]
    i, f, g, o = (z[:, n * H:(n + 1) * H].transpose(0, 2, 1) for n in range(4))
    return Trace(x=x, h0=h0, c0=c0, h=h.transpose(0, 2, 1), c=c.transpose(0, 2, 1), i=i, f=f, o=o,
                 g=g, y=y, nonfinite_step=min(bad) if bad else None)
