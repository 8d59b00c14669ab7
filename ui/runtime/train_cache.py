"""Finished training runs, chart specs and a person's tables, kept for reruns and other sessions.

Not st.cache_data: a first run must drive a live progress bar drawn outside the cached call (which
st.cache_data would try to record and replay), and a hit would unpickle a fresh copy of the History
on every rerun. A History is only read after training, so one object serves every session (its
arrays read-only, as in ui.runtime.cache). The caches are bounded (least recently used out first); a run at
the pages' largest settings (3000 steps, T = 100, H = 64) holds well under 1 MB, so they stay under
~30 MB.
"""
import hashlib
import threading
import time
from collections import deque

import numpy as np
import streamlit as st
from cachetools import LRUCache

from core.training import train as core_train
from ui.runtime import train_process
from ui.controls import upload
from ui.runtime.cache import read_only
from ui.page.text import plain

TRAINED_MAX = 32
_trained = LRUCache(maxsize=TRAINED_MAX)
_trained_lock = threading.Lock()


def data_key(series):
    """A short fingerprint of a person's data (N, D): part of the cache key next to the TrainConfig."""
    if series is None:
        return None
    a = np.ascontiguousarray(series, dtype=np.float64)
    return hashlib.sha256(repr(a.shape).encode() + a.tobytes()).hexdigest()[:24]


def trained_before(cfg, series=None):
    """The cached History of ``cfg`` (on ``series``), or None: no training happens here."""
    key = (cfg, data_key(series))
    with _trained_lock:
        return _trained.get(key)


_running = {}      # key -> threading.Event: a run in progress, which other sessions wait for
# One training at a time, in the one training process: it has the second core, the server keeps the
# first for every session's reruns (a class shares 2 cores). Runs take turns first come, first
# served; the head of the queue is the run that trains. Waiting runs can be interrupted.
_queue = deque()
_turn = threading.Condition()


def _wait_for_turn(me, on_wait):
    """Join the queue and return when ``me`` is at its head, calling ``on_wait(ahead)`` every 0.25 s
    meanwhile (``ahead``: runs before this one). Interrupted, ``me`` leaves the queue."""
    with _turn:
        _queue.append(me)
    try:
        while True:
            with _turn:
                if _queue[0] is me:
                    return
                ahead = _queue.index(me)
                _turn.wait(0.25)
            if on_wait is not None:
                on_wait(ahead)
    except BaseException:
        _leave(me)
        raise


def _leave(me):
    with _turn:
        _queue.remove(me)
        _turn.notify_all()


def trained(cfg, on_progress=None, series=None, on_wait=None):
    """core.training.train.train(cfg), once per config (and data), in the training process (ui.runtime.train_process):
    a rerun with the same settings is a lookup, and a class opening the same settings at once trains
    them once: the other sessions wait for that run. Different settings take turns. While waiting,
    ``on_wait(ahead)`` is called every 0.25 s (``ahead``: runs before this one, 0 while another
    session trains these settings), which lets Streamlit interrupt it. ``on_progress(step, loss)``
    is only called when training actually runs. An interrupted run stores nothing; a waiter then
    takes over."""
    key = (cfg, data_key(series))
    while True:
        with _trained_lock:
            if key in _trained:
                return _trained[key]
            event = _running.get(key)
            owner = event is None
            if owner:
                event = _running[key] = threading.Event()
        if owner:
            break
        while not event.wait(0.25):
            if on_wait is not None:
                on_wait(0)
    try:
        me = object()
        _wait_for_turn(me, on_wait)
        try:
            history = read_only(train_process.train(cfg, series=series, on_progress=on_progress))
        finally:
            _leave(me)
        with _trained_lock:
            _trained[key] = history
        return history
    finally:
        with _trained_lock:
            _running.pop(key, None)
        event.set()


