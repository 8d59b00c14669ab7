"""The training engine (ui/runtime/engine.py) on the embedded Dask cluster: identical requests share
one task, progress arrives while a run goes, a stop frees the worker, failures and a killed worker are
said in words, an unreachable scheduler too, and the app goes on. Small runs; every wait is bounded."""
import os
import signal
import socket
import time

import numpy as np
import pytest

import apptest
from core.training import train as core_train
from core.training.config import TrainConfig
from ui.runtime import cluster, engine, job

WAIT = 120                  # seconds any state may take to arrive on a loaded 2-core machine
SMALL = dict(model="lstm", task="adding", seq_len=10, hidden_size=8, probe_every=10)
LONG = dict(SMALL, model="rnn", seq_len=50)     # never solves: a run that is still going when looked at


@pytest.fixture
def runs():
    """Keys submitted by a test; whatever is still going is stopped after it."""
    keys = []
    yield keys
    for key in keys:
        engine.stop(key)


@pytest.fixture(scope="module", autouse=True)
def embedded_cluster():
    yield
    cluster.close()


def wait_for(key, condition, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while True:
        s = engine.status(key)
        if condition(s):
            return s
        assert time.monotonic() < deadline, f"{key}: still {s}"
        time.sleep(0.1)


def finished(s):
    return s.state not in ("queued", "running")


def starts_of(key):
    """How many times a worker started computing ``key`` (its step-0 events)."""
    return sum(1 for _, msg in cluster.client().get_events(job.TOPIC)
               if msg["key"] == key and msg["step"] == 0)


def test_identical_requests_from_two_clients_share_one_task(runs):
    from distributed import Client
    cfg = TrainConfig(**SMALL, steps=400, seed=11)
    key = engine.submit(cfg)
    runs.append(key)
    assert engine.submit(TrainConfig(**SMALL, steps=400, seed=11)) == key       # another session
    other = Client(cluster.client().scheduler.address, set_as_default=False, timeout=30)  # a replica
    try:
        twin = other.submit(job.run, cfg, None, key=key, pure=False)
        assert twin.result(timeout=WAIT).loss.shape == (400,)
    finally:
        other.close()
    done = wait_for(key, finished)
    assert done.state == "done" and starts_of(key) == 1
    assert engine.submit(cfg) == key and starts_of(key) == 1                     # kept: no new task
    np.testing.assert_array_equal(done.history.loss, core_train.train(cfg).loss)  # bit for bit


def test_progress_arrives_while_it_trains_with_the_history_so_far(runs):
    cfg = TrainConfig(**LONG, steps=3000, seed=12)
    key = engine.submit(cfg)
    runs.append(key)
    s = wait_for(key, lambda s: s.state == "running" and s.step > 0)
    assert s.steps == 3000 and s.step <= len(s.history.loss) <= 3000 and s.history.params == {}
    later = wait_for(key, lambda t: t.step > s.step)
    assert len(later.history.loss) > len(s.history.loss)
    np.testing.assert_array_equal(later.history.loss[:len(s.history.loss)], s.history.loss)


def executing():
    return sum(cluster.client().run(lambda dask_worker: len(dask_worker.state.executing)).values())


def test_a_stopped_run_frees_its_worker_and_a_new_press_runs_it_again(runs):
    cfg = TrainConfig(**LONG, steps=50_000, seed=13)
    key = engine.submit(cfg)
    runs.append(key)
    wait_for(key, lambda s: s.state == "running" and s.step > 0)
    engine.stop(key)
    assert engine.status(key).state == "stopped"
    assert "press Train" in engine.status(key).message
    deadline = time.monotonic() + 30
    while executing():
        assert time.monotonic() < deadline, "the stopped run still holds a worker"
        time.sleep(0.2)
    assert engine.submit(cfg) == key and engine.status(key).state in ("queued", "running")


def test_a_failure_says_what_went_wrong_in_the_pages_words(runs):
    cfg = TrainConfig(model="rnn", task="series", seq_len=60, hidden_size=8, steps=20)
    key = engine.submit(cfg, series=np.sin(np.arange(40.0))[:, None])
    runs.append(key)
    s = wait_for(key, finished)
    assert s.state == "failed" and s.message.startswith("Window length T must be at most 39 for your data")

    def broken(*a, **k):
        raise RuntimeError("a bug in training")

    client = cluster.client()
    client.run(lambda: setattr(core_train, "_real_train", core_train.train) or setattr(core_train, "train", broken))
    try:
        key = engine.submit(TrainConfig(**SMALL, steps=20, seed=14))
        runs.append(key)
        s = wait_for(key, finished)
    finally:
        client.run(lambda: setattr(core_train, "train", core_train._real_train))
    assert s.state == "failed"
    assert s.message == ("Training failed: RuntimeError: a bug in training. Press Train to try again; "
                         "if it fails again, change a setting.")


def test_a_worker_killed_mid_run_is_retried_and_the_engine_goes_on(runs):
    cfg = TrainConfig(**LONG, steps=50_000, seed=15)
    key = engine.submit(cfg)
    runs.append(key)
    wait_for(key, lambda s: s.state == "running" and s.step > 0)
    client = cluster.client()
    (where,) = [w for w, keys in client.processing().items() if key in keys]
    os.kill(client.run(os.getpid, workers=[where])[where], signal.SIGKILL)
    # The scheduler gives the run to a worker again (ALLOWED_FAILURES = 1): it starts over.
    deadline = time.monotonic() + WAIT
    while starts_of(key) < 2:
        assert time.monotonic() < deadline, engine.status(key)
        assert engine.status(key).state in ("queued", "running")
        time.sleep(0.2)
    engine.stop(key)
    small = engine.submit(TrainConfig(**SMALL, steps=20, seed=16))
    runs.append(small)
    assert wait_for(small, finished).state == "done"


def test_a_worker_killed_twice_is_said_in_words():
    from distributed import KilledWorker
    words = engine.failure_words(KilledWorker("train-x", "tcp://127.0.0.1:1", allowed_failures=1))
    assert words.startswith("The worker process training this run stopped unexpectedly, twice")
    assert "Press Train to try again" in words


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def unreachable(monkeypatch):
    """BPTT_LENS_SCHEDULER names a port where nothing listens; the embedded cluster is set aside."""
    address = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv("BPTT_LENS_SCHEDULER", address)
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    monkeypatch.setattr(cluster, "_client", None)
    monkeypatch.setattr(cluster, "_failed", None)
    return address


def test_an_unreachable_scheduler_is_said_and_the_next_request_does_not_wait_again(unreachable):
    start = time.monotonic()
    key = engine.submit(TrainConfig(**SMALL, steps=20, seed=17))
    assert time.monotonic() - start < 0.5                             # the page does not wait
    s = wait_for(key, finished, timeout=30)
    assert s.state == "failed" and s.message.startswith(
        f"Training is unavailable: the training cluster named by BPTT_LENS_SCHEDULER ({unreachable}) "
        "could not be reached")
    assert "The other pages work" in s.message
    again = time.monotonic()
    engine.submit(TrainConfig(**SMALL, steps=20, seed=18))
    assert again - start < 30 and time.monotonic() - again < 0.5     # remembered, not retried at once


def test_the_training_page_says_so_and_the_app_keeps_running(unreachable):
    at = apptest.open_page("training", model="rnn", task="sine", steps=50, seq_len=10, hidden_size=8)
    deadline = time.monotonic() + 30
    while at.get("progress"):                   # queued while the app tries to reach the scheduler
        assert time.monotonic() < deadline
        time.sleep(0.25)
        at.run()
    assert len(at.error) == 1 and "Training is unavailable" in at.error[0].value
    assert at.button(key="train-button").label == "Train"
    at.switch_page("pages/bptt.py").run()
    assert not at.exception and not at.error


def test_many_sessions_asking_at_once_all_get_the_one_finished_run(runs):
    import threading
    cfg = TrainConfig(**SMALL, steps=60, seed=19)
    got, barrier = [], threading.Barrier(20)

    def session():
        barrier.wait()
        key = engine.submit(cfg)
        got.append(wait_for(key, finished).state)

    threads = [threading.Thread(target=session) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    runs.append(engine.run_key(cfg))
    assert got == ["done"] * 20 and starts_of(engine.run_key(cfg)) == 1


def test_workers_train_below_the_pages_priority():
    """A slider move's rerun must take the core before a training step: every thread of a worker,
    the task's too, runs at least NICENESS above the app's nice value."""
    from ui.runtime.worker_setup import NICENESS, priorities
    here = os.getpriority(os.PRIO_PROCESS, 0)
    task, threads = cluster.client().submit(priorities, pure=False).result(timeout=WAIT)
    assert task >= min(19, here + NICENESS)
    assert min(threads) >= min(19, here + NICENESS)


# --- A request made while the cluster starts --------------------------------------------------------
def test_a_run_asked_for_while_the_cluster_starts_is_queued_until_its_task_exists(monkeypatch):
    """Between the cluster coming up and the run's task being registered, a page that looks must find
    the run queued: found nowhere, it was said as "not running" and the page stopped refreshing (seen
    on a fresh server: Your data opened 5 s after start)."""
    import threading as th
    entered, release = th.Event(), th.Event()

    class Future:
        status = "pending"

    class SlowClient:                       # the cluster is up, and taking its time to accept a task
        def subscribe_topic(self, topic, handler):
            pass

        def submit(self, *args, **kwargs):
            entered.set()
            assert release.wait(WAIT)
            return Future()

        def run(self, *args, **kwargs):
            return {}

    slow = SlowClient()
    monkeypatch.setattr(engine.cluster, "ready", lambda: None)       # starting: the request waits
    monkeypatch.setattr(engine.cluster, "client", lambda: slow)
    monkeypatch.setattr(engine, "_subscribed", [None])
    key = engine.submit(TrainConfig(**LONG, steps=100, seed=77))
    try:
        assert engine.status(key).state == "queued"
        assert entered.wait(WAIT)               # its submission is under way
        assert engine.status(key).state == "queued"
        release.set()
        deadline = time.monotonic() + WAIT
        while key not in engine._futures:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert engine.status(key).state == "queued" and key not in engine._pending
    finally:
        release.set()
        with engine._lock:
            engine._futures.pop(key, None)
            engine._pending.pop(key, None)
