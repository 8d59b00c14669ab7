"""What the training pages keep between reruns besides runs: a person's table read once, the held-out
forecast of a finished run, and the chart specs of finished runs."""
import threading

import altair as alt
import numpy as np
import streamlit as st
from cachetools import LRUCache
from streamlit import dataframe_util

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
# at every rerun; then st.vega_lite_chart turns each dataset (a list of row dicts) into a DataFrame and
# that into Arrow bytes, which was the busiest work of the whole server under a class's load. A
# finished run's charts never change, so their dicts are kept, bounded, with their data already bytes.
SPECS_MAX = 128
_specs = LRUCache(maxsize=SPECS_MAX)
_lock = threading.Lock()


def chart_spec(key, build):
    """``build().to_dict()`` (an Altair chart), once per ``key``, for ``st.vega_lite_chart``. ``key``
    names everything the chart shows: the kind of chart and the finished runs' keys."""
    with _lock:
        if key in _specs:
            return _specs[key]
    spec = vega_spec(build())
    with _lock:
        _specs[key] = spec
    return spec


def vega_spec(chart):
    """An Altair chart as the dict ``st.vega_lite_chart`` takes, its datasets already Arrow bytes.

    Altair's own path turns each DataFrame into a list of row dicts, and Streamlit turns those back
    into a DataFrame and then Arrow bytes at every call: together the busiest work of the server under
    a class's load. Here each DataFrame becomes Arrow bytes once, directly (the transformer Streamlit's
    own st.altair_chart uses, too); Streamlit passes bytes through as they are and copies the dict
    before it takes the datasets out, so one spec serves every rerun and session."""
    datasets, names = {}, {}

    def to_arrow(data):
        if id(data) not in names:          # one frame shared by a chart's layers: one dataset
            names[id(data)] = f"data-{len(names)}"
            datasets[names[id(data)]] = dataframe_util.convert_anything_to_arrow_bytes(data)
        return {"name": names[id(data)]}

    with _altair_lock:                      # Altair's transformer setting is global to the process
        alt.data_transformers.register(TRANSFORMER, lambda data: to_arrow(data))
        with alt.data_transformers.enable(TRANSFORMER):
            spec = chart.to_dict(validate=False)   # the schema check costs ~40 ms; tests validate
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


TRANSFORMER = "bptt-lens-arrow"
_altair_lock = threading.Lock()
