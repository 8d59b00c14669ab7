"""Charts of training runs (core.training.train.History). Pure: no Streamlit; their readings: ui.readings.training.

``runs`` is a list of ``(label, History)``. Per-step curves longer than ui.figures.step_charts.MAX_POINTS are
cut into bins of equal width (core.data.bins, said on the chart): the loss by its mean, the gradient norm by its largest
value, so a spike stays visible.
"""
import altair as alt
import numpy as np
import pandas as pd

from core.data.bins import bin_columns
from ui.figures.gates import shared_log_range
from ui.figures.heatmap import log_heatmap
from ui.figures.lines import COLORS
from ui.figures.step_charts import (MAX_POINTS, color, hover_points, legend, log_scale, running_mean, stops, title,
                            y_axis)

# Heights include the title, axes and legend: Streamlit's theme gives a bottom legend ~70 px of its own.
BASELINE_COLOR = "#666666"


def loss_frame(runs):
    rows, width = [], 1
    for label, h in runs:
        mean = running_mean(h.loss, max(1, min(50, len(h.loss) // 20)))
        loss = bin_columns(h.loss, MAX_POINTS, "mean")
        rows.append(alone(pd.DataFrame({"run": label, "step": loss.starts, "loss": loss.values,
                                        "running_mean": bin_columns(mean, MAX_POINTS, "mean").values}), "loss"))
        width = max(width, loss.width)
    return pd.concat(rows, ignore_index=True), width


def alone(frame, field):
    """One run's rows that have a ``field`` value, and a column "alone": True when there is only one
    (a run that blew up at its first step), which a line cannot draw (see ``single_points``)."""
    missing = frame[field].isna().to_numpy()
    if missing.any():                         # (DataFrame.dropna costs ~1 ms even when nothing is missing)
        frame = frame[~missing]
    frame["alone"] = len(frame) == 1
    return frame


def single_points(base, frame, y, tooltip):
    """The one-point runs of ``frame`` drawn as points: a layer, or none when every run has a line
    (a layer costs a few ms a chart, and a class's server draws many)."""
    if not frame["alone"].any():
        return []
    return [base.transform_filter("datum.alone").mark_point(filled=True, size=60).encode(y=y, tooltip=tooltip)]


def loss_chart(runs, info, hover=True):
    """Loss per step (faint) and its running mean (bold), log scale, with the trivial predictor's loss.
    ``info``: the task's core.data.tasks.TaskInfo. ``hover=False`` leaves out the points that follow
    the pointer (a live chart, redrawn every second, would lose them anyway; a third of its cost)."""
    frame, width = loss_frame(runs)
    unit = ("Loss: cross-entropy in nats." if info.kind == "classification"
            else "Loss: mean squared error, in standardized units.")
    scale, clamped = log_scale(runs, "loss")
    note = " ".join(t for t in ("" if width == 1 else f"Each point is the mean of {width} steps.", clamped) if t)
    base = alt.Chart().encode(x=alt.X("step:Q", title="training step (updates)"), color=color(runs))
    tip = [alt.Tooltip("run:N"), alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".4g"),
           alt.Tooltip("running_mean:Q", title="running mean", format=".4g")]
    bold = y_axis("running_mean:Q", "loss (log scale)", scale=scale)
    layers = [base.mark_line(strokeWidth=2.5).encode(y=bold),
              base.mark_line(opacity=0.3, strokeWidth=1).encode(y=alt.Y("loss:Q")),
              *single_points(base, frame, alt.Y("running_mean:Q"), tip)]
    layers += [hover_points(base, "running_mean:Q", tip)] if hover else []
    dashed = ""     # the dashed line's words: a subtitle line of their own (a label on the plot sat on the
                    # curves, and at the end of a longer line they were cut off with "…")
    if info.baseline is not None:
        rule = alt.Chart(pd.DataFrame({"loss": [info.baseline],
                                       "text": [f"trivial predictor: {info.baseline_text}"]}))
        layers += [rule.mark_rule(strokeDash=[6, 4], color=BASELINE_COLOR).encode(
                       y=alt.Y("loss:Q"), tooltip=[alt.Tooltip("text:N", title="baseline")])]
        dashed = f"Dashed: the trivial predictor ({info.baseline_text})."
    return alt.layer(*layers, *stops(runs), data=frame,     # the curves' data, once
        height=440, title=title("Training loss: does the network beat the trivial predictor?",
                                 f"{unit} Faint: each step's loss on its fresh batch; bold: its "
                                 "running mean.", dashed, note))


def grad_chart(runs, hover=True):
    """The global gradient norm before clipping, log scale, the norm threshold, and where clipping fired.
    ``hover``: as for loss_chart."""
    frames, width = [], 1
    for label, h in runs:
        norm = bin_columns(h.grad_norm, MAX_POINTS, "max")
        fired = bin_columns(h.clipped, MAX_POINTS, "any").values
        frames.append(alone(pd.DataFrame({"run": label, "step": norm.starts, "norm": norm.values,
                                          "clipped": fired}), "norm"))
        width = max(width, norm.width)
    frame = pd.concat(frames, ignore_index=True)
    frame["event"] = "▲ clipping changed this step's gradient"
    base = alt.Chart().encode(x=alt.X("step:Q", title="training step (updates)"), color=color(runs))
    scale, clamped = log_scale(runs, "grad_norm")
    y = y_axis("norm:Q", "‖g‖ (log scale)", scale=scale)
    tip = [alt.Tooltip("run:N"), alt.Tooltip("step:Q"), alt.Tooltip("norm:Q", title="norm", format=".4g"),
           alt.Tooltip("clipped:N", title="clipped")]
    layers = [base.mark_line(strokeWidth=1.5).encode(y=y), *single_points(base, frame, alt.Y("norm:Q"), tip),
              base.transform_filter("datum.clipped").mark_point(shape="triangle-up", filled=True,
                                                                size=40, stroke="#222222",
                                                                strokeWidth=0.5).encode(
                  y=alt.Y("norm:Q"), shape=alt.Shape("event:N", scale=alt.Scale(range=["triangle-up"]), legend=None),
                  tooltip=tip)]
    layers += [hover_points(base, "norm:Q", tip)] if hover else []
    thresholds = sorted({h.config.clip_threshold for _, h in runs if h.config.clip == "norm"})
    dashed = ""             # a subtitle line of its own, as the loss chart's baseline
    if thresholds:
        rules = pd.DataFrame([{"norm": c, "text": f"norm threshold {c:g}"} for c in thresholds])
        layers += [alt.Chart(rules).mark_rule(strokeDash=[6, 4], color=BASELINE_COLOR).encode(
            y=alt.Y("norm:Q"), tooltip=[alt.Tooltip("text:N", title="")])]
        dashed = f"Dashed: the norm threshold c = {', '.join(f'{c:g}' for c in thresholds)}."
    value = any(h.config.clip == "value" for _, h in runs)
    note = " ".join(t for t in ("" if width == 1 else f"Each point is the largest of {width} steps; ▲: clipping "
                                "fired in them.", clamped) if t)
    return alt.layer(*layers, *stops(runs), data=frame,     # the curves' data, once
        height=430, title=title("Gradient norm before clipping, and where clipping fired",
                                 "‖g‖: the norm of all gradients together, before clipping. ▲: clipping "
                                 "changed that step's gradient.", dashed,
                                 "Value clipping has no norm threshold: it cuts each entry, and ▲ marks "
                                 "where an entry passed it." if value else "", note))


def probe_frame(runs, fields):
    rows = [pd.DataFrame({"run": label, "step": h.probe_steps, "measure": name,
                          "value": getattr(h, field)})
            for label, h in runs for field, name in fields.items()]
    return pd.concat(rows, ignore_index=True).dropna(subset=["value"])


def spectrum_chart(runs):
    """ρ and σ_max of the recurrent matrix at every probe (W_hh for the RNN, W_hf for the LSTM)."""
    frame = probe_frame(runs, {"spectral_radius": "ρ: spectral radius",
                               "sigma_max": "σ_max: largest singular value"})
    base = alt.Chart(frame).encode(x=alt.X("step:Q", title="training step (updates)"), color=color(runs),
                                   strokeDash=alt.StrokeDash("measure:N", legend=legend()))
    tip = [alt.Tooltip("run:N"), alt.Tooltip("measure:N"), alt.Tooltip("step:Q"),
           alt.Tooltip("value:Q", format=".4f")]
    one = alt.Chart(pd.DataFrame({"value": [1.0]})).mark_rule(color=BASELINE_COLOR, strokeDash=[2, 2])
    scale, clamped = log_scale(runs, ("spectral_radius", "sigma_max"), decades=2)
    return alt.layer(base.mark_line(point=True).encode(y=y_axis("value:Q", "size (log scale)", scale=scale),
                                                       tooltip=tip),
                     one.encode(y=alt.Y("value:Q")), *stops(runs),
        height=400, title=title("How big are the recurrent weights during training?",
                                 "RNN: W_hh; LSTM: W_hf, through which h_{t−1} sets the forget gate. "
                                 "No unit: a gain per time step.",
                                 "Dotted: 1, where repeated products stop shrinking.", clamped))


def forget_chart(runs):
    """The LSTM runs' mean forget gate at every probe."""
    lstm = [(label, h) for label, h in runs if h.config.model == "lstm"]
    frame = probe_frame(lstm, {"forget_mean": "mean f"})
    tip = [alt.Tooltip("run:N"), alt.Tooltip("step:Q"), alt.Tooltip("value:Q", title="mean f", format=".4f")]
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("step:Q", title="training step (updates)"),
        y=y_axis("value:Q", "mean f", scale=alt.Scale(domain=[0, 1])),
        color=color(runs, [label for label, _ in lstm]), tooltip=tip).properties(
        height=360, title=title("How open are the LSTM's forget gates?",
                                 "Mean of f over the probe batch, its steps and units: 0 forgets, 1 "
                                 "keeps."))


def gradient_heatmaps(runs):
    """One heatmap per run of ``dh_norm (probes, T)``: training step down, time across, one shared
    log colour range for all runs. It comes from the runs that did not blow up, if any: an exploded
    run's 10^100 would turn the others into one dark colour, while its own cells past the range take
    the top colour (and inf/NaN the marked one), as each heatmap says."""
    steady = [h.dh_norm for _, h in runs if h.stopped_at is None] or [h.dh_norm for _, h in runs]
    zrange = shared_log_range(*steady)
    figs = []
    for label, h in runs:
        with np.errstate(over="ignore"):       # past float32's 3e38, a hover shows inf: it is
            fig = log_heatmap(h.dh_norm, title=label,
                              x_title="time step t of the sequence", y_title="training step",
                              value_name="‖∂L/∂h<sub>t</sub>‖", y_labels=h.probe_steps, zrange=zrange,
                              zero_meaning="exactly zero: cut by truncation (or underflow)", height=340,
                              layout={"yaxis": {"autorange": "reversed"}})
        figs.append(fig)
    return figs, zrange


def forecast_chart(rows, truth, prediction, column):
    """Truth and one-step-ahead prediction of one column of a person's data, over the held-out rows."""
    frame = pd.concat([pd.DataFrame({"row": rows, "value": truth, "series": "truth"}),
                       pd.DataFrame({"row": rows, "value": prediction,
                                     "series": "one-step-ahead prediction"})], ignore_index=True)
    return alt.Chart(frame).mark_line(strokeWidth=1.5).encode(
        x=alt.X("row:Q", title="row of the file (held out: never trained on)",
                scale=alt.Scale(zero=False, nice=False)),
        y=y_axis("value:Q", column, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", scale=alt.Scale(domain=["truth", "one-step-ahead prediction"],
                                                    range=[BASELINE_COLOR, COLORS[1]]),
                        legend=legend()),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("row:Q"),
                 alt.Tooltip("value:Q", title=column, format=".4g")]).properties(
        height=360, title=title(f"{column}: truth vs the model's prediction, held-out rows",
                                 f"{column} in the file's own units. Each prediction uses the true rows "
                                 "before it (one step ahead)."))


