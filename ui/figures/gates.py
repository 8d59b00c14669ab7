"""Figures of the LSTM's gates and cell path, and of the RNN-vs-LSTM comparison. Pure: no Streamlit.

Gates in [0, 1] use the sequential Cividis (dark = closed, yellow = open), signed values RdBu.
"""
import numpy as np

from ui.figures.gradients import mean_profile
from ui.figures.heatmap import log_heatmap
from ui.figures.lines import log_lines
from ui.figures.scales import SIGNED, UNIT, pow10, shared_log_range, symmetric_range  # noqa: F401
from ui.figures.states import DIVERGING, state_heatmap

GATE_SCALE = "Cividis"          # dark blue = 0 (closed), yellow = 1 (open)


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


def cell_path_figure(forget_prod, dc_norm, carry=None):
    """``forget_prod (T,)``: prod_{k=t+1..T-1} f_k, mean over units; ``dc_norm (T,)``: the measured
    ||dL/dc_t|| of the same sequence; ``carry (T,)``: the last step's cell gradient carried back through
    each unit's own gates (core.gradients.theory.cell_carry). All relative to the last step."""
    t = np.arange(len(dc_norm))
    curves = [dict(name="measured ‖∂L/∂c_t‖", x=t, y=relative_to_last(dc_norm),
                   hover="‖∂L/∂c_t‖ / ‖∂L/∂c_T‖"),
              dict(name="forget-gate product ∏ f_k, k = t+1…T−1 (mean over units)", x=t,
                   y=relative_to_last(forget_prod), dash="dash", hover="∏ f_k")]
    if carry is not None:
        curves.append(dict(name="cell path alone: ‖∂L/∂c_(T−1) ⊙ ∏ f_k‖", x=t, y=carry, dash="dot",
                           hover="cell path alone"))
    return log_lines(curves, title="How much of the last step's cell gradient reaches step t",
                     x_title="time step t", y_title="relative to the last step (log scale)")


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
