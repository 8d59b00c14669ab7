"""Training in its own process (ui.runtime.train_process): the same History as in-process training, live
progress, a stop that leaves the process ready for the next run, and a crash said in words."""
import dataclasses
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from core.training import train as core_train
from core.training.train import TrainConfig
from ui.runtime import train_process

CFG = TrainConfig(model="lstm", task="sine", seq_len=10, hidden_size=8, steps=60, seed=5)


def assert_same_history(a, b):
    """Equal field by field, arrays bit for bit (a History holds arrays, dicts and a Scaler)."""
    assert type(a) is type(b)
    if dataclasses.is_dataclass(a) and not isinstance(a, TrainConfig):
        for f in dataclasses.fields(a):
            assert_same_history(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same_history(a[k], b[k])
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def test_the_training_process_gives_the_history_of_in_process_training_bit_for_bit():
    assert_same_history(train_process.train(CFG), core_train.train(CFG))


def test_series_data_crosses_to_the_process():
    series = np.sin(np.arange(300)[:, None] * [0.1, 0.23]) + np.arange(300)[:, None] * 0.01   # (N, D)
    cfg = TrainConfig(model="rnn", task="series", seq_len=12, hidden_size=6, steps=40, seed=1)
    assert_same_history(train_process.train(cfg, series=series), core_train.train(cfg, series=series))


def test_progress_arrives_while_it_trains():
    seen = []
    cfg = dataclasses.replace(CFG, steps=400)
    h = train_process.train(cfg, on_progress=lambda step, loss: seen.append((step, loss)))
    steps = [s for s, _ in seen if s is not None]
    assert steps, "no progress while a 400-step run trained"
    assert steps == sorted(steps) and 0 <= steps[0] and steps[-1] < cfg.steps
    step, loss = next((s, l) for s, l in seen if s is not None)
    assert loss == h.loss[step]


class Stop(Exception):
    """What Streamlit raises in a script that a new rerun interrupts."""


def test_a_stopped_run_stops_the_child_and_the_next_run_is_clean():
    def stop_at_first_news(step, loss):
        if step is not None:
            raise Stop

    with pytest.raises(Stop):
        train_process.train(dataclasses.replace(CFG, steps=100_000), on_progress=stop_at_first_news)
    pid = train_process._child[0].pid
    assert_same_history(train_process.train(CFG), core_train.train(CFG))     # no stale answer read
    assert train_process._child[0].pid == pid, "a stopped run should not cost a new process"


def test_a_crashed_training_process_is_said_in_words_and_replaced():
    def kill_it(step, loss):
        os.kill(train_process._child[0].pid, signal.SIGKILL)

    with pytest.raises(train_process.TrainingFailed, match="ended unexpectedly"):
        train_process.train(dataclasses.replace(CFG, steps=100_000), on_progress=kill_it)
    assert_same_history(train_process.train(CFG), core_train.train(CFG))


def test_settings_that_do_not_fit_the_data_raise_the_same_value_error():
    cfg = TrainConfig(model="rnn", task="series", seq_len=80, hidden_size=6, steps=10)
    series = np.arange(64.0)[:, None]                                                   # (N, D)
    with pytest.raises(ValueError) as in_process:
        core_train.train(cfg, series=series)
    with pytest.raises(ValueError) as in_child:
        train_process.train(cfg, series=series)
    assert str(in_child.value) == str(in_process.value) and "at most 63" in str(in_child.value)
    assert_same_history(train_process.train(CFG), core_train.train(CFG))     # and it goes on


def test_the_training_process_ends_with_a_killed_server():
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom core.training.train import TrainConfig\nfrom ui.runtime import train_process\n"
         "train_process.train(TrainConfig(model='rnn', task='sine', seq_len=5, hidden_size=2, steps=2))\n"
         "print(train_process._child[0].pid, flush=True)\ntime.sleep(60)"],
        cwd=train_process.ROOT, stdout=subprocess.PIPE, text=True)
    child = int(server.stdout.readline())
    os.kill(server.pid, signal.SIGKILL)                  # no atexit: the child must see its pipe close
    server.wait()
    deadline = time.monotonic() + 20
    while os.path.exists(f"/proc/{child}") and not _zombie(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{child}") or _zombie(child), "the training process outlived the server"


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_run_that_fails_in_the_child_leaves_it_ready_without_a_restart(monkeypatch):
    pid = train_process.train(CFG) and train_process._child[0].pid
    cfg = TrainConfig(model="rnn", task="series", seq_len=80, hidden_size=6, steps=10)
    monkeypatch.setattr(train_process, "STOP_GRACE", 0.0)      # a wrongly awaited answer kills it
    with pytest.raises(ValueError):
        train_process.train(cfg, series=np.arange(64.0)[:, None])
    assert train_process._child[0].pid == pid


def test_a_training_process_that_cannot_start_is_said_in_words(monkeypatch):
    train_process._kill()
    monkeypatch.setattr(train_process.sys, "executable", "/nonexistent/python")
    with pytest.raises(train_process.TrainingFailed, match="could not start"):
        train_process.train(CFG)
    monkeypatch.undo()
    assert_same_history(train_process.train(CFG), core_train.train(CFG))


def test_a_bug_in_a_run_is_said_as_one_and_the_process_goes_on():
    pid = train_process.train(CFG) and train_process._child[0].pid
    with pytest.raises(train_process.TrainingFailed, match="Training failed: AttributeError"):
        train_process.train("not a TrainConfig")
    assert train_process._child[0].pid == pid
    assert_same_history(train_process.train(CFG), core_train.train(CFG))
