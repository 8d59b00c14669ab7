"""The LSTM's gates and cell path in words, computed from the numbers they state. Pure.

"Open" and "near 1" mean a mean forget gate of at least ``NEAR_ONE``; whether the cell path keeps the
gradient is said from the product of the gates over the whole distance, never from one step's gate.
"""
import numpy as np

from ui.readings import thresholds as th
from ui.readings.reach import cut_words, number, share_word


def gates_open(f_mean):
    """Whether the forget gates are open, from their mean."""
    return "open, near 1" if f_mean >= th.NEAR_ONE else f"not near 1, below {th.NEAR_ONE:g}"


def forget_gate(f_mean, b_f):
    """The forget-gate panel's line: its mean, what the bias alone gives, what a step keeps."""
    return (f"mean f = {f_mean:.2f} with b_f = {b_f:g} (σ(b_f) = {1 / (1 + np.exp(-b_f)):.2f}): "
            f"{gates_open(f_mean)}; each step keeps about that share of the cell.")


def cell_state(c_abs_max, saturated_share):
    """The cell panel's line: how large |c| gets and whether tanh(c) saturates."""
    text = f"The cell is not bounded: |c| reaches {c_abs_max:.2g} here (the colour range)."
    if c_abs_max > th.CELL_SATURATES:
        text += f" Beyond |c| = {th.CELL_SATURATES:g} tanh(c) is flat; at the last step " + (
            f"{saturated_share:.0%} of the cells are there." if saturated_share > 0 else "no cell is there.")
    return text


def cell_path(f_mean, product, T, hint=""):
    """The forget gates over the whole distance: the mean product from the last step back to t = 0.
    ``hint``: how to open the gates, naming the control (empty where controls are hidden)."""
    word = share_word(product)
    text = (f"The forget gates are {gates_open(f_mean)} (mean {f_mean:.2f}); over the {T - 1} steps "
            f"back to t = 0 their product is {number(product)} (mean over units), so along the "
            f"cell path alone the gradient **{word}**.")
    if f_mean >= th.NEAR_ONE and product < th.KEEPS:
        text += f" Near 1 is not 1: {f_mean:.2f} compounded {T - 1} times is small."
    if product < th.KEEPS and hint:
        text += " " + hint
    return text


def measured_vs_product(measured, product, carried, saturated_share, c_abs_max, truncate=0):
    """The measured ‖∂L/∂c_t‖ at t = 0 against the mean forget-gate product, and what actually
    happens where they disagree. ``carried``: the cell path alone, the last step's cell gradient
    carried back through each unit's own gates (core.gradients.theory.cell_carry). ``truncate``: a
    measured 0 is the truncation's cut."""
    if measured == 0 and truncate:
        return f"The measured ‖∂L/∂c_t‖ is {number(measured, zero=cut_words(truncate))} at t = 0."
    text = f"The measured ‖∂L/∂c_t‖ keeps {number(measured)} of its last value: it **{share_word(measured)}**."
    if not (np.isfinite(measured) and np.isfinite(product)) or product == 0 or measured == 0:
        return text
    if measured * th.MEAN_MISLEADS < product:
        text += f" That is below the mean forget-gate product ({number(product)}), which misleads here"
        if c_abs_max > th.CELL_SATURATES:
            text += (f": {saturated_share:.0%} of the cells end saturated (|c| up to {c_abs_max:.2g}), "
                     "where tanh′(c) ≈ 0 lets almost no gradient in at the last step")
        if np.isfinite(carried):
            text += (f". Carried back through each unit's own gates, from where the last step's cell "
                     f"gradient actually sits, the cell path keeps {number(carried)}")
            if measured < carried:
                text += "; the path through h and the gates cancels part of that"
        text += "."
    elif measured > th.MEAN_MISLEADS * product:
        text += (f" That is above the mean product ({number(product)}): the other path, through h "
                 "and the gates, adds to it" + (", and carries it back." if measured >= th.KEEPS else "."))
    return text


def weak_gates_hint(f_mean, hidden):
    """How to open the gates, or nothing: where the controls are hidden no message may point at one."""
    if hidden or f_mean >= th.NEAR_ONE:
        return ""
    return "Raise **Forget-gate bias b_f** to open the gates toward 1."
