"""core.numerics.memory hands a large array out again only when nothing holds it, and keeps a bounded
amount of such arrays; the passes that use it give the same numbers with and without reuse."""
import threading

import numpy as np
import pytest

from core.networks import lstm, rnn
from core.numerics import memory

BIG = (64, 128, 128)                      # 8 MB: above memory.MIN_BYTES


def address(a):
    return a.__array_interface__["data"][0]


@pytest.fixture(autouse=True)
def empty_pool(monkeypatch):
    monkeypatch.setattr(memory, "_kept", [])


def test_an_array_nobody_holds_is_handed_out_again():
    a = memory.empty(BIG)
    where = address(a)
    del a
    b = memory.empty(BIG)
    assert address(b) == where and b.shape == BIG and b.dtype == np.float64


@pytest.mark.parametrize("keep", [lambda a: a, lambda a: a[3], lambda a: a.transpose(2, 0, 1)[1:],
                                  lambda a: a.reshape(-1), lambda a: memoryview(a)])
def test_an_array_still_held_through_any_view_is_not_handed_out(keep):
    a = memory.empty(BIG)
    where = address(a)
    held = keep(a)
    del a
    b = memory.empty(BIG)
    assert address(b) != where
    assert held is not None


def test_small_arrays_are_numpys_own_and_not_kept():
    a = memory.empty((10, 10))
    assert a.shape == (10, 10) and memory.kept_bytes() == (0, 0)


def test_a_larger_array_serves_a_smaller_request_up_to_twice_its_size():
    a = memory.empty((100, 128, 128))
    where = address(a)
    del a
    assert address(memory.empty((60, 128, 128))) == where     # 100 <= 2 x 60
    c = memory.empty((100, 128, 128))
    where = address(c)
    del c
    small = memory.empty((40, 128, 128))                        # 100 > 2 x 40: a new one
    assert address(small) != where


def test_arrays_nobody_holds_are_kept_up_to_the_limit_least_recently_used_first(monkeypatch):
    monkeypatch.setattr(memory, "LIMIT_BYTES", 20 << 20)
    sizes = [(k, 128, 128) for k in (64, 70, 80, 90, 100)]      # 8.4 to 13 MB each, all different
    for shape in sizes:
        memory.empty(shape)                                     # dropped at once
        free, total = memory.kept_bytes()
        assert free <= memory.LIMIT_BYTES and free == total
    assert [b.size for b in memory._kept] == [100 * 128 * 128]  # the last one; the others let go


def test_arrays_in_use_are_not_counted_against_the_limit_nor_let_go(monkeypatch):
    monkeypatch.setattr(memory, "LIMIT_BYTES", 10 << 20)
    held = [memory.empty(BIG) for _ in range(4)]                # 33 MB in use
    assert memory.kept_bytes() == (0, sum(a.nbytes for a in held))
    held.pop()
    assert memory.kept_bytes()[0] == 8 << 20


def test_threads_asking_at_once_never_share_an_array():
    seen, go = [], threading.Barrier(8)

    def ask():
        go.wait()
        for _ in range(50):
            a = memory.empty(BIG)
            a.fill(threading.get_ident())
            seen.append(bool((a == threading.get_ident()).all()))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 400 and all(seen)


@pytest.mark.parametrize("mod", [lstm, rnn])
def test_a_held_trace_is_untouched_by_later_passes_and_reuse_changes_no_number(mod):
    """The second and third passes run on memory the pool handed out again (the first pass's arrays
    were dropped), while the trace of the other input is held; every number equals a pass on fresh
    memory."""
    rng = np.random.default_rng(0)
    T, B, D, H, O = 300, 32, 3, 64, 2                             # arrays of 5 to 20 MB
    params = mod.init_params(D, H, O, seed=0)
    x1, x2 = rng.standard_normal((2, T, B, D))
    dy = rng.standard_normal((T, B, O))

    def run(x):
        tr = mod.forward(params, x)
        return tr, mod.backward(params, tr, dy)

    tr1, g1 = run(x1)
    fresh = {"h": tr1.h.copy(), "dh": g1.dh.copy(), **{k: v.copy() for k, v in g1.params.items()}}
    where = address(tr1.h.base if tr1.h.base is not None else tr1.h)
    del tr1, g1
    tr2, g2 = run(x2)                                           # on the first pass's memory
    assert address(tr2.h.base if tr2.h.base is not None else tr2.h) == where
    tr3, g3 = run(x1)                                           # while the second is held
    assert np.array_equal(tr3.h, fresh["h"]) and np.array_equal(g3.dh, fresh["dh"])
    assert all(np.array_equal(g3.params[k], fresh[k]) for k in g3.params)
    assert not np.shares_memory(tr2.h, tr3.h)
    kept_h = tr2.h.copy()
    run(x1)
    assert np.array_equal(tr2.h, kept_h)


def test_the_bound_is_read_from_the_environment_and_a_bad_value_is_said(monkeypatch):
    monkeypatch.delenv("BPTT_LENS_POOL_MB", raising=False)
    assert memory.limit_bytes() == memory.DEFAULT_MB << 20
    monkeypatch.setenv("BPTT_LENS_POOL_MB", "128")
    assert memory.limit_bytes() == 128 << 20
    monkeypatch.setenv("BPTT_LENS_POOL_MB", "0")
    assert memory.limit_bytes() == 0
    for bad in ("-1", "lots", "nan", "inf"):
        monkeypatch.setenv("BPTT_LENS_POOL_MB", bad)
        with pytest.raises(ValueError, match="BPTT_LENS_POOL_MB must be a number of megabytes"):
            memory.limit_bytes()


def test_with_a_bound_of_0_no_array_nobody_holds_is_kept(monkeypatch):
    monkeypatch.setattr(memory, "LIMIT_BYTES", 0)
    for k in (64, 70, 64):
        memory.empty((k, 128, 128))
        assert memory.kept_bytes() == (0, 0)


def test_arrays_let_go_meanwhile_are_trimmed_at_the_next_request_even_when_it_reuses_one(monkeypatch):
    monkeypatch.setattr(memory, "LIMIT_BYTES", 20 << 20)
    held = [memory.empty(BIG) for _ in range(5)]               # 42 MB in use, then all let go
    del held
    memory.empty(BIG)                                           # reuses one, lets go of others
    assert memory.kept_bytes()[0] <= memory.LIMIT_BYTES


def test_an_array_made_read_only_by_the_cache_comes_back_writeable():
    a = memory.empty(BIG)
    where = address(a)
    a.flags.writeable = False                                   # what ui.runtime.cache does
    del a
    b = memory.empty(BIG)
    assert address(b) == where
    b.fill(1.0)
