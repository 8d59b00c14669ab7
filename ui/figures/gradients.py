"""Figures of one gradient run (core.gradients.experiment.GradientRun). Pure: no Streamlit here."""
import numpy as np

from core.gradients import theory
from ui.figures.heatmap import log_heatmap
from ui.figures.lines import log_lines


def gradient_heatmap(dh_norm, *, title="How big is the gradient at each step?", zrange=None,
                     value_name="‖∂L/∂h<sub>t</sub>‖", height=360,
                     zero_meaning="exactly zero: cut by truncation, or below 10<sup>-308</sup>"):
    """``dh_norm (B, T)``: one row per sequence of the batch, time across."""
    kw = {} if zrange is None else {"zrange": zrange}
    return log_heatmap(dh_norm, title=title, x_title="time step t", y_title="sequence",
                       value_name=value_name, zero_meaning=zero_meaning, height=height, **kw)


def mean_profile(dh_norm):
    """Mean over the batch per step; NaN/inf anywhere in a column stays visible as non-finite."""
    with np.errstate(all="ignore"):
        return dh_norm.mean(axis=0)


def reach_ratio(dh_norm):
    """||dL/dh_0|| / ||dL/dh_{T-1}||, batch means: how much of the gradient reaches the first step."""
    prof = mean_profile(dh_norm)
    with np.errstate(all="ignore"):
        return float(prof[0] / prof[-1])


# The bound from the last step, T − 1 (time steps run 0 … T − 1): theory.bound's exponent s − t.
BOUND_NAME = "bound: ‖∂L/∂h<sub>T−1</sub>‖ (γσ<sub>max</sub>)<sup>T−1−t</sup>"


def profile_figure(run):
    """The measured mean ||dL/dh_t|| and, for a loss at the last step, Pascanu's bound."""
    prof = mean_profile(run.dh_norm)
    T = len(prof)
    t = np.arange(T)
    curves = [dict(name="measured: mean over the batch", x=t, y=prof, hover="‖∂L/∂h_t‖")]
    if run.spectrum is not None and run.setup.loss_at == "last":
        with np.errstate(all="ignore"):
            b = theory.bound(run.spectrum, T) * prof[-1]
        curves.append(dict(name=BOUND_NAME, x=t, y=b, dash="dash",
                           hover="bound", nan_is_gap=True))
    return log_lines(curves, title="The gradient's reach back in time, with the bound from theory",
                     x_title="time step t", y_title="‖∂L/∂h_t‖ (log scale)")


def transport_figure(transport):
    """Rows: loss step s; columns: state step t; colour: ||dL_s/dh_t||."""
    return log_heatmap(transport.dh_norm, title="How much of the loss at step s reaches the state at step t",
                       x_title="state step t", y_title="loss step s", y_labels=transport.loss_steps,
                       value_name="‖∂L<sub>s</sub>/∂h<sub>t</sub>‖",
                       zero_meaning="zero: t is after s (or cut by truncation)", height=420)


def contributions_figure(contrib):
    t = np.arange(len(contrib))
    return log_lines([dict(name="‖h_{t−1}ᵀ δ_t‖ (Frobenius)", x=t, y=contrib, hover="contribution")],
                     title="How much each time step adds to the recurrent weights' gradient",
                     x_title="time step t", y_title="size of step t's term (log scale)")
