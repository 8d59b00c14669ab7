"""Runs trained when the server starts, so a class opening them finds them done: the Training lab at
its defaults and at each preset's link, and Your data at its default table.

They go to the engine (ui.runtime.engine) at a lower priority than any Train press, and this thread
collects each into the shared store as it finishes. Other modules add theirs with ``add(requests)``
(a list of ``(TrainConfig, series or None)``) before the server starts, or call ``precompute`` later.
"""
import time

from core.data import tables
from core.data.tasks import SERIES
from ui.controls import training as tc
from ui.controls import upload
from ui.controls.params import from_url
from ui.controls.presets import PRESETS
from ui.runtime import engine

PRIORITY = -1               # below a person's Train press (1)
WAIT = 1.0                  # seconds between looks at the runs still going
_extra = []


def add(requests):
    _extra.extend(requests)


def lab_requests():
    links = [{}] + [p.query for p in PRESETS if p.page == "pages/training.py"]
    out = []
    for query in links:
        values = from_url(tc.TRAIN_CONTROLS, query)
        out += [(cfg, None) for cfg in tc.runs_to_compare(tc.train_config(values), values["compare"])]
    return out


def data_requests():
    values = from_url(tc.DATA_CONTROLS, {})
    table, _, error = upload.builtin(values["source"])
    if error:
        return []
    series = tables.select_columns(table, upload.BUILTIN_COLUMNS[values["source"]])
    rows = series[:upload.Split.of(len(series)).n_train]
    return [(tc.train_config({**values, "task": SERIES}), rows)]


def precompute(requests=None, timeout=3600):
    """Submit ``requests`` (default: the lab's, Your data's and those added) and keep each as it
    finishes; returns ``{key: final state}``."""
    requests = requests if requests is not None else lab_requests() + data_requests() + _extra
    keys = list(dict.fromkeys(engine.submit(cfg, series, priority=PRIORITY) for cfg, series in requests))
    states, deadline = {}, time.monotonic() + timeout
    while len(states) < len(keys) and time.monotonic() < deadline:
        for key in keys:
            if key not in states:
                s = engine.status(key)          # a finished run goes into the store here
                if s.state not in ("queued", "running"):
                    states[key] = s.state
        time.sleep(WAIT)
    return states
