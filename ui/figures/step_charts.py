"""Altair pieces for curves over training steps, shared by ui.figures.training' charts: binning long
histories, a log axis that survives an explosion, one colour per run, short axis titles, legends that
fit, titles with how-to-read lines, marks where a run stopped, and exact values on hover. Pure.

Encodings are channel objects (``alt.Y("loss:Q")``), never shorthand strings or dicts: Altair turns
those into objects through a lookup table of every Vega-Lite schema that it rebuilds at each call
(~5 ms), and a training page builds its charts while a class waits on the same server process.
"""
import altair as alt
import numpy as np
import pandas as pd

from ui.figures.gates import pow10
from ui.figures.heatmap import NONFINITE_COLOR
from ui.figures.lines import COLORS

MAX_POINTS = 1000            # per run and curve


def running_mean(values, window):
    """Mean of the last ``window`` values at each step (fewer at the start). Each window is summed on
    its own: a running cumulative sum would lose a 0.01 next to an exploded run's 10^56."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        sums = np.convolve(v, np.ones(window))[:len(v)]                # sum of v[i - window + 1 .. i]
    return sums / np.minimum(np.arange(1, len(v) + 1), window)


def log_scale(runs, fields, decades=8):
    """A log y scale, and the words to say about it. A run that exploded reaches 10^100 and more, and
    would flatten every other curve to a line at the bottom: when some run's values pass ``decades``
    powers of ten above the steadiest run's median, the axis stops there (clamped) and the note says so."""
    fields = (fields,) if isinstance(fields, str) else fields
    arrays = [np.concatenate([np.asarray(getattr(h, f), dtype=np.float64) for f in fields]) for _, h in runs]
    vals = [a[np.isfinite(a) & (a > 0)] for a in arrays]
    vals = [v for v in vals if v.size]
    if not vals:
        return alt.Scale(type="log"), ""
    power = int(np.ceil(np.log10(min(np.median(v) for v in vals)))) + decades
    top = 10.0 ** power
    if max(v.max() for v in vals) <= top:
        return alt.Scale(type="log"), ""
    low = 10.0 ** np.floor(np.log10(min(v.min() for v in vals)))
    return (alt.Scale(type="log", domain=[low, top], clamp=True),
            f"Values above {pow10(power)} are drawn at the top edge; the tooltips give them exactly.")


def color(runs, shown=None):
    """One colour per run, the same on every chart; ``shown``: the labels this chart has (legend)."""
    labels = [label for label, _ in runs]
    shown = labels if shown is None else shown
    return alt.Color("run:N", scale=alt.Scale(domain=shown, range=[COLORS[labels.index(s)] for s in shown]),
                     legend=legend())


def y_axis(field, title, **kw):
    """A y encoding whose title stays short: a rotated title longer than the plot would make Vega
    shrink the plot to fit it."""
    return alt.Y(field, title=title, axis=alt.Axis(titleLimit=140), **kw)


def legend():
    """Below the plot, one entry a line: two legends side by side still fit a narrow column."""
    return alt.Legend(orient="bottom", direction="vertical", title=None, labelLimit=400, symbolOpacity=1)


def title(text, *subtitle):
    """The title as a sentence; the subtitle's lines say how to read the chart."""
    return alt.TitleParams(text, subtitle=[line for line in subtitle if line], anchor="start")


def stops(runs):
    """Vertical magenta rules where runs stopped (inf/NaN), marked "stopped" (the run: in the tooltip)."""
    rows = [{"step": h.stopped_at, "run": label, "what": f"{label}: stopped (inf/NaN) at step {h.stopped_at}"}
            for label, h in runs if h.stopped_at is not None]
    if not rows:
        return []
    base = alt.Chart(pd.DataFrame(rows)).encode(x=alt.X("step:Q"), tooltip=[alt.Tooltip("what:N", title="")])
    return [base.mark_rule(color=NONFINITE_COLOR, strokeWidth=2),
            base.mark_text(color=NONFINITE_COLOR, align="left", dx=4, baseline="top", y=2,
                           text="stopped: inf/NaN")]


def hover_points(base, y, tooltip):
    """Points that appear on the curves at the step nearest the pointer, with the exact values."""
    hover = alt.selection_point(fields=["step"], nearest=True, on="pointerover", empty=False,
                                clear="pointerout")
    # The condition as a channel object, not alt.condition's dict: see the module docstring.
    opacity = alt.OpacityValue(0, condition={"param": hover.name, "empty": False, "value": 1})
    return base.mark_point(filled=True, size=50).encode(
        y=alt.Y(y) if isinstance(y, str) else y, opacity=opacity, tooltip=tooltip).add_params(hover)
