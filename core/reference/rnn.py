"""A vanilla RNN, one time step at a time: the reference to read beside the equations.

    a_t = x_t W_xh + h_{t-1} W_hh + b_h        pre-activation      (B, H)
    h_t = act(a_t)                             hidden state        (B, H)
    y_t = h_t W_hq + b_q                       output              (B, O)

Row vectors (one row per sequence of the batch) and time-major arrays: x (T, B, D), h (T, B, H),
y (T, B, O). Shapes: W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, O), b_q (O,).

Overflow: as in ``core.networks.rnn``, NaN and inf are carried on without warnings and recorded as
``nonfinite_step`` (first t forward, last t backward). Sums here are taken in another order than in
the fast path, so once values overflow, which entries hold inf and which NaN may differ.
"""
from dataclasses import dataclass

import numpy as np

from core.numerics.validate import check_sequence, check_state, check_truncate, first_nonfinite_step


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


# act(a), and act'(a) written through h = act(a): the step keeps h_t, not a_t (as CS231n does for tanh).
ACT = {"tanh": np.tanh, "sigmoid": sigmoid, "relu": lambda a: np.maximum(a, 0.0), "linear": lambda a: a}
ACT_GRAD = {"tanh": lambda h: 1.0 - h ** 2,
            "sigmoid": lambda h: h * (1.0 - h),
            "relu": lambda h: (h > 0).astype(np.float64),
            "linear": np.ones_like}


def step_forward(x_t, h_prev, p, activation="tanh"):
    """One step forward: h_t = act(x_t W_xh + h_{t-1} W_hh + b_h) and y_t = h_t W_hq + b_q.

    x_t (B, D), h_prev = h_{t-1} (B, H), p the parameters. Returns ``(h_t (B, H), y_t (B, O)), cache``.
    """
    # a_t = x_t W_xh + h_{t-1} W_hh + b_h
    a_t = x_t @ p["W_xh"] + h_prev @ p["W_hh"] + p["b_h"]
    # h_t = act(a_t)
    h_t = ACT[activation](a_t)
    # y_t = h_t W_hq + b_q
    y_t = h_t @ p["W_hq"] + p["b_q"]
    cache = (x_t, h_prev, h_t, p, activation)
    return (h_t, y_t), cache


def step_backward(dy_t, dh_carry, cache):
    """One step backward: dL/dh_t, dL/da_t, and this step's share of every gradient.

    dy_t = dL/dy_t (B, O); dh_carry (B, H) is what step t+1 sent back into h_t,
    dL/dh_{t+1} ∂h_{t+1}/∂h_t (zeros after the last step).

    Returns a dict: dh = dL/dh_t (B, H), da = dL/da_t (B, H), dx = dL/dx_t (B, D), dh_prev (B, H)
    (what this step sends back into h_{t-1}), and this step's terms of dW_xh (D, H), dW_hh (H, H),
    db_h (H,), dW_hq (H, O), db_q (O,).
    """
    x_t, h_prev, h_t, p, activation = cache
    # dL/dh_t = dy_t W_hq^T + dL/dh_{t+1} ∂h_{t+1}/∂h_t   (the second term is dh_carry)
    dh = dy_t @ p["W_hq"].T + dh_carry
    # dL/da_t = dL/dh_t * act'(a_t)
    da = dh * ACT_GRAD[activation](h_t)
    return {
        "dh": dh,
        "da": da,
        # dL/dx_t = da_t W_xh^T
        "dx": da @ p["W_xh"].T,
        # dL/dh_{t-1}, through this step: da_t W_hh^T
        "dh_prev": da @ p["W_hh"].T,
        # dL/dW_xh += x_t^T da_t,   dL/dW_hh += h_{t-1}^T da_t,   dL/db_h += sum over the batch of da_t
        "dW_xh": x_t.T @ da,
        "dW_hh": h_prev.T @ da,
        "db_h": da.sum(axis=0),
        # dL/dW_hq += h_t^T dy_t,   dL/db_q += sum over the batch of dy_t
        "dW_hq": h_t.T @ dy_t,
        "db_q": dy_t.sum(axis=0),
    }


def check_dy(dy, shape):
    dy = np.asarray(dy, dtype=np.float64)
    if dy.shape != shape:
        raise ValueError(f"dy must have the shape of y, {shape}; got {dy.shape}")
    return dy


