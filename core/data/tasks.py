"""The tasks a network can be trained on: what each one asks, and batches of it.

    batch = make_batch("adding", seq_len=50, batch_size=32, rng=np.random.default_rng(0))
    batch.x (T, B, D), batch.target (T, B, O) or (T, B) labels, batch.mask (T, B)

``series`` is a person's own table: ``series_batch(data, ...)`` cuts it into windows as the built-in
weather tasks are cut, and ``standardize`` (from core.data.series) gives the units to show forecasts in.
"""
from dataclasses import dataclass

import numpy as np

from core.data import series as ts
from core.data import synthetic as syn
from core.data.series import Scaler, standardize  # noqa: F401  (part of this module's API)
from core.numerics.validate import as_array, whole

SERIES = "series"


@dataclass(frozen=True, eq=False)
class Batch:
    x: np.ndarray            # (T, B, D)
    target: np.ndarray       # (T, B, O) floats for regression, (T, B) int labels for classification
    mask: np.ndarray         # (T, B) 1 where a step carries a loss
    kind: str                # "regression" | "classification"


@dataclass(frozen=True)
class TaskInfo:
    name: str
    title: str
    description: str
    input_size: int
    output_size: int
    kind: str
    baseline: float | None   # loss of the trivial predictor
    baseline_text: str
    min_seq_len: int
    max_seq_len: int | None


@dataclass(frozen=True)
class _Task:
    title: str
    description: str
    sizes: tuple             # (D, O)
    kind: str
    make: object             # (T, B, rng) -> x, target, mask
    baseline: object         # () -> float
    baseline_text: str       # formatted with the baseline
    min_len: int = 2
    rows: object = None      # () -> rows of a finite series: windows need seq_len + 1 of them


def _vega(name):
    return lambda T, B, rng: ts.windows(ts.vega_series(name)[0], T, B, rng) + (np.ones((T, B)),)


def _vega_baseline(name):
    return lambda: ts.persistence_mse(ts.vega_series(name)[0])


_REGISTRY = {
    "sine": _Task(
        "Sum of sine waves",
        "Predict the next value of a wave made of two or three sines with random speeds and phases.",
        (1, 1), "regression", syn.sine, syn.sine_persistence,
        "repeating the last value gives {:.3f}"),
    "lorenz": _Task(
        "Lorenz attractor",
        "Predict the next point (X, Y, Z) of the chaotic Lorenz system, a butterfly-shaped path "
        "that never repeats.",
        (3, 3), "regression", lambda T, B, rng: ts.lorenz(T, B, rng) + (np.ones((T, B)),),
        ts.lorenz_baseline, "repeating the last point gives {:.3f}",
        rows=lambda: ts.LORENZ_SAMPLES),
    "adding": _Task(
        "Adding problem",
        "Two of the numbers in the sequence are marked, one near the start; at the end, output "
        "their sum. Everything in between is noise to ignore.",
        (2, 1), "regression", syn.adding, lambda: 1.0 / 6.0,
        "always predicting 1 gives {:.3f}"),
    "temporal_order": _Task(
        "Temporal order",
        "Among random letters, X or Y appears twice, early on; at the end, say which two appeared "
        "and in what order (XX, XY, YX or YY).",
        (len(syn.SYMBOLS), len(syn.CLASSES)), "classification", syn.temporal_order,
        lambda: float(np.log(len(syn.CLASSES))), "guessing among the 4 classes gives {:.3f}",
        min_len=4),
    "copy_first": _Task(
        "Remember the first symbol",
        f"The first step shows one of {syn.K_COPY} symbols; at the last step, say which one it was.",
        (syn.K_COPY + 2, syn.K_COPY), "classification", syn.copy_first,
        lambda: float(np.log(syn.K_COPY)), f"guessing among the {syn.K_COPY} symbols gives {{:.3f}}"),
    "weather": _Task(
        "Seattle weather",
        "Predict tomorrow's highest and lowest temperature, rain and wind in Seattle from the "
        "days before (2012-2015).",
        (4, 4), "regression", _vega("weather"), _vega_baseline("weather"),
        "saying tomorrow is like today gives {:.3f}", rows=lambda: len(ts.vega_series("weather")[0])),
    "seattle_temps": _Task(
        "Seattle hourly temperature",
        "Predict the next hour's temperature in Seattle (2010) from the hours before.",
        (1, 1), "regression", _vega("seattle_temps"), _vega_baseline("seattle_temps"),
        "saying the next hour is like this one gives {:.3f}",
        rows=lambda: len(ts.vega_series("seattle_temps")[0])),
}
TASKS = tuple(_REGISTRY)


def _task(task):
    if task == SERIES:
        raise ValueError("task 'series' needs your data: use series_batch(data, seq_len, batch_size, rng)")
    if task not in _REGISTRY:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}")
    return _REGISTRY[task]


def check_seq_len(task, seq_len):
    """Raise a ValueError unless ``task`` can make sequences of ``seq_len`` steps."""
    spec = _task(task)
    hi = spec.rows() - 1 if spec.rows else None
    why = f" for the {task} task"
    if task == "temporal_order":
        why += " (B, two X/Y symbols and E need their own steps)"
    elif hi is not None:
        why += f" (it has {hi + 1} steps; a window needs seq_len + 1)"
    return whole("seq_len", seq_len, spec.min_len, hi, why)


def task_info(task, series=None):
    """What ``task`` asks, in plain words, and the loss of the trivial predictor. For ``"series"``,
    pass the person's data ``series (N, D)``: its baseline is persistence on the standardized data."""
    if task == SERIES:
        z, _ = standardize(_check_series(series, 2))
        D = z.shape[1]
        return TaskInfo(SERIES, "Your data", "Predict the next row of your table from the rows before.",
                        D, D, "regression", ts.persistence_mse(z),
                        "saying the next row is like this one gives {:.3f}".format(ts.persistence_mse(z)),
                        2, len(z) - 1)
    spec = _task(task)
    b = float(spec.baseline())
    return TaskInfo(task, spec.title, spec.description, spec.sizes[0], spec.sizes[1], spec.kind, b,
                    spec.baseline_text.format(b), spec.min_len, spec.rows() - 1 if spec.rows else None)


def make_batch(task, seq_len, batch_size, rng):
    """A fresh batch of ``task``, drawn from the NumPy Generator ``rng``."""
    spec = _task(task)
    T = check_seq_len(task, seq_len)
    B = whole("batch_size", batch_size, 1)
    x, target, mask = spec.make(T, B, rng)
    return Batch(x=x, target=target, mask=mask, kind=spec.kind)


def _check_series(data, seq_len):
    data = as_array("data", data, 2)
    if len(data) < seq_len + 1:
        raise ValueError(f"data has {len(data)} rows; a window of seq_len = {seq_len} needs "
                         f"seq_len + 1 = {seq_len + 1} rows: use more rows or a shorter seq_len")
    return data


def series_batch(data, seq_len, batch_size, rng):
    """Random windows of a person's table ``data (N, D)``, as given (standardize it first):
    x = window[:-1], target = window[1:], a loss on every step."""
    T = whole("seq_len", seq_len, 2)
    B = whole("batch_size", batch_size, 1)
    data = _check_series(data, T)
    x, target = ts.windows(data, T, B, rng)
    return Batch(x=x, target=target, mask=np.ones((T, B)), kind="regression")
