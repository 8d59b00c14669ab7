"""Training runs as tasks on the Dask cluster (ui.runtime.cluster): submit, watch, stop.

    key = submit(cfg)          # at once: the run's key; no waiting
    status(key)                # RunStatus: queued (position), running (step, History so far), done, ...
    stop(key)                  # this process no longer wants it

A run's key is a hash of its settings, its data and the training code, and it is also the Dask
task's key: identical requests from any session, in any replica on the same cluster, share one task
(the scheduler keeps one task per key), and a finished run is kept in the shared store
(ui.runtime.store) under the same key. A stopped run is cancelled when no client wants it any more
(ui.runtime.job). A worker that dies mid-run has its run retried once on another worker; after that
the run has failed and its status says so in words.
"""
import hashlib
import os
import pickle
import threading
from dataclasses import dataclass

import numpy as np
from distributed import KilledWorker

from core.training.train import History
from ui.runtime import cluster, job
from ui.runtime.store import store

STATES = ("queued", "running", "done", "failed", "stopped")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class RunStatus:
    state: str                  # one of STATES
    position: int | None        # queued: 1 = the next run on its worker; else None
    step: int                   # steps done
    steps: int | None           # steps the run will take (None: not known here)
    history: History | None     # so far (running: without weights), final (done), or None
    message: str | None         # words for the page (failed, stopped), or None


def _code_fingerprint():
    """A hash of the core's source: a stored run of older training code is not taken for a new one."""
    h = hashlib.sha256()
    for folder, _, files in sorted(os.walk(os.path.join(ROOT, "core"))):
        for name in sorted(f for f in files if f.endswith(".py")):
            with open(os.path.join(folder, name), "rb") as f:
                h.update(name.encode() + f.read())
    return h.hexdigest()


CODE = _code_fingerprint()


def data_key(series):
    """A short fingerprint of a person's data (N, D), or None."""
    if series is None:
        return None
    a = np.ascontiguousarray(series, dtype=np.float64)
    return hashlib.sha256(repr(a.shape).encode() + a.tobytes()).hexdigest()[:24]


def run_key(cfg, series=None):
    """The key of ``cfg`` on ``series``: the same for the same request in every process."""
    text = f"{CODE}|{cfg!r}|{data_key(series)}"
    return "train-" + hashlib.sha256(text.encode()).hexdigest()[:32]


_lock = threading.Lock()
_finish_lock = threading.Lock()
_futures = {}               # key -> distributed.Future this process holds
_steps = {}                 # key -> cfg.steps
_failures = {}              # key -> words: the cluster could not be reached for it
_pending = {}               # key -> (cfg, series, priority): asked for while the cluster started
_progress = {}              # key -> latest progress event (job.progress_message)
_decoded = {}               # key -> (step, History): the last event unpickled once
_subscribed = [None]        # the client subscribed to job.TOPIC


def _on_progress(event):
    """Runs in the client's event loop: keep the latest news of runs this process wants."""
    msg = event[1]
    if msg["key"] in _futures:
        _progress[msg["key"]] = msg


def submit(cfg, series=None, priority=0):
    """Ask for ``cfg`` trained (on ``series``); return its key at once. A run that is done, or
    already queued or running, is not started again; a failed or stopped one is."""
    key = run_key(cfg, series)
    if store().get(key) is not None:
        return key
    with _lock:
        if key in _futures and _futures[key].status in ("pending", "finished"):
            return key
    try:
        client = cluster.ready()
    except cluster.Unavailable as err:
        with _lock:
            _failures[key], _steps[key] = str(err), cfg.steps
        return key
    if client is None:                      # the cluster is starting: submitted once it is up
        with _lock:
            _pending[key], _steps[key] = (cfg, series, priority), cfg.steps
            _failures.pop(key, None)
        threading.Thread(target=_submit_pending, daemon=True).start()
        return key
    return _submit_to(client, key, cfg, series, priority)


def _submit_pending():
    """Once the cluster is up, submit the requests that came while it started. Each stays pending
    (a page says "queued") until its task is registered, so no page looks in between and finds it
    nowhere (which it would say as stopped, and stop refreshing)."""
    try:
        client = cluster.client()
    except cluster.Unavailable as err:
        with _lock:
            for key in list(_pending):
                _failures[key] = str(err)
                del _pending[key]
        return
    with _lock:
        waiting = dict(_pending)
    for key, (cfg, series, priority) in waiting.items():
        try:
            _submit_to(client, key, cfg, series, priority)
        except Exception as err:        # the cluster went away meanwhile: said, not kept queued
            with _lock:
                _pending.pop(key, None)
                _failures[key] = (f"The training cluster could not take this run ({err}). "
                                  "Press Train to try again.")


