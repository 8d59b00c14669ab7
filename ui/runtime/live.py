"""A training page's runs while they go: which runs the page shows, and a fragment that redraws them.

A Train press (or a first visit, or new data) submits the runs to the engine (ui.runtime.engine) and
the rerun answers at once. Until every shown run has finished, ``watch`` draws each run's state and
its loss and gradient charts so far, in an ``st.fragment`` that reruns every REFRESH seconds on its
own, so the rest of the page stays usable; when the last run finishes it reruns the whole page, which
then draws the finished runs and no longer calls the fragment, so the refreshing stops.

Redraws are the server's busiest work while a class trains: each builds two Altair charts (tens of
ms). ``live_charts`` builds them once per runs-and-progress and every session, and every refresh
that finds no new progress, reuses them.
"""
import threading
from collections import Counter

import streamlit as st
from cachetools import LRUCache

from ui.figures import training as tf
from ui.readings import training as readings
from ui.page.text import plain
from ui.page.widgets import reading
from ui.runtime import engine
from ui.runtime.page_cache import vega_spec

REFRESH = 1.0               # seconds between redraws of a live run (engine progress: every 0.5 s)
GOING = ("queued", "running")
_viewers = Counter()        # run key -> sessions of this process showing it
_viewers_lock = threading.Lock()
_charts = LRUCache(maxsize=64)          # (runs, their progress) -> the live charts and their readings
_charts_lock = threading.Lock()


def shown_runs(page, requests, pressed, data=None):
    """The runs the page shows: ``(configs, keys)``. ``requests``: ``[(cfg, series)]`` on the controls.

    They become the shown runs, and are submitted, when Train is pressed, on the page's first run in
    this session, and when the data (``data``: its fingerprint) changed; other reruns keep showing the
    last runs, whatever the controls say. A run replaced by new ones is stopped when no other session
    of this process shows it (a session that left still counts: its run goes on, and is kept)."""
    slot = f"shown-runs-{page}"
    kept = st.session_state.get(slot)
    if pressed or kept is None or kept[0] != data:
        keys = [engine.submit(cfg, series, priority=1) for cfg, series in requests]
        with _viewers_lock:
            _viewers.update(keys)
            _viewers.subtract(kept[2] if kept else ())
            unwatched = [old for old in (kept[2] if kept else ()) if _viewers[old] <= 0]
        for old in unwatched:
            engine.stop(old)
        kept = st.session_state[slot] = (data, [cfg for cfg, _ in requests], keys)
    return kept[1], kept[2]


def statuses(keys):
    return [engine.status(key) for key in keys]


def going(states):
    return any(s.state in GOING for s in states)


def stopped_runs(labels, states):
    """Say each run that failed or stopped, in words; True if there was one."""
    bad = [(label, s) for label, s in zip(labels, states) if s.state in ("failed", "stopped")]
    for label, s in bad:
        st.error(f"**{label}:** {plain(s.message)}", icon=":material/error:")
    return bool(bad)


@st.fragment(run_every=REFRESH)
def watch(keys, labels, info):
    """Each run's progress, and the loss and gradient charts of the runs so far."""
    states = statuses(keys)
    if not going(states):
        st.rerun()                          # the whole page: finished runs are drawn in full
    for label, s in zip(labels, states):
        fraction = 1.0 if s.state == "done" else (s.step / s.steps if s.steps else 0.0)
        st.progress(min(1.0, fraction), text=readings.status_words(label, s))
    charts = live_charts(keys, labels, states, info)
    if charts is None:
        return
    loss_spec, loss_words, grad_spec, grad_words = charts
    st.vega_lite_chart(loss_spec, key="live-loss")
    reading(loss_words)
    st.subheader("Clipping: the gradient's size at every step")
    st.vega_lite_chart(grad_spec, key="live-grad")
    reading(grad_words)


def live_charts(keys, labels, states, info):
    """(loss chart spec, its reading, gradient chart spec, its reading) of the runs so far, or None
    before any has a step. The same runs at the same progress are drawn once for every session."""
    runs = [(label, s.history) for label, s in zip(labels, states)
            if s.history is not None and len(s.history.loss)]
    if not runs:
        return None
    progress = (tuple(labels), tuple((key, -1 if s.history is None else len(s.history.loss))
                                     for key, s in zip(keys, states)))
    with _charts_lock:
        charts = _charts.get(progress)
    if charts is None:
        charts = (vega_spec(tf.loss_chart(runs, info, hover=False)), readings.loss_reading(runs, info),
                  vega_spec(tf.grad_chart(runs, hover=False)), readings.grad_reading(runs))
        with _charts_lock:
            _charts[progress] = charts
    return charts
