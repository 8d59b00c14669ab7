"""What the training pages keep between reruns besides runs: a person's table read once, the held-out
forecast of a finished run, and the chart specs of finished runs."""
import threading

import numpy as np
import streamlit as st
from cachetools import LRUCache

from core.training import train as core_train
from ui.controls import upload


@st.cache_data(max_entries=8, show_spinner=False)
def uploaded_table(name, raw: bytes):
    """ui.controls.upload.table_from_upload, once per file: a bad 5 MB file is not read again at every rerun."""
    return upload.table_from_upload(name, raw)


@st.cache_data(max_entries=4, show_spinner=False)
def builtin_table(name):
    return upload.builtin(name)


@st.cache_data(max_entries=64, show_spinner=False)
def heldout_forecast(cfg: core_train.TrainConfig, key, start, _history, _series, max_points=1000):
    """One-step-ahead predictions for rows ``start``, ``start + 1``, ... (at most ``max_points``) of
    ``series (N, D)``, each from the ``cfg.seq_len`` true rows before it, in the data's own units:
    ``(rows, truth, prediction, persistence)``, ``rows`` indexing ``series``. ``key`` is the run's
    key (ui.runtime.engine.run_key): with ``cfg`` it names the trained history."""
    T, scaler, series = cfg.seq_len, _history.scaler, _series
    rows = np.arange(start, min(len(series), start + max_points))           # (B,)
    z = scaler.apply(series)                                                 # (N, D)
    x = z[rows[None, :] - T + np.arange(T)[:, None]]                         # (T, B, D)
    pred = scaler.invert(core_train.predict(cfg, _history.params, x)[-1])   # (B, D)
    return rows, series[rows], pred, series[rows - 1]


# Altair validates a chart against the Vega-Lite schema whenever it becomes a dict: ~40 ms a chart,
# at every rerun. A finished run's charts never change, so their dicts are kept, bounded.
SPECS_MAX = 128
_specs = LRUCache(maxsize=SPECS_MAX)
_lock = threading.Lock()


def chart_spec(key, build):
    """``build().to_dict()`` (an Altair chart), once per ``key``, for ``st.vega_lite_chart``. ``key``
    names everything the chart shows: the kind of chart and the finished runs' keys."""
    with _lock:
        if key in _specs:
            return _specs[key]
    spec = build().to_dict(validate=False)   # the schema check costs ~40 ms; tests validate
    with _lock:
        _specs[key] = spec
    return spec
