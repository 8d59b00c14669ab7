"""One BLAS thread for the recurrent loops.

Each step of BPTT is a small ``(B, H) @ (H, H)`` product that depends on the previous one. OpenBLAS
splits such products across every core by default; the hand-off costs more than it saves, and when
another process holds the second core it can cost 100x. ``single_thread()`` pins BLAS to one thread
for the duration of a forward or backward call and restores the caller's setting afterwards.
"""
from contextlib import contextmanager
from functools import lru_cache

from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=1)
def _controller():
    # Inspecting the loaded libraries is slow (ms); do it once per process.
    return ThreadpoolController()


@contextmanager
def single_thread():
    with _controller().limit(limits=1, user_api="blas"):
        yield


@lru_cache(maxsize=1)
def pin_process_to_one_thread():
    """One BLAS thread for the whole process, from now on. app.py runs at every rerun; the cache
    makes this happen once per process."""
    _controller().limit(limits=1, user_api="blas")
