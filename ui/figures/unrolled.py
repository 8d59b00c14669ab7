"""The network unrolled over time, the textbook picture, with the run's own numbers on it. Pure.

    fig = unrolled_figure(run)     # run: core.gradients.experiment.GradientRun

One column per time step shown: the input x_t at the bottom, the hidden state h_t above it, and for the
LSTM the cell state c_t on top. Each state node is labelled with ‖∂L/∂h_t‖ (‖∂L/∂c_t‖) of one sequence,
and coloured by it on a log scale; the arrows h_{t-1} → h_t carry W_hh, and the LSTM's cell arrows
c_{t-1} → c_t carry the mean forget gate f_t of that step, the factor the cell path multiplies by.
Past ``max_nodes`` steps the first two and the last ones are shown, a gap between them.
"""
import numpy as np
import plotly.graph_objects as go

from ui.figures.heatmap import SCALE

ROW = {"x": 0.0, "h": 1.0, "c": 2.0}


def shown_steps(T, max_nodes=8):
    """The time steps drawn: all of them up to ``max_nodes``, else the first two and the last ones."""
    if T <= max_nodes:
        return np.arange(T)
    return np.concatenate([np.arange(2), np.arange(T - (max_nodes - 2), T)])


def node_values(run, sequence=0, max_nodes=8):
    """``{"t": steps shown, "h": ‖∂L/∂h_t‖, "c": ‖∂L/∂c_t‖ or None, "f": mean f_t or None}`` of one
    sequence: exactly the numbers the picture labels."""
    steps = shown_steps(run.setup.seq_len, max_nodes)
    lstm = run.setup.model == "lstm"
    return {"t": steps, "h": np.asarray(run.dh_norm[sequence, steps], dtype=np.float64),
            "c": np.asarray(run.dc_norm[sequence, steps], dtype=np.float64) if lstm else None,
            "f": run.trace.f[steps, sequence].mean(axis=1) if lstm else None}


def label(v):
    return f"{v:.1e}" if np.isfinite(v) else "overflow"


def _log(v):
    with np.errstate(divide="ignore"):
        out = np.log10(np.where(np.isfinite(v) & (v > 0), v, np.nan))
    return out


def unrolled_figure(run, sequence=0, max_nodes=8, height=None):
    """The unrolled picture of ``run`` (one sequence), each state node labelled with its gradient."""
    v = node_values(run, sequence, max_nodes)
    steps, nodes = v["t"], len(v["t"])
    lstm = v["c"] is not None
    cols = np.arange(nodes, dtype=float)
    logs = np.concatenate([_log(v["h"])] + ([_log(v["c"])] if lstm else []))
    finite = logs[np.isfinite(logs)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    if hi - lo < 1:
        lo, hi = lo - 0.5, hi + 0.5
    shapes, notes = [], []

    def arrows(row, text_of):
        for i in range(nodes - 1):
            gap = steps[i + 1] - steps[i] > 1
            y = ROW[row]
            shapes.append({"type": "line", "x0": cols[i] + 0.18, "x1": cols[i + 1] - 0.18, "y0": y,
                           "y1": y, "line": {"color": "#888", "width": 2, "dash": "dot" if gap else "solid"}})
            notes.append({"x": cols[i] + 0.5, "y": y + 0.13, "text": "…" if gap else text_of(i + 1),
                          "showarrow": False, "font": {"size": 11}})

    arrows("h", lambda i: "W<sub>hh</sub>")
    for i in range(nodes):        # input x_t feeds h_t
        shapes.append({"type": "line", "x0": cols[i], "x1": cols[i], "y0": ROW["x"] + 0.15,
                       "y1": ROW["h"] - 0.18, "line": {"color": "#bbb", "width": 1.5}})
    traces = [go.Scatter(x=cols, y=np.full(nodes, ROW["x"]), mode="markers+text", hoverinfo="skip",
                         marker={"symbol": "square", "size": 26, "color": "#eeeeee",
                                 "line": {"color": "#999", "width": 1}},
                         text=[f"x<sub>{t}</sub>" for t in steps], showlegend=False)]

    def states(row, values, name):
        traces.append(go.Scatter(
            x=cols, y=np.full(nodes, ROW[row]), mode="markers+text", name=name, showlegend=False,
            customdata=values, text=[f"{row}<sub>{t}</sub>" for t in steps],
            textfont={"color": "white"},
            hovertemplate=f"%{{text}}: {name} = %{{customdata:.3e}}<extra></extra>",
            marker={"size": 38, "color": _log(values), "colorscale": SCALE, "cmin": lo, "cmax": hi,
                    "line": {"color": "#333", "width": 1}, "showscale": row == "h",
                    "colorbar": {"title": {"text": "log₁₀ of the<br>gradient's norm"}, "len": 0.8}}))
        for i in range(nodes):
            notes.append({"x": cols[i], "y": ROW[row] - 0.3, "text": label(values[i]), "showarrow": False,
                          "font": {"size": 11}})

    states("h", v["h"], "‖∂L/∂h_t‖")
    if lstm:
        arrows("c", lambda i: f"f = {v['f'][i]:.2f}")
        for i in range(nodes):
            shapes.append({"type": "line", "x0": cols[i], "x1": cols[i], "y0": ROW["h"] + 0.18,
                           "y1": ROW["c"] - 0.18, "line": {"color": "#bbb", "width": 1.5}})
        states("c", v["c"], "‖∂L/∂c_t‖")
    notes.append({"x": cols[-1] + 0.45, "y": ROW["h"] + 0.3, "text": "L", "showarrow": False,
                  "font": {"size": 16}})
    kind = "LSTM: cell path on top, its arrows labelled with the forget gate" if lstm else "RNN"
    return go.Figure(traces, layout={
        "title": {"text": f"The {kind}, unrolled: each state labelled with ‖∂L/∂state‖",
                  "subtitle": {"text": f"sequence {sequence}; the loss L sits at the last step, "
                                       f"t = {steps[-1]}"}},
        "height": height or (430 if lstm else 330), "shapes": shapes, "annotations": notes,
        "margin": {"l": 20, "r": 20, "t": 70, "b": 20}, "plot_bgcolor": "white",
        "xaxis": {"visible": False, "range": [-0.6, nodes - 0.2]},
        "yaxis": {"visible": False, "range": [-0.5, (ROW["c"] if lstm else ROW["h"]) + 0.5]}})
