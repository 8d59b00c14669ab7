"""The LSTM's parameters: names, shapes, a reproducible start, and the fast path's stacked matrices.

Per gate ? in i, f, o, g: W_x? (D, H), W_h? (H, H), b_? (H,); then the output layer W_hq (H, O), b_q (O,).
"""
import numpy as np

from core.networks.init import check_sizes, recurrent_matrix

GATES = ("i", "f", "o", "g")   # gate letters = parameter suffixes (W_xi, W_hi, b_i, ...)
COLUMNS = ("i", "f", "g", "o")  # the fast path's column order: the gates dL/dc_t reaches, then o
# Stacked with these signs, one exp serves every gate: exp(-a) for a sigmoid, exp(-2a) for tanh.
SIGNS = {"i": -1.0, "f": -1.0, "g": -2.0, "o": -1.0}


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
    D, H, O = check_sizes(input_size, hidden_size, output_size)
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


def sizes(params):
    """(D, H, O) read off the parameters."""
    try:
        D, H = np.shape(params["W_xi"])
        O = np.shape(params["W_hq"])[1]
    except (KeyError, ValueError, IndexError):
        raise ValueError("params must hold the LSTM weights W_xi, W_hi, b_i, ..., W_hq, b_q; "
                         "build them with core.networks.lstm.init_params") from None
    return D, H, O


def stacked(p, prefix, *, signed=False):
    """The four gates' ``prefix`` arrays side by side in COLUMNS order: one product gives all four.
    ``signed``: each gate's block times its SIGNS entry (exact: the factors are powers of two)."""
    return np.concatenate([p[f"{prefix}{gate}"] * (SIGNS[gate] if signed else 1.0)
                           for gate in COLUMNS], axis=-1)

