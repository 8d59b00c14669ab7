"""One way to shorten a long time axis for a chart: consecutive steps grouped in bins of equal width.

A heatmap of 2000 steps or a loss curve of 100 000 updates has more columns than a screen has pixels.
``bin_columns`` cuts the last axis (time) into at most ``max_bins`` bins of ``width`` steps (the last
bin may be shorter) and summarises each bin by the rule asked:

- ``"mean"``: the mean of its steps (keeps the sign of signed values, such as a state);
- ``"max"``: the largest of its steps (a spike stays visible, such as a gradient norm);
- ``"any"``: whether any of its steps is non-zero (an event, such as "clipping fired").

One rule for overflow: a bin holding an inf or NaN is not finite (NaN or inf; "any": True), so a chart
that marks non-finite cells still marks it; binning never hides an overflow.
"""
from dataclasses import dataclass

import numpy as np

from core.numerics.validate import whole

HOW = ("mean", "max", "any")


@dataclass(frozen=True, eq=False)
class Bins:
    values: np.ndarray      # (..., bins): one value per bin (bool for "any")
    starts: np.ndarray      # (bins,) the first step of each bin
    centres: np.ndarray     # (bins,) the middle step of each bin (a float: 0.5 for a bin of steps 0 and 1)
    width: int              # steps per bin (1: nothing was binned)


def bin_columns(z, max_bins, how):
    """``z (..., T)`` cut along its last axis into at most ``max_bins`` bins, each summarised by ``how``."""
    if how not in HOW:
        raise ValueError(f"how must be one of {HOW}; got {how!r}")
    whole("max_bins", max_bins, 1)
    z = np.asarray(z, dtype=np.float64)
    T = z.shape[-1]
    width = max(1, -(-T // max_bins))                   # ceil(T / max_bins)
    starts = np.arange(0, T, width)
    counts = np.minimum(width, T - starts)              # the last bin may be short
    padded = np.full(z.shape[:-1] + (len(starts) * width,), -np.inf if how == "max" else 0.0)
    padded[..., :T] = z
    cells = padded.reshape(z.shape[:-1] + (len(starts), width))
    with np.errstate(all="ignore"):
        if how == "mean":       # each step divided first: two steps of 1e308 have a finite mean
            values = (cells / counts[:, None]).sum(axis=-1)
        elif how == "max":
            values = cells.max(axis=-1)
        else:
            values = (cells != 0).any(axis=-1)
    return Bins(values=values, starts=starts, centres=starts + (counts - 1) / 2.0, width=width)
