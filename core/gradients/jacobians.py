"""The mechanism between the bound and the measurement: the norms of a plain RNN's step Jacobians.

For h_t = φ(x_t W_xh + h_{t-1} W_hh + b_h), one step back multiplies the gradient by

    J_t = ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W_hh^T,        ||J_t|| = its largest singular value,

so a loss at the last step reaches step t with at most ||∂L/∂h_{T-1}|| ∏_{k=t+1..T-1} ||J_k||, which is
itself at most Pascanu's ||∂L/∂h_{T-1}|| (γ σ_max)^(T-1-t), since ||J_k|| <= max|φ'| σ_max(W_hh).
When W_hh is ρ times an orthogonal matrix, diag(d) W_hh^T has singular values ρ|d_i|: ||J_t|| is
ρ max_i |φ'(a_t)_i|, exactly, at no cost. Otherwise each step's norm comes from an SVD.
"""
import numpy as np

from core.networks import rnn
from core.networks.bptt import linked
from core.numerics.blas import single_thread

SVD_BUDGET = 2e8            # H^3 per step per sequence: beyond it, fewer sequences are measured


def orthogonal_scale(W_hh, rtol=1e-9):
    """ρ when ``W_hh`` is ρ times an orthogonal matrix (W W^T = ρ² I), else None."""
    W = np.asarray(W_hh, dtype=np.float64)
    gram = W @ W.T
    r2 = float(np.mean(np.diag(gram)))
    if r2 > 0 and np.allclose(gram, r2 * np.eye(len(W)), rtol=0, atol=rtol * r2):
        return float(np.sqrt(r2))
    return None


def step_norms(W_hh, slope, max_sequences=None):
    """||J_t|| = ||diag(φ'(a_t)) W_hh^T||_2 for each step and sequence: ``slope (T, B, H)`` is
    φ'(a_t). Returns ``(T, B')``; B' = B, or fewer sequences (the first ones) when exact SVDs of
    every step would cost more than ``SVD_BUDGET`` (``max_sequences`` sets it by hand)."""
    slope = np.asarray(slope, dtype=np.float64)
    T, B, H = slope.shape
    rho = orthogonal_scale(W_hh)
    if rho is not None:
        return rho * np.max(np.abs(slope), axis=2)
    if max_sequences is None:
        max_sequences = max(1, int(SVD_BUDGET // (T * H ** 3)))
    measured = min(B, max_sequences)
    W_T = np.asarray(W_hh, dtype=np.float64).T
    out = np.empty((T, measured))
    with single_thread():
        for t0 in range(0, T, 64):
            J = slope[t0:t0 + 64, :measured, :, None] * W_T                    # (chunk, n, H, H)
            out[t0:t0 + 64] = np.linalg.svd(J, compute_uv=False)[..., 0]
    return out


def rnn_step_norms(params, trace, max_sequences=None):
    """``step_norms`` of a recorded RNN run (core.networks.rnn.Trace): ``(T, B')``; row t is
    ||∂h_t/∂h_{t-1}||. Steps whose state overflowed give NaN."""
    h = trace.h
    with np.errstate(all="ignore"):
        slope = rnn.act_grad(trace.activation, h, out=np.empty_like(h))
        return step_norms(params["W_hh"], slope, max_sequences)


def product_to(norms, truncate=None):
    """``P[t] = ∏_{k=t+1..T-1} norms[k]`` for each column of ``norms (T, B)`` (1 at the last step, 0
    where truncation cuts the path): how much the step Jacobians allow a last-step gradient to keep
    by step t. Summed in logs, so a product below 1e-308 is 0 and one above 1e308 is inf."""
    norms = np.asarray(norms, dtype=np.float64)
    T = len(norms)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(norms)
    out = np.empty_like(norms)
    acc = np.zeros(norms.shape[1:])
    out[T - 1] = 1.0
    for t in range(T - 2, -1, -1):
        acc = acc + logs[t + 1] if linked(t, T, truncate) else np.full_like(acc, -np.inf)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            out[t] = np.exp(acc)
    return out
