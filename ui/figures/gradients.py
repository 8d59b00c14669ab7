"""Figures of one gradient run (core.gradients.experiment.GradientRun). Pure: no Streamlit here."""
from dataclasses import dataclass

import numpy as np

from core.gradients import jacobians, theory
from ui.figures.heatmap import LOG_RANGE, log_heatmap
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
PRODUCT_NAME = "step Jacobians: ‖∂L/∂h<sub>T−1</sub>‖ ∏<sub>k>t</sub> ‖∂h<sub>k</sub>/∂h<sub>k−1</sub>‖"


@dataclass(frozen=True)
class BoundView:
    """The bound chart's curves, each (T,), and its frame: the y range (log10) spans the measured
    data only; a theory line is cut (NaN) where it leaves that frame, and the step where it does is kept."""
    measured: np.ndarray            # mean over the batch of ||dL/dh_t||
    product: np.ndarray | None      # mean of ||dL/dh_{T-1}|| ∏ ||J_k|| over the sequences measured, cut
    bound: np.ndarray | None        # mean ||dL/dh_{T-1}|| (γσ_max)^(T-1-t), cut
    y_range: tuple | None           # (lo, hi) log10
    cuts: dict                      # {"product" | "bound": step where the line leaves the frame}
    shares: tuple                   # (measured, product, bound) at t = 0 over the last step
    sequences: int                  # how many sequences the product is the mean of


def bound_view(run, step_norms=None):
    """``step_norms (T, B')``: ||∂h_t/∂h_{t-1}|| (core.gradients.jacobians.rnn_step_norms)."""
    prof = mean_profile(run.dh_norm)
    T = len(prof)
    with np.errstate(all="ignore"):
        measured_share = prof[0] / prof[-1]
    if run.spectrum is None or run.setup.loss_at != "last":
        return BoundView(prof, None, None, None, {}, (measured_share, None, None), 0)
    sequences = 0 if step_norms is None else step_norms.shape[1]
    with np.errstate(all="ignore"):
        rate_power = np.power(run.spectrum.rate, np.arange(T - 1, -1, -1, dtype=np.float64))  # (T,)
        bound = rate_power * prof[-1]
        lines = {"bound": bound}
        shares = [measured_share, None, float(rate_power[0])]
        if sequences:
            P = jacobians.product_to(step_norms, run.setup.truncate or None)        # (T, n)
            weight = run.dh_norm[:sequences, -1] / np.mean(run.dh_norm[:sequences, -1])         # (n,) mean 1
            lines["product"] = np.mean(P * weight, axis=1) * np.mean(run.dh_norm[:sequences, -1])
            shares[1] = float(np.mean(P[0] * weight))
    data = prof[np.isfinite(prof) & (prof > 0)]
    if not data.size:
        return BoundView(prof, lines.get("product"), bound, None, {}, tuple(shares), sequences)
    lo, hi = np.floor(np.log10(data.min())) - 0.5, np.ceil(np.log10(data.max())) + 0.5
    cuts = {}
    for name, y in lines.items():
        with np.errstate(all="ignore"):
            outside = (y > 10.0 ** hi) | ((y < 10.0 ** lo) & (y > 0))
        if outside.any():
            cuts[name] = int(np.flatnonzero(outside).max())
            lines[name] = np.where(outside, np.nan, y)
    return BoundView(prof, lines.get("product"), lines["bound"], (float(lo), float(hi)), cuts,
                     tuple(shares), sequences)


def profile_figure(view):
    """The measured mean ||dL/dh_t|| and, for a loss at the last step, the step Jacobians' product
    and Pascanu's bound, cut where it leaves the data's frame: ``view`` is a ``bound_view``, or a
    run (then without the Jacobians' product)."""
    if not isinstance(view, BoundView):
        view = bound_view(view)
    t = np.arange(len(view.measured))
    curves = [dict(name="measured: mean over the batch", x=t, y=view.measured, hover="‖∂L/∂h_t‖")]
    if view.product is not None:
        curves.append(dict(name=PRODUCT_NAME, x=t, y=view.product, dash="dot", hover="Jacobians' product",
                           nan_is_gap=True))
    if view.bound is not None:
        curves.append(dict(name=BOUND_NAME, x=t, y=view.bound, dash="dash",
                           hover="bound", nan_is_gap=True))
    note = "; ".join(f"the {'Jacobians’ product' if line == 'product' else line} leaves the frame at t = {t_cut}"
                     for line, t_cut in view.cuts.items()) or None
    return log_lines(curves, title="The gradient's reach back in time, with the theory",
                     x_title="time step t", y_title="‖∂L/∂h_t‖ (log scale)", y_range=view.y_range,
                     subtitle=note)


def transport_figure(transport, zrange=LOG_RANGE):
    """Rows: loss step s; columns: state step t; colour: ||dL_s/dh_t|| on the log10 range ``zrange``."""
    return log_heatmap(transport.dh_norm, zrange=zrange, title="How much of the loss at step s reaches the state at step t",
                       x_title="state step t", y_title="loss step s", y_labels=transport.loss_steps,
                       value_name="‖∂L<sub>s</sub>/∂h<sub>t</sub>‖",
                       zero_meaning="zero: t is after s (or cut by truncation)", height=420)


def contributions_figure(contrib):
    t = np.arange(len(contrib))
    return log_lines([dict(name="‖h_{t−1}ᵀ δ_t‖ (Frobenius)", x=t, y=contrib, hover="contribution")],
                     title="How much each time step adds to the recurrent weights' gradient",
                     x_title="time step t", y_title="size of step t's term (log scale)")
