"""Colour and axis ranges computed from the data, and powers of ten as text. Pure: no Streamlit.

A range comes from the values it colours (``data_log_range``, ``symmetric_range``) or is one shared
across views (``shared_log_range``); the caption under the figure says which (ui.readings.scales).
"""
import numpy as np

from ui.figures.heatmap import power_text
from ui.readings.scales import power as pow10  # noqa: F401  (10⁻¹² as text, for the figures)

UNIT = (0.0, 1.0)
SIGNED = (-1.0, 1.0)
DECADES = 24                    # a log colour range spans at most this many powers of ten
# Unbounded states (relu, linear) past LOG_FROM are drawn in signed log: a linear range set by an
# explosion's last steps would show every earlier step as 0 (and the state bars as empty).
LOG_FROM = 1e3


def symmetric_range(z):
    """(-m, m) with m the largest finite |value|, rounded up to two significant digits (1 if none)."""
    z = np.asarray(z, dtype=np.float64)
    finite = np.abs(z[np.isfinite(z)])
    m = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    r = float(f"{m:.1e}")
    return (-r, r) if r >= m else (-float(f"{m * 1.05:.1e}"), float(f"{m * 1.05:.1e}"))


def shared_log_range(*arrays, decades=DECADES):
    """One log10 colour range for magnitudes shown side by side: from the smallest positive finite
    value (at most ``decades`` below the largest) to the largest, in whole powers of ten."""
    vals = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if not vals.size:
        return (-12, 2)
    hi = int(np.ceil(np.log10(vals.max())))
    lo = max(int(np.floor(np.log10(vals.min()))), hi - decades)
    return (lo, hi) if lo < hi else (hi - 1, hi)


def data_log_range(a):
    """One view's own log10 colour range: ``shared_log_range`` of its values alone."""
    return shared_log_range(a)


def signed_log(v):
    """sign(v) log10(1 + |v|): 0 stays 0, ±9 becomes ±1, ±1e89 about ±89: one unit per power of ten."""
    with np.errstate(all="ignore"):
        return np.sign(v) * np.log10(1.0 + np.abs(v))


def signed_log_ticks(limit):
    """``(K, tick values, tick labels)`` of a signed-log axis for values up to ``|limit|``: it spans
    ±K, labelled 0, ±10^k."""
    K = max(1, int(np.ceil(np.log10(1.0 + limit))))
    powers = list(range(max(1, K // 4), K + 1, max(1, K // 4)))
    return (K, [-power for power in reversed(powers)] + [0] + powers,
            [f"−{power_text(power)}" for power in reversed(powers)] + ["0"] + [power_text(power) for power in powers])
