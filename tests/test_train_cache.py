import threading
import time

import pytest

from core.training import train as core_train
from core.training.train import TrainConfig
from ui.runtime import train_cache, train_process


def test_sessions_asking_for_the_same_run_at_once_train_it_once(monkeypatch):
    calls, started, release = [], threading.Event(), threading.Event()
    real = train_process.train

    def slow_train(cfg, series=None, on_progress=None):
        calls.append(cfg)
        started.set()
        release.wait(10)
        return real(cfg, series=series, on_progress=on_progress)

    monkeypatch.setattr(train_process, "train", slow_train)
    monkeypatch.setattr(train_cache, "_trained", train_cache.LRUCache(maxsize=4))
    cfg = TrainConfig(model="rnn", task="sine", seq_len=10, hidden_size=4, steps=5, seed=123)
    results, waits = [], []
    first = threading.Thread(target=lambda: results.append(train_cache.trained(cfg)))
    first.start()
    started.wait(10)
    second = threading.Thread(target=lambda: results.append(
        train_cache.trained(cfg, on_wait=lambda ahead: (waits.append(ahead), release.set()))))
    second.start()
    first.join(20)
    second.join(20)
    assert len(calls) == 1 and len(results) == 2 and results[0] is results[1]
    assert waits and set(waits) == {0}, "the second session waited for the first run instead of training"


def test_runs_of_different_settings_take_turns_first_come_first_served(monkeypatch):
    order, gates, seen = [], {s: threading.Event() for s in (1, 2, 3)}, {2: set(), 3: set()}

    def gated_train(cfg, series=None, on_progress=None):
        order.append(cfg.seed)
        gates[cfg.seed].wait(10)
        return core_train.train(cfg)

    monkeypatch.setattr(train_process, "train", gated_train)
    monkeypatch.setattr(train_cache, "_trained", train_cache.LRUCache(maxsize=8))
    cfgs = {s: TrainConfig(model="rnn", task="sine", seq_len=5, hidden_size=2, steps=2, seed=s) for s in (1, 2, 3)}

    def run(s, on_wait=None):
        return threading.Thread(target=train_cache.trained, args=(cfgs[s],), kwargs={"on_wait": on_wait})

    first = run(1)
    first.start()
    wait_until(lambda: order == [1])
    second = run(2, lambda ahead: seen[2].add(ahead))
    second.start()
    wait_until(lambda: 1 in seen[2])                       # queued behind the run that trains
    third = run(3, lambda ahead: seen[3].add(ahead))
    third.start()
    wait_until(lambda: 2 in seen[3])
    gates[1].set()
    wait_until(lambda: len(order) == 2)
    assert order == [1, 2], "the run queued second went first"
    gates[2].set()
    gates[3].set()
    for t in (first, second, third):
        t.join(10)
    assert order == [1, 2, 3] and 1 in seen[3] and not train_cache._queue


def test_a_run_stopped_while_it_waits_for_its_turn_leaves_the_queue(monkeypatch):
    release = threading.Event()

    def gated_train(cfg, series=None, on_progress=None):
        release.wait(10)
        return core_train.train(cfg)

    class Stop(Exception):
        pass

    def stop(ahead):
        raise Stop

    monkeypatch.setattr(train_process, "train", gated_train)
    monkeypatch.setattr(train_cache, "_trained", train_cache.LRUCache(maxsize=8))
    busy = threading.Thread(target=train_cache.trained,
                            args=(TrainConfig(model="rnn", task="sine", seq_len=5, hidden_size=2, steps=2, seed=8),))
    busy.start()
    wait_until(lambda: len(train_cache._queue) == 1)
    with pytest.raises(Stop):
        train_cache.trained(TrainConfig(model="rnn", task="sine", seq_len=5, hidden_size=2, steps=2, seed=9),
                            on_wait=stop)
    assert len(train_cache._queue) == 1                   # only the run that trains
    release.set()
    busy.join(10)
    assert not train_cache._queue


def wait_until(condition, timeout=10):
    """Threads under test report through shared lists; poll them (bounded), never sleep blindly."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the other threads"
        time.sleep(0.01)
