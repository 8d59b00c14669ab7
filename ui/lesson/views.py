"""The lesson's pictures, built once per step and shared by every session (a class opens the same
step at once). A step-through carries every frame, so building it costs ~0.5 s; a rerun pays nothing."""
import threading

import numpy as np
import plotly.graph_objects as go
from cachetools import LRUCache, cached

from core.gradients.experiment import GradientSetup
from core.numerics.validate import norm
from ui.figures import gradients as gf
from ui.figures.lines import log_lines
from ui.figures.stepthrough import stepthrough_figure
from ui.figures.unrolled import unrolled_figure
from ui.runtime import cache

_figures = LRUCache(maxsize=64)
_lock = threading.Lock()


def run_of(setup_kwargs):
    return cache.gradient_run(GradientSetup(**setup_kwargs))


@cached(_figures, key=lambda setup, view: (setup, view), lock=_lock)
def figure(setup, view):
    """The Plotly figure ``view`` of the run with GradientSetup ``setup``."""
    run = cache.gradient_run(setup)
    if view == "unrolled":
        return unrolled_figure(run)
    if view == "stepthrough" and setup.model == "lstm":
        return stepthrough_figure(run.dc_norm, name="‖∂L/∂c_t‖", state="c",
                                  title="The cell's gradient travels back, one step per frame")
    if view == "stepthrough":
        return stepthrough_figure(run.dh_norm)
    if view == "heatmap":
        return gf.gradient_heatmap(run.dh_norm)
    if view == "profile":
        return gf.profile_figure(run)
    if view == "states":
        return states_figure(run)
    raise ValueError(f"no lesson view {view!r}")


def states_figure(run, sequence=0):
    """The forward pass of one sequence: ‖h_t‖ and the input's values x_t over time."""
    h = norm(run.trace.h[:, sequence], axis=1)
    x = run.batch.x[:, sequence]
    t = np.arange(len(h))
    traces = [go.Scatter(x=t, y=h, name="‖h_t‖, the state's size", mode="lines+markers")]
    traces += [go.Bar(x=t, y=x[:, d], name=f"input x_t[{d}]" + (" (1 = marked)" if d == 1 else ""),
                      opacity=0.5) for d in range(x.shape[1])]
    return go.Figure(traces, layout={"title": {"text": "The forward pass: each state from its input and "
                                                       "the state before"},
                                     "height": 330, "xaxis": {"title": {"text": "time step t"}},
                                     "legend": {"orientation": "h", "y": -0.25}, "barmode": "group"})


def compare_figure(lstm_setup, rnn_setup):
    runs = [("plain RNN (tanh), mean over the batch", cache.gradient_run(rnn_setup)),
            (f"LSTM (forget bias {lstm_setup.forget_bias:g}), mean over the batch",
             cache.gradient_run(lstm_setup))]
    T = lstm_setup.seq_len
    return log_lines([dict(name=name, x=range(T), y=gf.mean_profile(r.dh_norm), hover="‖∂L/∂h_t‖")
                      for name, r in runs],
                     title="How much of the loss at the last step reaches each earlier step",
                     x_title="time step t", y_title="‖∂L/∂h_t‖ (log scale)")
