"""Heatmaps of magnitudes on a log colour scale. Pure: arrays in, a Plotly figure out.

What the person sees is stated on the chart: a fixed colour range in powers of ten (values beyond it
take the end colours), cells that overflowed to inf/NaN in a marked colour, exact zeros (a gradient
that truncation or causality cut) in grey, and, past ``max_cols`` steps, how many steps each column
aggregates (core.data.bins: each column the largest of its steps).
"""
import numpy as np

from core.data.bins import bin_columns
from ui.figures.layout import figure, frame, merge, named_scale, trace

LOG_RANGE = (-20, 20)           # log10 colour range for gradient norms: wide enough for both regimes
NONFINITE_COLOR = "#e7298a"     # magenta: outside every sequential scale, visible to colour-blind eyes
NONFINITE_NAME = "overflow: inf or NaN"
ZERO_COLOR = "#bdbdbd"
SCALE = "Viridis"


def cell_overlay(mask, x, y, color, name):
    """Cells of a heatmap where ``mask`` holds, painted ``color``, and a legend entry ``name``; nothing
    if the mask is empty. Drawn over the main heatmap, whose own colours cannot show inf or NaN."""
    if not mask.any():
        return []
    return [trace("heatmap", z=np.where(mask, 1.0, np.nan).astype(np.float32), x=x, y=y, showscale=False,
                  colorscale=[[0, color], [1, color]], hoverongaps=False,
                  hovertemplate=f"{name}<extra></extra>"),
            trace("scatter", x=[None], y=[None], mode="markers", name=name, showlegend=True,
                  marker=dict(symbol="square", size=12, color=color))]


def nonfinite_overlay(mask, x, y):
    """The one marking of overflow on every heatmap: magenta cells where ``mask`` (inf or NaN)."""
    return cell_overlay(mask, x, y, NONFINITE_COLOR, NONFINITE_NAME)


def power_text(power):
    return f"10<sup>{power}</sup>"


def range_text(zrange):
    """The stated colour range, in words."""
    return f"colours span {power_text(zrange[0])} to {power_text(zrange[1])}; beyond: the end colours"


def _power_ticks(lo, hi):
    step = max(1, (hi - lo) // 8)
    vals = list(range(lo, hi + 1, step))
    return vals, [power_text(v) for v in vals]


def log_heatmap(z, *, title, x_title, y_title, value_name, y_labels=None, zrange=LOG_RANGE,
                max_cols=400, zero_meaning="exactly zero", height=360, note_in_subtitle=False,
                layout=None):
    """``z (rows, T)`` of non-negative magnitudes, drawn as log10 with a fixed colour range.
    The binning note follows the title (or, ``note_in_subtitle``, the stated range below it);
    ``layout`` adds to the figure's layout (ui.figures.layout.merge)."""
    z = np.asarray(z, dtype=np.float64)
    bins = bin_columns(z, max_cols, "max")
    binned, starts, width = bins.values, bins.starts, bins.width
    with np.errstate(divide="ignore", invalid="ignore"):
        logz = np.log10(binned)
    finite = np.isfinite(binned)
    zero = finite & (binned == 0)
    nonfinite = ~finite
    # float32 is ample for a colour and halves what the browser receives; the hover keeps float64,
    # since an exploding gradient passes float32's 3.4e38
    shown = np.where(finite & ~zero, np.clip(logz, *zrange), np.nan).astype(np.float32)
    y = list(y_labels) if y_labels is not None else list(range(z.shape[0]))
    x = starts
    step_text = "t" if width == 1 else f"t (steps {width} at a time)"
    hover = (f"{step_text} = %{{x}}<br>{y_title} = %{{y}}<br>{value_name} = %{{customdata:.3e}}"
             "<extra></extra>")
    ticks, labels = _power_ticks(*zrange)
    traces = [trace(
        "heatmap", z=shown, x=x, y=y, customdata=binned, zmin=zrange[0], zmax=zrange[1],
        colorscale=named_scale(SCALE), hovertemplate=hover, hoverongaps=False,
        colorbar=dict(title=dict(text=f"{value_name}<br>(log scale)", side="right"),
                      tickvals=ticks, ticktext=labels))]
    traces += nonfinite_overlay(nonfinite, x, y) + cell_overlay(zero, x, y, ZERO_COLOR, zero_meaning)
    note = "" if width == 1 else f"each column is the largest of {width} steps"
    if note_in_subtitle:
        heading = {"text": title, "subtitle": {"text": "; ".join(t for t in (range_text(zrange), note) if t)}}
    else:
        heading = {"text": title + (f" — {note}" if note else ""), "subtitle": {"text": range_text(zrange)}}
    return figure(traces, layout=merge(frame(
        title=heading, height=height, legend_y=-0.25, y_title=y_title,
        x_title=x_title if width == 1 else f"{x_title} (binned by {width})"), layout))
