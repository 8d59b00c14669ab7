"""Success against length: share of seeds solved, and steps to solve, against T. Pure.

    fig = longlag_figure(rows)     # rows: core.training.sweep.summarize(...)

A length whose runs have not finished has no point yet; each solved run is a dot on the right panel,
the median a line, so the table fills in as runs finish.
"""
import numpy as np
import plotly.graph_objects as go

from ui.figures.lines import COLORS
from ui.readings.longlag import NAMES


# Both models solve every seed at the short lengths: the RNN's ring stays visible around the LSTM's dot.
MARKERS = ({"size": 15, "symbol": "circle-open", "line": {"width": 2.5}}, {"size": 9})


def longlag_figure(rows):
    lengths = sorted({r.T for r in rows})
    traces = []
    for color, model, marker in zip(COLORS, ("rnn", "lstm"), MARKERS):
        mine = [r for r in rows if r.model == model]
        done = [r for r in mine if r.finished]
        traces.append(go.Scatter(
            x=[r.T for r in done], y=[r.share for r in done], mode="lines+markers", name=NAMES[model],
            legendgroup=model, line={"color": color}, marker=marker,
            customdata=[[r.solved, r.finished] for r in done],
            hovertemplate="T = %{x}: %{customdata[0]} of %{customdata[1]} solved<extra></extra>"))
        solved = [r for r in mine if r.steps_to_solve]
        traces.append(go.Scatter(
            x=[r.T for r in solved for _ in r.steps_to_solve],
            y=[s for r in solved for s in r.steps_to_solve], mode="markers", xaxis="x2", yaxis="y2",
            legendgroup=model, showlegend=False, marker={"color": color, "size": 8, "opacity": 0.6},
            hovertemplate="T = %{x}: solved in %{y} steps<extra></extra>"))
        traces.append(go.Scatter(
            x=[r.T for r in solved], y=[r.median_steps for r in solved], mode="lines", xaxis="x2",
            yaxis="y2", legendgroup=model, showlegend=False, line={"color": color, "dash": "dot"},
            hovertemplate="T = %{x}: median %{y} steps<extra></extra>"))
    budget = max((r.budget for r in rows), default=1)
    # Both panels span every length tried, so a length nobody solved still has its place on the right.
    span = [np.log10(min(lengths)) - 0.1, np.log10(max(lengths)) + 0.1] if lengths else None
    axis = {"type": "log", "tickvals": lengths, "ticktext": [str(T) for T in lengths], "range": span,
            "title": {"text": "sequence length T"}}
    return go.Figure(traces, layout={
        "title": {"text": "Which model learns the adding problem, at which length?",
                  "subtitle": {"text": f"each run stops once solved (mean loss of 100 steps below 0.01) "
                                       f"or after {budget} steps"}},
        "height": 420, "margin": {"l": 60, "r": 20, "t": 80, "b": 60},
        "xaxis": {**axis, "domain": [0, 0.45]}, "xaxis2": {**axis, "domain": [0.55, 1], "anchor": "y2"},
        "yaxis": {"range": [-0.05, 1.05], "tickformat": ".0%", "title": {"text": "share of seeds solved"}},
        "yaxis2": {"anchor": "x2", "range": [0, budget * 1.05],
                   "title": {"text": "steps to solve (dots: runs, dotted: median)"}},
        "legend": {"orientation": "h", "y": -0.2}})