@st.cache_data(max_entries=64, show_spinner=False)
def heldout_forecast(cfg: core_train.TrainConfig, key, start, _history, _series, max_points=1000):
    """One-step-ahead predictions for rows ``start``, ``start + 1``, ... (at most ``max_points``) of
    ``series (N, D)``, each from the ``cfg.seq_len`` true rows before it, in the data's own units:
    ``(rows, truth, prediction, persistence)``, ``rows`` indexing ``series``. ``key`` is the data's
    ``data_key``: with ``cfg`` it names the trained history."""
    T, scaler, series = cfg.seq_len, _history.scaler, _series
    rows = np.arange(start, min(len(series), start + max_points))           # (B,)
    z = scaler.apply(series)                                                 # (N, D)
    x = z[rows[None, :] - T + np.arange(T)[:, None]]                         # (T, B, D)
    pred = scaler.invert(core_train.predict(cfg, _history.params, x)[-1])   # (B, D)
    return rows, series[rows], pred, series[rows - 1]


def trained_with_progress(cfg, label, series=None):
    """``trained`` with a progress bar while a run that is not cached yet trains. The bar also lets a
    changed control stop this run at once: Streamlit interrupts a script at its next element update."""
    hit = trained_before(cfg, series)
    if hit is not None:
        return hit
    bar = st.progress(0.0, text=f"Training {label}: starting")
    first = None                    # (time, step) of this run's first news: its pace, not the queue's

    def on_progress(step, loss):
        nonlocal first
        if step is None:            # no news from the training process yet: still starting
            bar.progress(0.0, text=f"Training {label}: starting")
            return
        now = time.perf_counter()
        first = first or (now, step)
        left = (now - first[0]) / (step - first[1]) * (cfg.steps - step - 1) if step > first[1] else None
        bar.progress((step + 1) / cfg.steps, text=f"Training {label}: step {step + 1} of {cfg.steps}, "
                     f"loss {loss:.3g}" + ("" if left is None else f", about {left:.0f} s left")
                     + (" (change any setting to stop it)" if left and left > 10 else ""))

    def on_wait(ahead):
        bar.progress(0.0, text=f"Training {label}: waiting for another session's run of the same "
                               "settings" if ahead == 0 else f"Training {label}: waiting for its turn, "
                               f"{ahead} run{'s' if ahead > 1 else ''} ahead (one run trains at a time)")

    try:
        history = trained(cfg, on_progress=on_progress, series=series, on_wait=on_wait)
    except train_process.TrainingFailed as err:        # the page stops; the app and its links go on
        bar.empty()
        st.error(f"**{label}:** {plain(str(err))}", icon=":material/error:")
        st.stop()
    bar.empty()
    return history


# --- A person's table (pages/your_data.py): read once per file, the errors too ---------------------


@st.cache_data(max_entries=8, show_spinner=False)
def uploaded_table(name, raw: bytes):
    """ui.controls.upload.table_from_upload, once per file: a bad 5 MB file is not read again at every rerun."""
    return upload.table_from_upload(name, raw)


@st.cache_data(max_entries=4, show_spinner=False)
def builtin_table(name):
    return upload.builtin(name)


# --- Chart specs of finished runs ------------------------------------------------------------------
# Altair validates a chart against the Vega-Lite schema whenever it becomes a dict: ~40 ms a chart,
# at every rerun. A finished run's charts never change, so their dicts are kept, bounded like the runs.
SPECS_MAX = 128
_specs = LRUCache(maxsize=SPECS_MAX)


def chart_spec(key, build):
    """``build().to_dict()`` (an Altair chart), once per ``key``, for ``st.vega_lite_chart``. ``key``
    names everything the chart shows: the kind of chart and the runs' TrainConfigs (and data)."""
    with _trained_lock:
        if key in _specs:
            return _specs[key]
    spec = build().to_dict(validate=False)   # the schema check costs ~40 ms; tests validate
    with _trained_lock:
        _specs[key] = spec
    return spec
