import threading

from core.train import TrainConfig
from ui import train_cache, train_process


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
        train_cache.trained(cfg, on_wait=lambda: (waits.append(1), release.set()))))
    second.start()
    first.join(20)
    second.join(20)
    assert len(calls) == 1 and len(results) == 2 and results[0] is results[1]
    assert waits, "the second session waited for the first run instead of training"
