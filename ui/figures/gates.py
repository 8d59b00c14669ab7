"""Figures of the forward pass, the LSTM's gates and the RNN-vs-LSTM comparison. Pure: no Streamlit.

Signed values (states, the input node) use ColorBrewer's diverging RdBu, gates in [0, 1] the
sequential Cividis: both readable with colour-vision deficiency. Every range is fixed and stated on the
colour bar; past ``MAX_COLS`` steps each column is the mean of a bin of steps, and the chart says so.
"""
import numpy as np
import plotly.graph_objects as go

from core.data.bins import bin_columns
from core.training.losses import softmax
from ui.figures.gradients import mean_profile
from ui.figures.heatmap import NONFINITE_COLOR, NONFINITE_NAME, log_heatmap, nonfinite_overlay, power_text
from ui.figures.layout import frame, merge, vline
from ui.figures.lines import COLORS, log_lines, nonfinite_band

MAX_COLS = 400
DIVERGING = "RdBu"              # red = negative, white = 0, blue = positive
GATE_SCALE = "Cividis"          # dark blue = 0 (closed), yellow = 1 (open)
UNIT = (0.0, 1.0)
SIGNED = (-1.0, 1.0)


def symmetric_range(z):
    """(-m, m) with m the largest finite |value|, rounded up to two significant digits (1 if none)."""
    z = np.asarray(z, dtype=np.float64)
    finite = np.abs(z[np.isfinite(z)])
    m = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    r = float(f"{m:.1e}")
    return (-r, r) if r >= m else (-float(f"{m * 1.05:.1e}"), float(f"{m * 1.05:.1e}"))


def _range_text(zrange, from_data, log=False):
    if log:
        return f"signed log, ±{zrange[1]:.2g} from the data"
    return (f"range ±{zrange[1]:.2g}, from the data" if from_data else
            f"fixed range {zrange[0]:g} to {zrange[1]:g}")


# Unbounded states (relu, linear) past LOG_FROM are drawn in signed log: a linear range set by an
# explosion's last steps would show every earlier step as 0 (and the state bars as empty).
LOG_FROM = 1e3


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


def _figure(traces, title, *notes, height, x_title, y_title, legend_y=-0.25, **layout):
    """Title (its notes on a smaller second line, so that narrow charts do not cut them), axes, legend;
    ``layout`` adds to it (ui.figures.layout.merge)."""
    notes = "; ".join(note for note in notes if note)
    base = frame(title=title + (f"<br><sup>{notes}</sup>" if notes else ""), height=height,
                 x_title=x_title, y_title=y_title, legend_y=legend_y)
    return go.Figure(traces, layout=merge(base, layout))


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
    heat = go.Heatmap(z=shown, x=x, y=y, colorscale=colorscale, hoverongaps=False,
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
    traces = [go.Bar(x=units, y=bars, name=value_name, customdata=h_t if log else None,
                     marker=dict(color=np.where(finite, bars, 0.0), colorscale=DIVERGING, cmin=lo, cmax=hi),
                     hovertemplate=f"unit %{{x}}: {value}<extra></extra>", showlegend=False)]
    if not finite.all():
        traces.append(go.Scatter(x=units[~finite], y=np.zeros((~finite).sum()), mode="markers",
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
            traces.append(go.Scatter(
                x=xs, y=ys, name=f"{what}: {name}", mode="markers" if what == "target" and not dense
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


PANELS = {   # name -> (title, what it does, range (None: symmetric, from the data), colour scale)
    "i": ("Input gate i<sub>t</sub>", "how much of the input node each unit writes", UNIT, GATE_SCALE),
    "f": ("Forget gate f<sub>t</sub>", "how much of the old cell each unit keeps", UNIT, GATE_SCALE),
    "o": ("Output gate o<sub>t</sub>", "how much of the cell each unit shows as h", UNIT, GATE_SCALE),
    "g": ("Input node g<sub>t</sub> (C̃<sub>t</sub>)", "the candidate value to write", SIGNED, DIVERGING),
    "c": ("Memory cell c<sub>t</sub>", "what each unit carries forward", None, DIVERGING),
    "h": ("Hidden state h<sub>t</sub> = o<sub>t</sub> ⊙ tanh(c<sub>t</sub>)",
          "what the next step and the output see", SIGNED, DIVERGING),
}


def gate_heatmap(name, z, height=300):
    """One of the LSTM's gates or states (``PANELS``), ``z (H, T)`` for one sequence."""
    title, subtitle, zrange, scale = PANELS[name]
    return state_heatmap(z, title=title, subtitle=subtitle, value_name=f"{name}<sub>t</sub>",
                         colorscale=scale, zrange=zrange or symmetric_range(z), from_data=zrange is None,
                         height=height)


def relative_to_last(y):
    """``y / y[-1]``: NaN throughout when the last value is zero or not finite."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        return y / y[-1] if np.isfinite(y[-1]) and y[-1] != 0 else np.full_like(y, np.nan)


def cell_path_figure(forget_prod, dc_norm):
    """``forget_prod (T,)``: prod_{k=t+1..T-1} f_k, mean over units; ``dc_norm (T,)``: the measured
    ||dL/dc_t|| of the same sequence. Both are drawn relative to their value at the last step."""
    t = np.arange(len(dc_norm))
    return log_lines([dict(name="measured ‖∂L/∂c_t‖", x=t, y=relative_to_last(dc_norm),
                           hover="‖∂L/∂c_t‖ / ‖∂L/∂c_(T−1)‖"),
                      dict(name="forget-gate product ∏ f_k, k = t+1…T−1 (mean over units)", x=t,
                           y=relative_to_last(forget_prod), dash="dash", hover="∏ f_k")],
                     title="How much of the last step's cell gradient reaches step t",
                     x_title="time step t", y_title="relative to the last step (log scale)")


def shared_log_range(*arrays, decades=24):
    """One log10 colour range for magnitudes shown side by side: from the smallest positive finite
    value (at most ``decades`` below the largest) to the largest, in whole powers of ten."""
    vals = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if not vals.size:
        return (-12, 2)
    hi = int(np.ceil(np.log10(vals.max())))
    lo = max(int(np.floor(np.log10(vals.min()))), hi - decades)
    return (lo, hi) if lo < hi else (hi - 1, hi)


def pow10(power):
    """10 to a whole power in plain text: 10⁻¹²."""
    return "10" + str(power).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def compare_heatmap(dh_norm, *, model, zrange, height=340):
    """ui.figures.gradients.gradient_heatmap's picture of ``dh_norm (B, T)`` for a side-by-side comparison: the
    given shared ``zrange``, a short title (the binning note joins the stated range below it), and
    exact zeros named for what they are without truncation: underflow."""
    return log_heatmap(dh_norm, title=f"{model}: ‖∂L/∂h<sub>t</sub>‖ at each step",
                       x_title="time step t", y_title="sequence", value_name="‖∂L/∂h<sub>t</sub>‖",
                       zrange=zrange, zero_meaning="exactly zero: below 10⁻³⁰⁸ (underflow)", height=height,
                       note_in_subtitle=True, layout={"showlegend": True})


def profiles_figure(named_dh_norms):
    """Mean over the batch of ||dL/dh_t|| for each ``(name, dh_norm (B, T))``, on one log chart."""
    return log_lines([dict(name=name, x=np.arange(dh.shape[1]), y=mean_profile(dh), hover=name)
                      for name, dh in named_dh_norms],
                     title="The gradient's reach back in time: both models, same data",
                     x_title="time step t", y_title="mean ‖∂L/∂h_t‖ (log scale)")