def _submit_to(client, key, cfg, series, priority):
    if _subscribed[0] is not client:
        client.subscribe_topic(job.TOPIC, _on_progress)
        _subscribed[0] = client
    future = client.submit(job.run, cfg, series, key=key, pure=False, priority=priority)
    with _lock:
        _futures[key], _steps[key] = future, cfg.steps
        _pending.pop(key, None)
        _failures.pop(key, None)
        _progress.pop(key, None)
        _decoded.pop(key, None)
    return key


def status(key):
    """Where the run ``key`` is now (never waits for it)."""
    with _lock:                             # one view of the three: a submit moves a key between them
        steps, future = _steps.get(key), _futures.get(key)
        pending, failure = key in _pending, _failures.get(key)
    if future is not None and future.status == "pending":
        return _in_flight(key, steps)       # no store lookup: a live page asks every second
    history = store().get(key)
    if history is not None:
        return RunStatus("done", None, len(history.loss), history.config.steps, history, None)
    if future is None:
        if pending:
            return RunStatus("queued", None, 0, steps, None, None)
        if failure is not None:
            return RunStatus("failed", None, 0, steps, None, failure)
        return RunStatus("stopped", None, 0, steps, None, "This run is not running: press Train to run it.")
    if future.status == "finished":
        return _finished(key, future)
    if future.status == "error":
        return RunStatus("failed", None, 0, steps, None, failure_words(future.exception(timeout=10)))
    if future.status != "pending":          # cancelled, or lost with the cluster
        _forget(key)
        return RunStatus("stopped", None, 0, steps, None, "This run was stopped: press Train to run it again.")
    return _in_flight(key, steps)


def _in_flight(key, steps):
    """A pending run: queued (at its position) until its worker's first news, then running."""
    news = _progress.get(key)
    if news is None:
        position = _queue_position(key)
        return RunStatus("queued", position, 0, steps, None, None)
    cached = _decoded.get(key)
    if cached is None or cached[0] != news["step"]:
        cached = _decoded[key] = (news["step"], pickle.loads(news["history"]))
    return RunStatus("running", None, news["step"], news["steps"], cached[1], None)


def _finished(key, future):
    """Take a finished run's History into the store, once, whichever session's status call asks
    first; the others find it there."""
    with _finish_lock:
        history = store().get(key)
        if history is None and _futures.get(key) is future:
            history = future.result(timeout=30)
            if history is not None:
                store().put(key, history)
            _forget(key)                    # the result lives in the store now, not in a worker
    if history is None:                     # it noticed a stop, then was wanted again
        return RunStatus("stopped", None, 0, _steps.get(key), None,
                         "This run was stopped: press Train to run it again.")
    return RunStatus("done", None, len(history.loss), history.config.steps, history, None)


def stop(key):
    """This process no longer wants ``key``: its task stops when no other client wants it either."""
    _forget(key)


def _forget(key):
    with _lock:
        future = _futures.pop(key, None)
        _progress.pop(key, None)
        _decoded.pop(key, None)
    if future is not None:
        future.release()


def failure_words(err):
    """What went wrong with a run, for the page."""
    if isinstance(err, KilledWorker):
        return ("The worker process training this run stopped unexpectedly, twice (it may have run out "
                "of memory). Press Train to try again; smaller settings need less memory.")
    if isinstance(err, ValueError):         # settings that do not fit the data: the text says which
        return str(err)
    return (f"Training failed: {type(err).__name__}: {err}. Press Train to try again; if it fails "
            "again, change a setting.")


_queue = {"at": -1.0, "ready": {}}          # the workers' lines, asked at most twice a second


def _worker_lines(dask_worker):
    """On a worker: the keys waiting for its thread, next first."""
    return [ts.key for ts in dask_worker.state.ready.sorted()]


def _queue_position(key):
    import time
    now = time.monotonic()
    if now - _queue["at"] > 0.5:
        try:
            lines = cluster.client().run(_worker_lines, wait=True)
        except (cluster.Unavailable, OSError, TimeoutError):
            lines = {}
        _queue.update(at=now, ready={waiting: place + 1 for line in lines.values()
                                     for place, waiting in enumerate(line)})
    return _queue["ready"].get(key)
