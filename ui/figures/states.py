"""Figures of states over time: a heatmap of units × steps, the state vector at one step, the
inputs and the outputs of one sequence. Pure: no Streamlit.

Signed values use ColorBrewer's diverging RdBu, readable with colour-vision deficiency; past
``MAX_COLS`` steps each column is the mean of a bin of steps, and the chart says so.
"""
import numpy as np

from core.data.bins import bin_columns
from core.training.losses import softmax
from ui.figures.heatmap import NONFINITE_COLOR, NONFINITE_NAME, nonfinite_overlay
from ui.figures.layout import figure, frame, merge, named_scale, trace, vline
from ui.figures.lines import COLORS, nonfinite_band
from ui.figures.scales import SIGNED, signed_log, signed_log_ticks

MAX_COLS = 400
DIVERGING = "RdBu"              # red = negative, white = 0, blue = positive


def _range_text(zrange, from_data, log=False):
    if log:
        return f"signed log, ±{zrange[1]:.2g} from the data"
    return (f"range ±{zrange[1]:.2g}, from the data" if from_data else
            f"fixed range {zrange[0]:g} to {zrange[1]:g}")


def _figure(traces, title, *notes, height, x_title, y_title, legend_y=-0.25, **layout):
    """Title (its notes on a smaller second line, so that narrow charts do not cut them), axes, legend;
    ``layout`` adds to it (ui.figures.layout.merge)."""
    notes = "; ".join(note for note in notes if note)
    base = frame(title=title + (f"<br><sup>{notes}</sup>" if notes else ""), height=height,
                 x_title=x_title, y_title=y_title, legend_y=legend_y)
    return figure(traces, layout=merge(base, layout))


def state_heatmap(z, *, title, value_name, zrange=SIGNED, colorscale=DIVERGING, from_data=False,
                  marker=None, subtitle=None, y_title="hidden unit", max_cols=MAX_COLS, height=340,
                  log=False):
    """``z (rows, T)`` of signed or bounded values, one row per unit, on a fixed colour range
    (``log``: in signed log, ``signed_log``, up to ``zrange``). ``marker``: a step to draw as a
    vertical line (the time scrubber's)."""
    bins = bin_columns(z, max_cols, "mean")
    binned, width = bins.values, bins.width
    y = np.arange(binned.shape[0])
    x = bins.centres if width > 1 else bins.starts
    finite = np.isfinite(binned)
    t_text = "t = %{x}" if width == 1 else f"t ≈ %{{x:.0f}} (mean of {width} steps)"
    shown = np.where(finite, binned, np.nan)
    colour = dict(zmin=zrange[0], zmax=zrange[1], colorbar=dict(
        title=dict(text=f"{value_name}<br>({_range_text(zrange, from_data, log)})", side="right")))
    value = "%{z:.3f}"
    if log:
        K, ticks, labels = signed_log_ticks(zrange[1])
        colour = merge(colour, dict(zmin=-K, zmax=K, customdata=shown,
                                    colorbar=dict(tickvals=ticks, ticktext=labels)))
        shown, value = signed_log(shown), "%{customdata:.3e}"
    heat = trace("heatmap", z=shown, x=x, y=y, colorscale=named_scale(colorscale), hoverongaps=False,
                 hovertemplate=f"{t_text}<br>{y_title} = %{{y}}<br>{value_name} = {value}<extra></extra>",
                 **colour)
    shapes, notes = ([], []) if marker is None else vline(
        marker, dict(color="black", width=2, dash="dash"), text=f"t = {marker}")
    note = None if width == 1 else f"each column is the mean of {width} steps"
    overflow = nonfinite_overlay(~finite, x, y)
    return _figure([heat, *overflow], title, subtitle, note, height=height, y_title=y_title,
                   x_title="time step t" + ("" if width == 1 else f" (binned by {width}, mean)"),
                   **({"shapes": shapes, "annotations": notes} if shapes else {}),
                   **({"showlegend": True} if overflow else {}))     # Plotly hides a legend of one entry


