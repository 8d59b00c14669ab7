"""Curves over time on a log axis. Pure: arrays in, a Plotly figure out.

Points that overflowed cannot sit on a log axis, so they are not silently dropped: a marked band shows
where each curve stopped being finite.
"""
import numpy as np
import plotly.graph_objects as go

from ui.heatmap import NONFINITE_COLOR

MAX_POINTS = 2000               # per curve; longer series are thinned evenly (said on the chart)
COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#666666")   # Dark2: colour-blind friendly


def thin(x, y, max_points=MAX_POINTS):
    if len(x) <= max_points:
        return np.asarray(x), np.asarray(y), 1
    step = int(np.ceil(len(x) / max_points))
    return np.asarray(x)[::step], np.asarray(y)[::step], step


def log_lines(curves, *, title, x_title, y_title, height=320, y_range=None):
    """``curves``: list of dicts with ``name``, ``x``, ``y`` and optional ``dash`` (e.g. "dash" for a
    bound), ``hover`` (a value name), ``color`` and ``nan_is_gap``. Non-positive values are left out
    (a log axis has no 0); non-finite ones are marked."""
    fig = go.Figure()
    thinned = 1
    for n, c in enumerate(curves):
        x, y, step = thin(c["x"], np.asarray(c["y"], dtype=np.float64))
        thinned = max(thinned, step)
        # NaN is overflow for a measured curve, but "undefined here" for one that says so
        bad = np.isinf(y) if c.get("nan_is_gap") else ~np.isfinite(y)
        shown = np.where(np.isfinite(y) & (y > 0), y, np.nan)
        fig.add_trace(go.Scatter(
            x=x, y=shown, name=c["name"], mode="lines",
            line=dict(color=c.get("color", COLORS[n % len(COLORS)]), dash=c.get("dash", "solid"),
                      width=2),
            hovertemplate=f"t = %{{x}}<br>{c.get('hover', c['name'])} = %{{y:.3e}}<extra></extra>"))
        if bad.any():
            where = x[bad]
            fig.add_vrect(x0=where.min(), x1=where.max(), fillcolor=NONFINITE_COLOR, opacity=0.25,
                          line_width=0, annotation_text=f"{c['name']}: overflow (inf/NaN)",
                          annotation_position="top left")
    note = "" if thinned == 1 else f" — every {thinned}th step shown"
    fig.update_layout(title=dict(text=title + note), height=height,
                      margin=dict(l=60, r=20, t=60, b=50), xaxis_title=x_title,
                      yaxis=dict(title=y_title, type="log", exponentformat="power",
                                 range=y_range),
                      legend=dict(orientation="h", y=-0.3, x=0))
    return fig
