"""Curves over time on a log axis. Pure: arrays in, a Plotly figure out.

Points that overflowed cannot sit on a log axis, so they are not silently dropped: one marked band
shows where the curves stopped being finite, labelled once however many curves it holds.
"""
import numpy as np

from core.data.bins import bin_columns
from ui.figures.heatmap import NONFINITE_COLOR
from ui.figures.layout import figure, frame, merge, trace, vrect

MAX_POINTS = 2000               # per curve; longer series are binned, by their largest value (said on the chart)
COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#666666")   # Dark2: colour-blind friendly


def nonfinite_band(x, bad, what="overflow (inf/NaN)", left=False):
    """The one marking of overflow on a line chart: a magenta band over the steps ``x[bad]``, labelled
    ``what``: (shapes, annotations), empty if no step is bad."""
    if not bad.any():
        return [], []
    where = np.asarray(x)[bad]
    return vrect(where.min(), where.max(), NONFINITE_COLOR, what, left=left)


def log_lines(curves, *, title, x_title, y_title, height=320, y_range=None, subtitle=None):
    """``curves``: list of dicts with ``name``, ``x``, ``y`` and optional ``dash`` (e.g. "dash" for a
    bound), ``hover`` (a value name), ``color`` and ``nan_is_gap``. Non-positive values are left out
    (a log axis has no 0); non-finite ones are marked."""
    traces, bad_x, width = [], [], 1
    for i, c in enumerate(curves):
        bins = bin_columns(c["y"], MAX_POINTS, "max")         # a spike or an overflow stays visible
        x, y, width = np.asarray(c["x"])[bins.starts], bins.values, max(width, bins.width)
        # NaN is overflow for a measured curve, but "undefined here" for one that says so
        bad = np.isinf(y) if c.get("nan_is_gap") else ~np.isfinite(y)
        shown = np.where(np.isfinite(y) & (y > 0), y, np.nan)
        traces.append(trace(
            "scatter", x=x, y=shown, name=c["name"], mode="lines",
            line=dict(color=c.get("color", COLORS[i % len(COLORS)]), dash=c.get("dash", "solid"),
                      width=2),
            hovertemplate=f"t = %{{x}}<br>{c.get('hover', c['name'])} = %{{y:.3e}}<extra></extra>"))
        bad_x.extend(x[bad].tolist())
    note = "" if width == 1 else f" — each point is the largest of {width} steps"
    heading = {"text": title + note, **({"subtitle": {"text": subtitle}} if subtitle else {})}
    layout = merge(frame(title=heading, height=height, x_title=x_title, y_title=y_title, legend_y=-0.3),
                   {"yaxis": {"type": "log", "exponentformat": "power", "range": y_range}})
    if bad_x:                   # one band and one label, however many curves overflowed there
        bad_x = np.asarray(bad_x)
        shapes, notes = nonfinite_band(bad_x, np.ones(len(bad_x), dtype=bool), left=True,
                                       what=f"overflowed (inf/NaN): t = {bad_x.min():g}…{bad_x.max():g}")
        layout.update(shapes=shapes, annotations=notes)
    return figure(traces, layout=layout)
