"""Overlap the bulk products of a recurrent pass with its sequential loop.

A recurrent pass is a loop over time that cannot be parallelised, plus bulk work that can: input
projections before the loop, outputs and weight gradients after it. We cut time into chunks; while the
loop runs over one chunk, a worker thread prepares the next chunk's ``before`` and finishes the
previous chunk's ``after`` (NumPy releases the GIL inside BLAS). With a free second core the bulk work
disappears behind the loop; without one it costs what it would have cost anyway.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

CHUNK_BYTES = 1 << 20       # ~1 MB per chunk of the widest per-step array: stays in cache
THREAD_MIN_ELEMENTS = 1 << 18   # below this much data a thread hand-off costs more than it hides


def chunk_steps(T, bytes_per_step):
    return max(1, min(T, CHUNK_BYTES // max(1, bytes_per_step)))


def chunks(T, size, *, reverse=False):
    """``[(t0, t1), ...]`` covering [0, T) in steps of ``size``, from the end if ``reverse``."""
    spans = [(t0, min(T, t0 + size)) for t0 in range(0, T, size)]
    return spans[::-1] if reverse else spans


def overlapped(spans, before, after, *, elements):
    """Yield each ``(k, t0, t1)`` of ``spans`` after ``before(k, t0, t1)`` ran; run ``after(k, t0, t1)``
    once the caller moves on. ``elements`` (the size of the work) decides whether a thread is worth it.

    The single worker runs tasks in the order given: before(0), before(1), after(0), before(2),
    after(1), ... so when chunk k is handed out, after(k - 2) has finished: two alternating buffers
    indexed by ``k % 2`` are never written while the worker still reads them.
    """
    if len(spans) == 1 or elements < THREAD_MIN_ELEMENTS:
        for k, (t0, t1) in enumerate(spans):
            before(k, t0, t1)
            yield k, t0, t1
            after(k, t0, t1)
        return
    errstate = np.geterr()          # np.errstate is per thread: carry the caller's into the worker

    def in_worker(fn, *args):
        with np.errstate(**errstate):
            fn(*args)

    with ThreadPoolExecutor(max_workers=1) as pool:
        futures = []
        ready = pool.submit(in_worker, before, 0, *spans[0])
        for k, (t0, t1) in enumerate(spans):
            ready.result()
            if k + 1 < len(spans):
                ready = pool.submit(in_worker, before, k + 1, *spans[k + 1])
            yield k, t0, t1
            futures.append(pool.submit(in_worker, after, k, t0, t1))
        for f in futures:
            f.result()                       # re-raise anything the worker raised


def flat(a, t0, t1):
    """Steps t0..t1-1 of a contiguous (T, B, n) array as a (steps * B, n) view: one product, not many."""
    return a[t0:t1].reshape(-1, a.shape[2])
