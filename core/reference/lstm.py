"""An LSTM, one time step at a time: the reference to read beside the equations (d2l.ai's notation).

    i_t = σ(x_t W_xi + h_{t-1} W_hi + b_i)          input gate              (B, H)
    f_t = σ(x_t W_xf + h_{t-1} W_hf + b_f)          forget gate             (B, H)
    o_t = σ(x_t W_xo + h_{t-1} W_ho + b_o)          output gate             (B, H)
    g_t = tanh(x_t W_xg + h_{t-1} W_hg + b_g)       input node (C~ in d2l)  (B, H)
    c_t = f_t * c_{t-1} + i_t * g_t                 memory cell             (B, H)
    h_t = o_t * tanh(c_t)                           hidden state            (B, H)
    y_t = h_t W_hq + b_q                            output                  (B, O)

``*`` is element-wise. Row vectors, time-major arrays: x (T, B, D), every gate and state (T, B, H).
Shapes: W_x? (D, H), W_h? (H, H), b_? (H,) for ? in i, f, o, g; W_hq (H, O), b_q (O,).
In the backward pass a_i, a_f, a_o, a_g are the gates' pre-activations (the argument of σ or tanh).

Overflow: as in ``core.networks.lstm``, NaN and inf are carried on without warnings and recorded as
``nonfinite_step`` (first t forward, last t backward, over c and h). Products are taken in another
order than in the fast path, so once values overflow, which entries hold inf and which NaN may differ.
"""
from dataclasses import dataclass

import numpy as np

from core.reference.rnn import check_dy, sigmoid
from core.numerics.validate import check_sequence, check_state, check_truncate, first_nonfinite_step

GATES = ("i", "f", "o", "g")


def step_forward(x_t, h_prev, c_prev, p):
    """One step forward: the gates i_t, f_t, o_t, the input node g_t, then c_t, h_t and y_t.

    x_t (B, D), h_prev = h_{t-1} (B, H), c_prev = c_{t-1} (B, H), p the parameters.
    Returns ``(h_t, c_t, y_t), cache`` with h_t, c_t (B, H), y_t (B, O).
    """
    # i_t = σ(x_t W_xi + h_{t-1} W_hi + b_i)
    i = sigmoid(x_t @ p["W_xi"] + h_prev @ p["W_hi"] + p["b_i"])
    # f_t = σ(x_t W_xf + h_{t-1} W_hf + b_f)
    f = sigmoid(x_t @ p["W_xf"] + h_prev @ p["W_hf"] + p["b_f"])
    # o_t = σ(x_t W_xo + h_{t-1} W_ho + b_o)
    o = sigmoid(x_t @ p["W_xo"] + h_prev @ p["W_ho"] + p["b_o"])
    # g_t = tanh(x_t W_xg + h_{t-1} W_hg + b_g)
    g = np.tanh(x_t @ p["W_xg"] + h_prev @ p["W_hg"] + p["b_g"])
    # c_t = f_t * c_{t-1} + i_t * g_t
    c = f * c_prev + i * g
    # h_t = o_t * tanh(c_t)
    h = o * np.tanh(c)
    # y_t = h_t W_hq + b_q
    y = h @ p["W_hq"] + p["b_q"]
    cache = (x_t, h_prev, c_prev, i, f, o, g, c, h, p)
    return (h, c, y), cache


def step_backward(dy_t, dh_carry, dc_carry, cache):
    """One step backward: dL/dh_t, dL/dc_t, and this step's share of every gradient.

    dy_t = dL/dy_t (B, O); dh_carry, dc_carry (B, H) are what step t+1 sent back into h_t and c_t
    (zeros after the last step).

    Returns a dict: dh = dL/dh_t, dc = dL/dc_t, dh_prev, dc_prev (what this step sends back into
    h_{t-1}, c_{t-1}), all (B, H); dx = dL/dx_t (B, D); and this step's terms of every weight gradient
    dW_x? (D, H), dW_h? (H, H), db_? (H,), dW_hq (H, O), db_q (O,).
    """
    x_t, h_prev, c_prev, i, f, o, g, c, h, p = cache
    tanh_c = np.tanh(c)
    # dL/dh_t = dy_t W_hq^T + sum over ? of dL/da_?,{t+1} W_h?^T   (the second term is dh_carry)
    dh = dy_t @ p["W_hq"].T + dh_carry
    # dL/dc_t = dL/dh_t o_t (1 - tanh^2 c_t) + dL/dc_{t+1} f_{t+1}   (the second term is dc_carry)
    dc = dh * o * (1.0 - tanh_c ** 2) + dc_carry
    # dL/da_o = dL/dh_t tanh(c_t) o_t (1 - o_t)
    da_o = dh * tanh_c * o * (1.0 - o)
    # dL/da_i = dL/dc_t g_t i_t (1 - i_t)
    da_i = dc * g * i * (1.0 - i)
    # dL/da_f = dL/dc_t c_{t-1} f_t (1 - f_t)
    da_f = dc * c_prev * f * (1.0 - f)
    # dL/da_g = dL/dc_t i_t (1 - g_t^2)
    da_g = dc * i * (1.0 - g ** 2)
    da = {"i": da_i, "f": da_f, "o": da_o, "g": da_g}
    grads = {
        "dh": dh,
        "dc": dc,
        # dL/dh_{t-1}, through this step: sum over the gates of da_? W_h?^T
        "dh_prev": sum(da[gate] @ p[f"W_h{gate}"].T for gate in GATES),
        # dL/dc_{t-1}, through this step: dL/dc_t f_t
        "dc_prev": dc * f,
        # dL/dx_t = sum over the gates of da_? W_x?^T
        "dx": sum(da[gate] @ p[f"W_x{gate}"].T for gate in GATES),
        # dL/dW_hq += h_t^T dy_t,   dL/db_q += sum over the batch of dy_t
        "dW_hq": h.T @ dy_t,
        "db_q": dy_t.sum(axis=0),
    }
    for gate in GATES:
        # dL/dW_x? += x_t^T da_?,   dL/dW_h? += h_{t-1}^T da_?,   dL/db_? += sum over the batch of da_?
        grads[f"dW_x{gate}"] = x_t.T @ da[gate]
        grads[f"dW_h{gate}"] = h_prev.T @ da[gate]
        grads[f"db_{gate}"] = da[gate].sum(axis=0)
    return grads


