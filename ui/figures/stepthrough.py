"""The backward pass, one time step at a time: a Plotly animation the browser plays by itself. Pure.

    fig = stepthrough_figure(run.dh_norm)      # (B, T) ||dL/dh_t|| recorded by one backward pass

Frame k shows what backpropagation has computed after k steps back from the loss at t = T-1: the
cells t >= T-1-k of the heatmap (one row per sequence) and of the unrolled strip below it (sequence 0),
the rest still blank. The frames are the recorded gradients themselves, so Play / Pause and the slider
run in the browser: playing costs the server nothing.
"""
import numpy as np
import plotly.graph_objects as go

from ui.figures.heatmap import SCALE

UNREACHED = "#dddddd"


def _log(a):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(a) & (a > 0), np.log10(np.where(a > 0, a, 1.0)), np.nan)


def frontier(T, frame, per=1):
    """The earliest step the gradient has reached after frame ``frame`` (``per`` steps a frame)."""
    return max(0, T - 1 - frame * per)


def frame_data(dh_norm, frame, per=1, zrange=None):
    """The three traces of frame ``frame``: the heatmap so far, the strip's reached and unreached steps."""
    B, T = dh_norm.shape
    t0 = frontier(T, frame, per)
    t = np.arange(T)
    reached = t >= t0
    z = np.where(reached[None, :], _log(dh_norm), np.nan)
    lo, hi = zrange
    strip = dh_norm[0]
    return [{"type": "heatmap", "z": z, "zmin": lo, "zmax": hi},
            # the strip's steps as plain lists: a browser (and a test) reads how far the gradient got
            {"type": "scatter", "x": t[reached].tolist(), "y": [0] * int(reached.sum()),
             "customdata": strip[reached], "marker": {"color": _log(strip[reached]), "cmin": lo, "cmax": hi}},
            {"type": "scatter", "x": t[~reached].tolist(), "y": [0] * int((~reached).sum())}]


def stepthrough_figure(dh_norm, *, max_frames=100, title="The gradient travels back, one step per frame",
                       name="‖∂L/∂h_t‖", state="h"):
    """The animated heatmap of ``dh_norm (B, T)`` (or any such norms: ``name``, of the ``state``) and,
    below it, sequence 0 unrolled as a strip."""
    dh_norm = np.asarray(dh_norm, dtype=np.float64)
    B, T = dh_norm.shape
    per = int(np.ceil(T / max_frames))
    n_frames = int(np.ceil((T - 1) / per)) + 1
    logs = _log(dh_norm)
    finite = logs[np.isfinite(logs)]
    zrange = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    if zrange[1] - zrange[0] < 1:
        zrange = (zrange[0] - 0.5, zrange[1] + 0.5)
    first = frame_data(dh_norm, 0, per, zrange)
    heat, reached, unreached = (dict(d) for d in first)
    heat.update(colorscale=SCALE, xaxis="x", yaxis="y", hovertemplate="t = %{x}<br>sequence %{y}<br>"
                f"log₁₀ {name} = %{{z:.2f}}<extra></extra>",
                colorbar={"title": {"text": f"log₁₀ {name}"}, "len": 0.7, "y": 0.65})
    reached.update(mode="markers", xaxis="x2", yaxis="y2", showlegend=False,
                   marker={**reached["marker"], "size": 16, "colorscale": SCALE,
                           "line": {"color": "#333", "width": 1}},
                   hovertemplate=f"{state}<sub>%{{x}}</sub>: {name} = %{{customdata:.3e}}<extra></extra>")
    unreached.update(mode="markers", xaxis="x2", yaxis="y2", showlegend=False, hoverinfo="skip",
                     marker={"size": 16, "color": UNREACHED, "line": {"color": "#999", "width": 1}})
    frames = [{"name": str(frame), "data": frame_data(dh_norm, frame, per, zrange), "traces": [0, 1, 2],
               "layout": {"shapes": [_marker_line(frontier(T, frame, per))]}}
              for frame in range(n_frames)]
    play = {"frame": {"duration": 250, "redraw": True}, "fromcurrent": True, "transition": {"duration": 0}}
    still = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate", "transition": {"duration": 0}}
    slider = {"active": 0, "x": 0.17, "len": 0.83, "y": -0.05, "currentvalue": {"prefix": "steps back: "},
              "steps": [{"label": str(min(frame * per, T - 1)), "method": "animate", "args": [[str(frame)], still]}
                        for frame in range(n_frames)]}
    buttons = {"type": "buttons", "direction": "left", "x": 0.0, "y": -0.05, "xanchor": "left",
               "yanchor": "top", "showactive": False, "pad": {"t": 40},
               "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                           {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]}]}
    # _validate=False: the frames are plain numbers and dicts built here; validating 100 heatmap frames
    # costs seconds at every rerun, the same figure unvalidated a few milliseconds
    return go.Figure(data=[heat, reached, unreached], frames=frames, _validate=False, layout={
        "title": {"text": title, "subtitle": {"text": f"top: every sequence; bottom: sequence 0 unrolled; "
                                                      f"{per} step{'s' if per > 1 else ''} back per frame, "
                                                      "the loss at the last step"}},
        "height": 470, "margin": {"l": 60, "r": 20, "t": 70, "b": 110},
        "xaxis": {"domain": [0, 1], "anchor": "y", "range": [-0.5, T - 0.5], "showticklabels": False},
        "yaxis": {"domain": [0.3, 1], "title": {"text": "sequence"}, "autorange": "reversed"},
        "xaxis2": {"domain": [0, 1], "anchor": "y2", "range": [-0.5, T - 0.5], "title": {"text": "time step t"}},
        "yaxis2": {"domain": [0, 0.18], "visible": False, "range": [-1, 1]},
        "shapes": [_marker_line(T - 1)], "updatemenus": [buttons], "sliders": [slider]})


def _marker_line(t):
    """A dashed line at the step the gradient has just reached."""
    return {"type": "line", "x0": t, "x1": t, "xref": "x2", "y0": 0, "y1": 1, "yref": "paper",
            "line": {"color": "#e7298a", "width": 2, "dash": "dash"}}
