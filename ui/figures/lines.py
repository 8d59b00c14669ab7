"""Curves over time on a log axis. Pure: arrays in, a Plotly figure out.

Points that overflowed cannot sit on a log axis, so they are not silently dropped: one marked band
shows where the curves stopped being finite, labelled once however many curves it holds.
"""
import numpy as np
import plotly.graph_objects as go

from ui.figures.heatmap import NONFINITE_COLOR
from ui.figures.layout import frame, merge, vrect

MAX_POINTS = 2000               # per curve; longer series are thinned evenly (said on the chart)
COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#666666")   # Dark2: colour-blind friendly


def thin(x, y, max_points=MAX_POINTS):
    if len(x) <= max_points:
        return np.asarray(x), np.asarray(y), 1
    step = int(np.ceil(len(x) / max_points))
    return np.asarray(x)[::step], np.asarray(y)[::step], step


def log_lines(curves, *, title, x_title, y_title, height=320, y_range=None, subtitle=None):
    """``curves``: list of dicts with ``name``, ``x``, ``y`` and optional ``dash`` (e.g. "dash" for a
    bound), ``hover`` (a value name), ``color`` and ``nan_is_gap``. Non-positive values are left out
    (a log axis has no 0); non-finite ones are marked."""
    traces, bad_x, thinned = [], [], 1
    for n, c in enumerate(curves):
        x, y, step = thin(c["x"], np.asarray(c["y"], dtype=np.float64))
        thinned = max(thinned, step)
        # NaN is overflow for a measured curve, but "undefined here" for one that says so
        bad = np.isinf(y) if c.get("nan_is_gap") else ~np.isfinite(y)
        shown = np.where(np.isfinite(y) & (y > 0), y, np.nan)
        traces.append(go.Scatter(
            x=x, y=shown, name=c["name"], mode="lines",
            line=dict(color=c.get("color", COLORS[n % len(COLORS)]), dash=c.get("dash", "solid"),
                      width=2),
            hovertemplate=f"t = %{{x}}<br>{c.get('hover', c['name'])} = %{{y:.3e}}<extra></extra>"))
        bad_x.extend(x[bad].tolist())
    note = "" if thinned == 1 else f" — every {thinned}th step shown"
    heading = {"text": title + note, **({"subtitle": {"text": subtitle}} if subtitle else {})}
    layout = merge(frame(title=heading, height=height, x_title=x_title, y_title=y_title, legend_y=-0.3),
                   {"yaxis": {"type": "log", "exponentformat": "power", "range": y_range}})
    if bad_x:                   # one band and one label, however many curves overflowed there
        lo, hi = min(bad_x), max(bad_x)
        shapes, notes = vrect(lo, hi, NONFINITE_COLOR, f"overflowed (inf/NaN): t = {lo:g}…{hi:g}",
                              left=True)
        layout.update(shapes=shapes, annotations=notes)
    return go.Figure(traces, layout=layout)