@dataclass(frozen=True, eq=False)
class Trace:
    """What the forward pass computed, named as in ``core.networks.lstm.Trace``; ``caches[t]`` is step t's."""
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
    nonfinite_step: int | None     # first t at which c_t or h_t holds NaN or inf
    params: dict         # the parameters the pass ran with
    caches: list


@dataclass(frozen=True, eq=False)
class Grads:
    """Gradients of the loss, named as in ``core.networks.lstm.Grads``."""
    params: dict         # dL/dW_xi, ... under the parameters' own names and shapes
    dh: np.ndarray       # (T, B, H) total dL/dh_t
    dc: np.ndarray       # (T, B, H) total dL/dc_t
    dx: np.ndarray       # (T, B, D)
    dh0: np.ndarray      # (B, H)
    dc0: np.ndarray      # (B, H)
    nonfinite_step: int | None     # last t at which dL/dh_t or dL/dc_t holds NaN or inf


def forward(params, x, h0=None, c0=None):
    """Run the LSTM over x (T, B, D) from h0, c0 (B, H) (zeros if None); returns a :class:`Trace`."""
    D, H = np.shape(params["W_xi"])
    x = check_sequence(x, D)
    T, B, _ = x.shape
    h0, c0 = check_state("h0", h0, B, H), check_state("c0", c0, B, H)
    i, f, o, g, c, h = (np.empty((T, B, H)) for _ in range(6))
    y = np.empty((T, B, len(params["b_q"])))
    caches = []
    h_prev, c_prev = h0, c0
    with np.errstate(all="ignore"):            # an overflow is recorded in nonfinite_step, not warned
        for t in range(T):
            (h[t], c[t], y[t]), cache = step_forward(x[t], h_prev, c_prev, params)
            i[t], f[t], o[t], g[t] = cache[3:7]        # the gates, kept in the cache
            caches.append(cache)
            h_prev, c_prev = h[t], c[t]
    bad = [s for s in (first_nonfinite_step(c), first_nonfinite_step(h)) if s is not None]
    return Trace(x=x, h0=h0, c0=c0, h=h, c=c, i=i, f=f, o=o, g=g, y=y,
                 nonfinite_step=min(bad, default=None), params=params, caches=caches)


def backward(trace, dy, *, truncate=None):
    """Backpropagation through time from dy = dL/dy (T, B, O), with what ``forward`` kept in
    ``trace`` (its caches and parameters); returns :class:`Grads`.

    ``truncate=k`` detaches both h and c entering steps k, 2k, ... (truncated BPTT).
    """
    truncate = check_truncate(truncate)
    T, B, H = trace.h.shape
    dy = check_dy(dy, trace.y.shape)
    dh, dc = np.empty((T, B, H)), np.empty((T, B, H))
    dx = np.empty_like(trace.x)
    grads = {name: np.zeros_like(value) for name, value in trace.params.items()}
    dh_carry, dc_carry = np.zeros((B, H)), np.zeros((B, H))   # nothing after the last step
    # The loss reaches h_t through y_t and through the four gates of step t+1 (which lead on to both
    # h_{t+1} and c_{t+1}); it reaches c_t through h_t and through c_{t+1} = f_{t+1} * c_t + ...:
    #     dL/dh_t = dy_t W_hq^T + sum over ? in (i, f, o, g) of dL/da_?,{t+1} W_h?^T
    #     dL/dc_t = dL/dc_{t+1} f_{t+1} + dL/dh_t o_t (1 - tanh^2 c_t)
    # The first term of dL/dc_t is why the LSTM remembers: along the cell the gradient is scaled by
    # the forget gates f alone, with no weight matrix and no squashing derivative in between.
    # Going backward from t = T-1, each step needs only what the step after it sent back (dh_carry,
    # dc_carry); the shared weights' gradients are the sums of every step's terms.
    with np.errstate(all="ignore"):
        for t in reversed(range(T)):
            # Truncation: h and c entering steps k, 2k, ... are held constant, so what step t+1
            # would send back into them is dropped there; step t still adds its own weight terms.
            if truncate and (t + 1) % truncate == 0:
                dh_carry, dc_carry = np.zeros((B, H)), np.zeros((B, H))
            step = step_backward(dy[t], dh_carry, dc_carry, trace.caches[t])
            dh[t], dc[t], dx[t] = step["dh"], step["dc"], step["dx"]
            dh_carry, dc_carry = step["dh_prev"], step["dc_prev"]
            for name in grads:                  # the shared weights: sum of every step's term
                grads[name] += step["d" + name]
    bad = [s for s in (first_nonfinite_step(dh, reverse=True),
                       first_nonfinite_step(dc, reverse=True)) if s is not None]
    # h0 and c0 are inputs, never detached: they get what step 0 sent back.
    return Grads(params=grads, dh=dh, dc=dc, dx=dx, dh0=dh_carry, dc0=dc_carry,
                 nonfinite_step=max(bad, default=None))
