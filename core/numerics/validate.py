"""Argument checks whose messages name the argument, its value and what is allowed."""
import math
import os

import numpy as np


def as_array(name, value, ndim, *, finite=True):
    """Return ``value`` as a float64 array of ``ndim`` dimensions, or raise a readable ValueError."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric; got {type(value).__name__}") from None
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions; got shape {arr.shape}")
    if finite and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)}); "
                         "all values must be finite numbers")
    return arr


def expect_shape(name, arr, shape):
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}; got {arr.shape}")


def check_sequence(x, input_size):
    """Validate the input sequence ``x (T, B, D)``."""
    x = as_array("x", x, 3)
    T, B, D = x.shape
    if T < 1:
        raise ValueError(f"x must have at least one time step (T >= 1); got T = {T}")
    if B < 1:
        raise ValueError(f"x must have at least one sequence in the batch (B >= 1); got B = {B}")
    if D != input_size:
        raise ValueError(f"x has input size D = {D}, but the parameters expect D = {input_size}")
    return np.ascontiguousarray(x)


def check_params(params, shapes):
    """``shapes`` maps each required key to its expected shape."""
    missing = [key for key in shapes if key not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {list(shapes)}")
    out = {}
    for key, shape in shapes.items():
        arr = as_array(f"params['{key}']", params[key], len(shape))
        expect_shape(f"params['{key}']", arr, shape)
        out[key] = arr
    return out


def check_state(name, value, B, H):
    """An initial state (B, H); ``None`` means zeros."""
    if value is None:
        return np.zeros((B, H))
    arr = as_array(name, value, 2)
    expect_shape(name, arr, (B, H))
    return arr


def whole(name, value, lo, hi=None, why="", *, or_none=False):
    """``value`` as an int if it is a whole number from ``lo`` to ``hi`` (no upper end if None), else a
    ValueError that names it, says what is allowed (``why`` after the range) and what came. A bool, a
    float (even 20.0) or a string is not a whole number here. ``or_none``: None is allowed too."""
    if or_none and value is None:
        return None
    ok = not isinstance(value, bool) and isinstance(value, (int, np.integer))
    if not ok or value < lo or (hi is not None and value > hi):
        allowed = f"a whole number >= {lo}" if hi is None else f"a whole number from {lo} to {hi}"
        raise ValueError(f"{name} must be {'None or ' if or_none else ''}{allowed}{why}; got {value!r}")
    return int(value)


def megabytes_from_env(name, default, *, zero_ok=False):
    """The environment variable ``name`` as a number of megabytes, or ``default`` when it is unset; a
    value that is not a finite number above 0 (or 0 itself, if ``zero_ok``) is a ValueError naming it."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        mb = float(raw)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and (mb > 0 or (zero_ok and mb == 0))):
        raise ValueError(f"{name} must be a number of megabytes {'0 or more' if zero_ok else 'above 0'}; "
                         f"got {raw!r}")
    return mb


def check_truncate(truncate):
    """None (full BPTT) or a whole number k >= 1 of steps after which the gradient is cut."""
    return whole("truncate", truncate, 1, or_none=True)


def check_positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number; got {value!r}")
    return float(value)


def first_nonfinite_step(a, *, reverse=False):
    """The first time index t (last, if ``reverse``) at which ``a[t]`` holds NaN or inf, else None.

    A per-step sum is non-finite whenever a term is, so one cheap reduction finds the candidates; each
    candidate is then confirmed element-wise (a sum of large finite values can overflow on its own).
    """
    with np.errstate(all="ignore"):
        sums = a.sum(axis=tuple(range(1, a.ndim)))         # no copy of a strided view
    candidates = np.flatnonzero(~np.isfinite(sums))
    if reverse:
        candidates = candidates[::-1]
    for t in candidates:
        if not np.isfinite(a[t]).all():
            return int(t)
    return None


def norm(a, axis):
    """The L2 norm along ``axis`` without overflow: entries up to 1e308 have a finite norm.

    ``np.linalg.norm`` squares first, so any entry above ~1e154 gives inf: an exploding gradient
    would look as if it had overflowed long before it did. Scaling by the largest entry first keeps
    the norm finite wherever every entry is; a NaN or inf entry still gives a non-finite norm.
    """
    with np.errstate(all="ignore"):
        big = np.max(np.abs(a), axis=axis, keepdims=True)
        scale = np.where((big > 0) & np.isfinite(big), big, 1.0)    # inf/NaN: the norm stays so
        return np.linalg.norm(a / scale, axis=axis) * np.squeeze(scale, axis=axis)
