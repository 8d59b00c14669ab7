"""A training page's runs while they go: which runs the page shows, and a fragment that redraws them.

A Train press (or a first visit, or new data) submits the runs to the engine (ui.runtime.engine) and
the rerun answers at once. Until every shown run has finished, ``watch`` draws each run's state and
its loss and gradient charts so far, in an ``st.fragment`` that reruns every REFRESH seconds on its
own, so the rest of the page stays usable; when the last run finishes it reruns the whole page, which
then draws the finished runs and no longer calls the fragment, so the refreshing stops.
"""
import threading
from collections import Counter

import streamlit as st

from ui.figures import training as tf
from ui.readings import training as readings
from ui.page.text import plain
from ui.page.widgets import reading
from ui.runtime import engine

REFRESH = 0.5               # seconds between redraws of a live run: twice a second
GOING = ("queued", "running")
_viewers = Counter()        # run key -> sessions of this process showing it
_viewers_lock = threading.Lock()


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
    runs = [(label, s.history) for label, s in zip(labels, states)
            if s.history is not None and len(s.history.loss)]
    if not runs:
        return
    st.vega_lite_chart(tf.loss_chart(runs, info).to_dict(validate=False), key="live-loss")
    reading(readings.loss_reading(runs, info))
    st.subheader("Clipping: the gradient's size at every step")
    st.vega_lite_chart(tf.grad_chart(runs).to_dict(validate=False), key="live-grad")
    reading(readings.grad_reading(runs))
