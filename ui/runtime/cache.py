"""Core results shared by every session, keyed by the frozen settings object, bounded in bytes.

Not st.cache_data: it pickles a result into the cache and unpickles a fresh copy at every rerun of
every session. At T = 1000, H = 128, B = 32 a gradient run is 67 MB (45 ms to unpickle, at every
slider move), and its 64 entries could have held 4 GB. Here one object serves every session: its
arrays are made read-only, so no page can change what another session sees. The cache holds at most
CACHE_BYTES, least recently used out first (cachetools.LRUCache weighed by ``nbytes``); a class
asking for the same settings at once computes them once (the others wait on ``_ready``).
"""
import dataclasses
import threading

import numpy as np
from cachetools import LRUCache, cached

from core.gradients import experiment, theory

CACHE_BYTES = 512 * 2**20      # ~8 runs at the largest settings; a few hundred at the defaults


def nbytes(obj):
    """The bytes of every array in a result (dataclasses, dicts, tuples and lists of them)."""
    return sum(a.nbytes for a in _arrays(obj)) + 1024


def read_only(obj):
    for a in _arrays(obj):
        a.flags.writeable = False
    return obj


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _arrays(getattr(obj, f.name))
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _arrays(v)
    elif isinstance(obj, (tuple, list)):
        for v in obj:
            yield from _arrays(v)


_results = LRUCache(maxsize=CACHE_BYTES, getsizeof=nbytes)
_ready = threading.Condition()


def _key(name):
    return lambda *args: (name, *args)


@cached(_results, key=_key("run"), condition=_ready)
def gradient_run(setup: experiment.GradientSetup) -> experiment.GradientRun:
    return read_only(experiment.run(setup))


@cached(_results, key=_key("transport"), condition=_ready)
def transport(setup: experiment.GradientSetup, sequence: int):
    return read_only(experiment.transport(gradient_run(setup), sequence))


@cached(_results, key=_key("contributions"), condition=_ready)
def temporal_contributions(setup: experiment.GradientSetup):
    run = gradient_run(setup)
    return read_only(theory.temporal_contributions(setup.model, run.trace, run.grads))
