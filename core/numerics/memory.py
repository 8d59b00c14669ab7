"""Large arrays for the recorded passes, reused once nobody holds them.

An LSTM pass at T = 1000, B = 32, H = 128 records 262 MB: every gate, state and gradient. Memory
fresh from the operating system is slow to write the first time, because the kernel (and, on a
virtual machine, the host) must find and zero every page. On this project's machine a first write of
131 MB took 10 to 470 ms from one try to the next, a second write 5 ms; `python bench/bench_core.py`
prints the LSTM on fresh memory beside the LSTM reusing its arrays. So ``empty`` keeps the large
arrays it hands out, and hands one out again once every array made from it is gone (the trace was
dropped, the cache let it go). Nothing else changes: the caller gets an array of the shape asked for, with
arbitrary contents, as from ``np.empty``.

Bounded: at each request, arrays nobody holds beyond ``LIMIT_BYTES`` are let go, least recently used
first: BPTT_LENS_POOL_MB megabytes, by default 320 (one pass of the bench's LSTM; a page's largest run
records ~70 MB), and 0 keeps none. Arrays under ``MIN_BYTES`` come from NumPy as usual.
"""
import math
import sys
import threading

import numpy as np

from core.numerics.validate import megabytes_from_env

MIN_BYTES = 4 << 20
DEFAULT_MB = 320


def limit_bytes():
    """BPTT_LENS_POOL_MB in bytes, or DEFAULT_MB when it is unset (a bad value is an error at start)."""
    return int(megabytes_from_env("BPTT_LENS_POOL_MB", DEFAULT_MB, zero_ok=True) * (1 << 20))


LIMIT_BYTES = limit_bytes()

_kept = []                  # flat float64 arrays, least recently handed out first
_lock = threading.Lock()    # a server runs sessions in threads


def _unused(index):
    """Does nothing but the pool hold ``_kept[index]``? Its references are then the list's and the
    argument of getrefcount; any array made from it (a view, a reshape) holds one more."""
    return sys.getrefcount(_kept[index]) == 2


def empty(shape):
    """``np.empty(shape)`` of float64, from a kept array when one nobody holds is large enough (and
    at most twice too large); otherwise a new one, kept for later."""
    count = math.prod(shape)
    if not MIN_BYTES <= count * 8 <= LIMIT_BYTES:
        return np.empty(shape)
    with _lock:
        fits = [(_kept[index].size, index) for index in range(len(_kept))
                if count <= _kept[index].size <= 2 * count and _unused(index)]
        base = _kept.pop(min(fits)[1]) if fits else None
        _release(LIMIT_BYTES - count * 8)           # room for this one when it is let go in turn
        if base is None:
            base = np.empty(count)
        _kept.append(base)
        return base[:count].reshape(shape)


def _release(room):
    """Forget the least recently used arrays nobody holds until those left take at most ``room``."""
    free = [index for index in range(len(_kept)) if _unused(index)]
    held = sum(_kept[index].nbytes for index in free)
    drop = []
    for index in free:
        if held <= room:
            break
        held -= _kept[index].nbytes
        drop.append(index)
    for index in reversed(drop):
        del _kept[index]


def kept_bytes():
    """(bytes kept that nobody holds, bytes kept in all)."""
    with _lock:
        return (sum(_kept[index].nbytes for index in range(len(_kept)) if _unused(index)),
                sum(b.nbytes for b in _kept))
