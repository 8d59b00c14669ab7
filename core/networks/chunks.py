"""Time cut into chunks, for the bulk work of a recurrent pass.

A recurrent pass is a loop over time that cannot be vectorised, plus work that can: the input
projections before the loop, the outputs and the weight gradients after it. Done for all T at once,
that work streams arrays of hundreds of MB through memory; done one step at a time, it pays NumPy's
call overhead T times. In chunks of a few steps (~512 KB of the widest per-step array) each bulk
product is one call whose data is still in cache when the loop reaches it.
"""
import numpy as np

CHUNK_BYTES = 1 << 19


def chunk_steps(T, bytes_per_step):
    """How many steps make a chunk of about CHUNK_BYTES (at least 1, at most T)."""
    return max(1, min(T, CHUNK_BYTES // max(1, bytes_per_step)))


def chunks(T, size, *, reverse=False):
    """``[(t0, t1), ...]`` covering [0, T) in steps of ``size``, from the end if ``reverse``."""
    spans = [(t0, min(T, t0 + size)) for t0 in range(0, T, size)]
    return spans[::-1] if reverse else spans


def flat(a, t0, t1):
    """Steps t0..t1-1 of a contiguous (T, B, n) array as a (steps * B, n) view: one product, not many."""
    return a[t0:t1].reshape(-1, a.shape[2])


def with_ones(x):
    """``x (T, B, D)`` with a column of ones appended: ``[x_t 1] [W; b] = x_t W + b`` in one product."""
    return np.concatenate([x, np.ones(x.shape[:2] + (1,))], axis=2)
