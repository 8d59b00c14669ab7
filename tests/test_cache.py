"""The shared result cache (ui.runtime.cache): one read-only object per setting for every session, computed
once when a class asks at the same moment, and bounded by the bytes its arrays hold."""
import pickle
import threading
import time

import numpy as np
import pytest
from cachetools import LRUCache

from core.gradients import experiment
from ui.runtime import cache

SETUP = experiment.GradientSetup(model="lstm", seq_len=40, hidden_size=16, batch_size=4, seed=31)


def test_a_run_is_one_read_only_object_shared_by_every_caller():
    run = cache.gradient_run(SETUP)
    assert cache.gradient_run(SETUP) is run
    for a in (run.trace.h, run.grads.dh, run.dh_norm, run.params["W_hf"], run.batch.x):
        with pytest.raises(ValueError, match="read-only"):
            a[...] = 0.0
    np.testing.assert_array_equal(run.dh_norm, experiment.run(SETUP).dh_norm)


def test_a_result_weighs_what_its_arrays_hold():
    run = cache.gradient_run(SETUP)
    assert 0.9 < cache.nbytes(run) / len(pickle.dumps(run, protocol=5)) < 1.1


def test_the_cache_drops_the_least_recently_used_results_past_its_byte_budget(monkeypatch):
    one = cache.nbytes(cache.gradient_run(SETUP))
    small = LRUCache(maxsize=int(2.5 * one), getsizeof=cache.nbytes)
    monkeypatch.setattr(cache.gradient_run, "cache", small)
    setups = [experiment.GradientSetup(**{**SETUP.__dict__, "seed": s}) for s in (1, 2, 3)]
    for s in setups:
        cache.gradient_run(s)
    assert ("run", setups[0]) not in small and ("run", setups[2]) in small
    assert small.currsize <= small.maxsize


def test_a_class_asking_for_the_same_setting_at_once_computes_it_once(monkeypatch):
    calls, real = [], experiment.run

    def slow_run(setup):
        calls.append(setup)
        time.sleep(0.3)
        return real(setup)

    monkeypatch.setattr(experiment, "run", slow_run)
    setup = experiment.GradientSetup(seq_len=30, seed=77)
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.gradient_run(setup))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1 and len(results) == 8 and all(r is results[0] for r in results)
