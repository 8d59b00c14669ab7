"""The store of finished runs (ui/runtime/store.py): bounded on disk and in memory, shared between
processes on one machine, and what it gives back cannot be changed by a page."""
import os
import subprocess
import sys

import numpy as np
import pytest

from ui.runtime.store import Store, size_limit_mb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALUE_BYTES = 100_000


def value(i):
    return {"w": np.full(VALUE_BYTES // 8, float(i))}          # ~100 kB of float64


def test_the_disk_holds_at_most_its_size_and_drops_the_least_recently_used(tmp_path):
    store = Store(str(tmp_path), mb=1)
    for i in range(40):                                        # ~4 MB into a 1 MB store
        store.put(f"run-{i}", value(i))
        assert store.volume() <= store.limit + 2 * VALUE_BYTES
    assert store.disk.get("run-39")["w"][0] == 39
    assert store.disk.get("run-0") is None
    kept = sum(store.disk.get(f"run-{i}") is not None for i in range(40))
    assert 3 <= kept < 40
    assert store.memory.currsize <= store.limit                # the memory cache is bounded too


def test_a_value_read_back_is_read_only_and_served_from_memory(tmp_path):
    store = Store(str(tmp_path), mb=10)
    store.put("a", value(1))
    fresh = Store(str(tmp_path), mb=10)                        # another process's view: disk only
    got = fresh.get("a")
    assert got["w"][0] == 1 and not got["w"].flags.writeable
    assert fresh.get("a") is got                               # the same object for every session
    with pytest.raises(ValueError):
        got["w"][0] = 2


CHILD = """
import sys, numpy as np
from ui.runtime.store import Store
store = Store(sys.argv[1], mb=10)
if sys.argv[2] == "put":
    store.put("from-child", {"w": np.arange(5.0)})
else:
    print(float(store.get("from-parent")["w"].sum()))
"""


def test_two_processes_share_the_runs(tmp_path):
    def child(action):
        return subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), action], cwd=ROOT, timeout=60,
                              capture_output=True, text=True, check=True).stdout

    child("put")
    store = Store(str(tmp_path), mb=10)
    assert list(store.get("from-child")["w"]) == [0, 1, 2, 3, 4]
    store.put("from-parent", {"w": np.arange(4.0)})
    assert child("get").strip() == "6.0"


def test_the_size_comes_from_the_environment_and_a_bad_one_is_refused(monkeypatch):
    monkeypatch.setenv("BPTT_LENS_STORE_MB", "64")
    assert size_limit_mb() == 64
    for bad in ("lots", "0", "-5", "inf"):
        monkeypatch.setenv("BPTT_LENS_STORE_MB", bad)
        with pytest.raises(ValueError, match="BPTT_LENS_STORE_MB must be a number of megabytes"):
            size_limit_mb()