def state_bars(h_t, *, t, zrange=SIGNED, from_data=False, value_name="h<sub>t</sub>", height=320,
               log=False):
    """The state vector at one step, ``h_t (H,)``: one bar per unit, coloured as on the heatmap, on
    the heatmap's fixed range (and scale, ``log``) so that moving the scrubber never rescales it."""
    h_t = np.asarray(h_t, dtype=np.float64)
    units = np.arange(len(h_t))
    finite = np.isfinite(h_t)
    bars, axis, value = np.where(finite, h_t, np.nan), {"range": list(zrange)}, "%{y:.4f}"
    lo, hi = zrange
    if log:
        K, ticks, labels = signed_log_ticks(zrange[1])
        bars, axis, value = signed_log(bars), {"range": [-K, K], "tickvals": ticks, "ticktext": labels}, \
            "%{customdata:.3e}"
        lo, hi = -K, K
    traces = [trace("bar", x=units, y=bars, name=value_name, customdata=h_t if log else None,
                    marker=dict(color=np.where(finite, bars, 0.0), colorscale=named_scale(DIVERGING),
                                cmin=lo, cmax=hi),
                    hovertemplate=f"unit %{{x}}: {value}<extra></extra>", showlegend=False)]
    if not finite.all():
        traces.append(trace("scatter", x=units[~finite], y=np.zeros((~finite).sum()), mode="markers",
                            name=NONFINITE_NAME, hovertemplate="unit %{x}: inf or NaN",
                            marker=dict(symbol="x", size=12, color=NONFINITE_COLOR)))
    return _figure(traces, f"The state vector h<sub>t</sub> at step t = {t}", "one bar per hidden unit",
                   height=height, x_title="hidden unit",
                   y_title=f"{value_name} ({'signed log' if log else _range_text(zrange, from_data)})",
                   yaxis=axis, **({} if finite.all() else {"showlegend": True}))


def output_lines(y, target, mask, *, kind, names, t=None, height=340):
    """The network's outputs ``y (T, O)`` against the targets of one sequence: ``target (T, O)``
    floats, or ``(T,)`` class labels (then the outputs are drawn as softmax probabilities).
    ``mask (T,)`` marks the steps that carry a target; sparse targets are drawn as markers."""
    y = np.asarray(y, dtype=np.float64)
    steps = np.arange(len(y))
    if kind == "classification":
        y = softmax(y, axis=1)
        target = np.eye(y.shape[1])[np.asarray(target, dtype=int)]   # one-hot: 1 for the true class
    target = np.asarray(target, dtype=np.float64)
    dense = (np.asarray(mask) > 0).all()
    tt = steps if dense else steps[np.asarray(mask) > 0]
    traces = []
    for d, name in enumerate(names):
        color = COLORS[d % len(COLORS)]
        for what, xs, ys, style in (("output", steps, np.where(np.isfinite(y[:, d]), y[:, d], np.nan),
                                     "solid"), ("target", tt, target[tt, d], "dot")):
            traces.append(trace(
                "scatter", x=xs, y=ys, name=f"{what}: {name}", mode="markers" if what == "target" and not dense
                else "lines", line=dict(color=color, width=2, dash=style),
                marker=dict(color=color, size=11, symbol="diamond-open"),
                hovertemplate=f"t = %{{x}}<br>{what} {name} = %{{y:.4f}}<extra></extra>"))
    shapes, notes = nonfinite_band(steps, ~np.isfinite(y).all(axis=1))
    if t is not None:
        shapes += vline(t, dict(color="black", width=2, dash="dash"))[0]
    return _figure(traces, "What the untrained network outputs, against the targets", height=height,
                   x_title="time step t", legend_y=-0.3, y_title="probability of the class"
                   if kind == "classification" else "value (the data's units)",
                   **({"shapes": shapes, "annotations": notes} if shapes else {}))


def inputs_figure(x, *, names, marked=(), t=None, height=260):
    """The inputs ``x (T, D)`` of one sequence, one line per input; ``marked``: steps to ring (the
    adding problem's two marked numbers), ``t``: the scrubber's step."""
    x = np.asarray(x, dtype=np.float64)
    steps = np.arange(len(x))
    traces = [trace("scatter", x=steps, y=x[:, d], name=name, mode="lines",
                    line=dict(color=COLORS[d % len(COLORS)], width=1.5),
                    hovertemplate=f"t = %{{x}}<br>{name} = %{{y:.4f}}<extra></extra>")
              for d, name in enumerate(names)]
    marked = np.asarray(marked, dtype=int)
    if marked.size:
        traces.append(trace("scatter", x=marked, y=x[marked, 0], name="marked numbers", mode="markers+text",
                            text=[f"{v:.2f}" for v in x[marked, 0]], textposition="top center",
                            marker=dict(size=14, symbol="circle-open", color="black", line=dict(width=2)),
                            hovertemplate="t = %{x}: marked %{y:.4f}<extra></extra>"))
    shapes = vline(t, dict(color="black", width=2, dash="dash"))[0] if t is not None else []
    return _figure(traces, "What the network reads: the inputs x<sub>t</sub>", height=height,
                   x_title="time step t", y_title="x<sub>t</sub>", legend_y=-0.35,
                   **({"shapes": shapes} if shapes else {}))
