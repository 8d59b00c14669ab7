"""The task a Dask worker runs for one training run: core.training.train.train, with news on the way.

Every PROGRESS_EVERY seconds the worker logs an event on TOPIC (``worker.log_event``) with the History
so far, without the weights (the charts do not need them; the final History has them). Events must be
msgpack data, so the History travels pickled: only our own workers send them. At the same moments the
task asks its worker whether anyone still wants it: when every client released its future (the page's
settings changed, the session left), the scheduler cancels the task and the run stops within
PROGRESS_EVERY seconds, freeing the worker. Runs on the worker: no Streamlit here.
"""
import dataclasses
import pickle
import time

from distributed import get_worker

from core.training import train as core_train

TOPIC = "bptt-lens-progress"
PROGRESS_EVERY = 0.5        # seconds between progress events: news for each redraw (live.REFRESH = 1 s)


class Stopped(Exception):
    """No client wants this run any more."""


def progress_message(key, step, steps, history):
    """The event of a run at ``step`` of ``steps`` (``history``: so far, or None before the first)."""
    partial = None if history is None else dataclasses.replace(history, params={})
    return {"key": key, "step": step, "steps": steps, "history": pickle.dumps(partial)}


def wanted(worker, key):
    """Whether the scheduler still wants ``key`` computed on ``worker``."""
    ts = worker.state.tasks.get(key)
    return ts is not None and ts.state in ("executing", "long-running")


def run(cfg, series=None):
    """Train ``cfg`` (on ``series``) and return the History; None if it was stopped."""
    worker = get_worker()
    key = worker.get_current_task()
    last = time.monotonic()
    worker.log_event(TOPIC, progress_message(key, 0, cfg.steps, None))

    def on_step(step, history):
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY:
            return
        last = now
        if not wanted(worker, key):
            raise Stopped
        worker.log_event(TOPIC, progress_message(key, step + 1, cfg.steps, history))

    try:
        return core_train.train(cfg, on_step=on_step, series=series)
    except Stopped:
        return None