@dataclass(frozen=True, eq=False)
class Trace:
    """What the forward pass computed, named as in ``core.networks.rnn.Trace``; ``caches[t]`` is step t's."""
    x: np.ndarray        # (T, B, D)
    h0: np.ndarray       # (B, H)
    h: np.ndarray        # (T, B, H)
    y: np.ndarray        # (T, B, O)
    activation: str
    nonfinite_step: int | None     # first t at which h_t holds NaN or inf
    params: dict         # the parameters the pass ran with
    caches: list


@dataclass(frozen=True, eq=False)
class Grads:
    """Gradients of the loss, named as in ``core.networks.rnn.Grads``."""
    params: dict         # dL/dW_xh, ... under the parameters' own names and shapes
    dh: np.ndarray       # (T, B, H) total dL/dh_t
    dx: np.ndarray       # (T, B, D)
    dh0: np.ndarray      # (B, H)
    nonfinite_step: int | None     # last t at which dL/dh_t holds NaN or inf


def forward(params, x, h0=None, *, activation="tanh"):
    """Run the RNN over x (T, B, D) from h0 (B, H) (zeros if None); returns a :class:`Trace`."""
    if activation not in ACT:
        raise ValueError(f"activation must be one of {tuple(ACT)}; got {activation!r}")
    D, H = np.shape(params["W_xh"])
    x = check_sequence(x, D)
    T, B, _ = x.shape
    h0 = check_state("h0", h0, B, H)
    h = np.empty((T, B, H))
    y = np.empty((T, B, len(params["b_q"])))
    caches = []
    h_prev = h0
    with np.errstate(all="ignore"):            # an overflow is recorded in nonfinite_step, not warned
        for t in range(T):
            (h[t], y[t]), cache = step_forward(x[t], h_prev, params, activation)
            caches.append(cache)
            h_prev = h[t]
    return Trace(x=x, h0=h0, h=h, y=y, activation=activation,
                 nonfinite_step=first_nonfinite_step(h), params=params, caches=caches)


def backward(trace, dy, *, truncate=None):
    """Backpropagation through time from dy = dL/dy (T, B, O), with what ``forward`` kept in
    ``trace`` (its caches and parameters); returns :class:`Grads`.

    ``truncate=k`` detaches the state entering steps k, 2k, ... (truncated BPTT).
    """
    truncate = check_truncate(truncate)
    T, B, H = trace.h.shape
    dy = check_dy(dy, trace.y.shape)
    dh = np.empty((T, B, H))
    dx = np.empty_like(trace.x)
    grads = {name: np.zeros_like(value) for name, value in trace.params.items()}
    dh_carry = np.zeros((B, H))                # nothing comes back from after the last step
    # The loss reaches h_t through its own output y_t and through the next state h_{t+1}:
    #     dL/dh_t = dy_t W_hq^T + dL/dh_{t+1} ∂h_{t+1}/∂h_t
    #             = dy_t W_hq^T + (dL/dh_{t+1} * act'(a_{t+1})) W_hh^T = dy_t W_hq^T + da_{t+1} W_hh^T
    # Unrolled, dL/dh_t sums products of Jacobians diag(act') W_hh^T, one per later step: they shrink
    # or grow geometrically (vanishing and exploding gradients). Going backward from t = T-1, each step
    # needs only what the step after it sent back (dh_carry). The weights are shared by every step,
    # so their gradient is the sum of every step's term: dW_hh = sum_t h_{t-1}^T da_t, and so on.
    with np.errstate(all="ignore"):
        for t in reversed(range(T)):
            # Truncation: the state entering steps k, 2k, ... is held constant, so what step t+1
            # would send back into h_t is dropped there; step t still adds its own weight terms.
            if truncate and (t + 1) % truncate == 0:
                dh_carry = np.zeros((B, H))
            step = step_backward(dy[t], dh_carry, trace.caches[t])
            dh[t], dx[t], dh_carry = step["dh"], step["dx"], step["dh_prev"]
            for name in grads:                  # the shared weights: sum of every step's term
                grads[name] += step["d" + name]
    # h0 is an input, never detached: it gets what step 0 sent back.
    return Grads(params=grads, dh=dh, dx=dx, dh0=dh_carry,
                 nonfinite_step=first_nonfinite_step(dh, reverse=True))
