"""Finished training runs, kept on disk and shared by every server process on the machine.

A diskcache.Cache (SQLite index, one file per large value) in BPTT_LENS_STORE, by default a directory
of this user's in the machine's temp dir: replicas on one machine find each other's runs, and a
restarted server finds them still there. It holds at most BPTT_LENS_STORE_MB megabytes (default
DEFAULT_MB), least recently used out first. Pickled, an LSTM run at the pages' largest sizes (T = 200,
H = 128) takes 0.55 MB for its weights and probes, plus up to 25 bytes a step: under 0.7 MB at 5000 steps;
at the lab's defaults (H = 32, 3000 steps) about 0.1 MB. The default keeps hundreds to thousands of runs.

In front of it, each process keeps a bounded memory cache: one read-only History serves every session
(ui.runtime.cache.read_only), with no unpickling at every rerun. Values are our own Histories, pickled
by diskcache; the directory is created readable by this user only.
"""
import os
import tempfile
import threading

import diskcache
from cachetools import LRUCache

from core.numerics.validate import megabytes_from_env
from ui.runtime.cache import nbytes, read_only

DEFAULT_MB = 512
MEMORY_BYTES = 128 * 2**20


def directory():
    return (os.environ.get("BPTT_LENS_STORE", "").strip()
            or os.path.join(tempfile.gettempdir(), f"bptt-lens-store-{os.getuid()}"))


def size_limit_mb():
    """BPTT_LENS_STORE_MB, or DEFAULT_MB when it is unset (a bad value is an error at start)."""
    return megabytes_from_env("BPTT_LENS_STORE_MB", DEFAULT_MB)


class Store:
    """``get(key)`` / ``put(key, value)`` on disk, with a memory cache in front."""

    def __init__(self, path=None, mb=None):
        self.path = path or directory()
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        self.limit = int((mb or size_limit_mb()) * 2**20)
        self.disk = diskcache.Cache(self.path, size_limit=self.limit,
                                    eviction_policy="least-recently-used")
        self.memory = LRUCache(maxsize=min(MEMORY_BYTES, self.limit), getsizeof=nbytes)
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.memory:
                return self.memory[key]
        value = self.disk.get(key)
        if value is not None:
            self._remember(key, read_only(value))
        return value

    def put(self, key, value):
        self.disk.set(key, value)
        self._remember(key, read_only(value))

    def _remember(self, key, value):
        with self.lock:
            if nbytes(value) <= self.memory.maxsize:
                self.memory[key] = value

    def volume(self):
        """Bytes on disk (the index and the value files)."""
        return self.disk.volume()

    def close(self):
        self.disk.close()


_store = None
_store_lock = threading.Lock()


def store():
    """The process's Store, opened on first use."""
    global _store
    with _store_lock:
        if _store is None:
            _store = Store()
        return _store
