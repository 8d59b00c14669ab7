"""How far back a gradient reaches, in words computed from the numbers they state. Pure.

``share`` is always a size at t = 0 over the size at the last step; the words for it come from
``share_word`` and the thresholds of ui.readings.thresholds, nowhere else.
"""
import numpy as np

from ui.readings import thresholds as th


def number(v, spec=".1e", zero="it underflowed below 10⁻³⁰⁸"):
    """A size as text: exactly 0 and non-finite values are said for what they are (``zero``: why a 0
    is 0, e.g. a truncation's cut)."""
    if v is None or not np.isfinite(v):
        return "not finite (it overflowed)"
    if v == 0:
        return f"exactly 0 ({zero})"
    return format(v, spec)


def share_word(share):
    """What a gradient whose first step keeps ``share`` of its last step's size does."""
    if share is None or not np.isfinite(share):
        return "overflows"
    if share < th.VANISHES:
        return "vanishes"
    if share < th.KEEPS:
        return "fades"
    if share <= th.GROWS:
        return "reaches back"
    if share <= th.EXPLODES:
        return "grows"
    return "explodes"


def cut_words(truncate):
    """Why a gradient is exactly 0 at t = 0 under truncated BPTT."""
    return f"truncation every {truncate} steps cuts the path"


def reach(share, T, overflow_step=None, truncate=0):
    """The measured reach of one run: its number and its word (``truncate``: a 0 is the cut's)."""
    if overflow_step is not None or share is None or not np.isfinite(share):
        where = f" from step {overflow_step} back" if overflow_step is not None else ""
        return f"The gradient overflowed{where}: its size at t = 0 is not a number."
    if share == 0 and truncate:
        return (f"The gradient reaching t = 0 is **{number(share, zero=cut_words(truncate))}** of the one "
                f"at t = {T - 1}: no gradient crosses the cuts.")
    return (f"The gradient reaching t = 0 is **{number(share)}** of the one at t = {T - 1}: "
            f"it **{share_word(share)}**.")


def verdict(rate, T):
    """What Pascanu's bound (γσ_max)^(T−1−t) says, and no more: below 1 it forces a fade; at or above
    1 it only allows growth (whether the gradient grows depends on the states)."""
    with np.errstate(over="ignore", under="ignore"):
        allowed = float(np.power(np.float64(rate), T - 1))
    if rate < 1:
        return (f"γ·σ_max = {rate:.3f} < 1, so the bound says the gradient **must fade**: by step 0 "
                f"it keeps at most {number(allowed)} of its last-step size.")
    return (f"γ·σ_max = {rate:.3f} ≥ 1, so the bound **allows** growth up to {number(allowed)} by "
            "step 0; it does not say the gradient grows: that depends on the states (φ′ can be small).")


def compare(shares):
    """Two runs' reaches side by side, ``{name: share}`` (two names): which reaches further, by
    how much, and whether that is far apart (``FAR_APART``)."""
    (a, sa), (b, sb) = shares.items()
    parts = ", ".join(f"the {name}'s **{number(v)}** ({share_word(v)})" for name, v in shares.items())
    text = f"At t = 0 the gradient keeps, of its last-step size, {parts}."
    if not (np.isfinite(sa) and np.isfinite(sb)):
        return text + " One of them overflowed, so they cannot be compared by size."
    if sa == 0 and sb == 0:
        return text + " Both underflowed to 0."
    hi, lo = (a, b) if sa >= sb else (b, a)
    ratio = max(sa, sb) / min(sa, sb) if min(sa, sb) > 0 else np.inf
    if ratio < th.FAR_APART:
        return text + f" They are alike (within a factor of {th.FAR_APART:g})."
    times = "infinitely" if not np.isfinite(ratio) else f"{ratio:.0e}×"
    return text + f" The {hi}'s keeps **{times} more** of its last-step size than the {lo}'s."


def bound(measured, product, allowed, truncate=0):
    """The three curves of the bound chart at t = 0, each a share of the last step's size: the
    measurement, the product of the step Jacobians' norms (None: not measured), and Pascanu's bound."""
    zero = cut_words(truncate) if truncate else "it underflowed below 10⁻³⁰⁸"
    text = (f"At t = 0, as shares of the last step's size: measured {number(measured, zero=zero)}, "
            + ("" if product is None else f"the step Jacobians' product allows {number(product, zero=zero)}, ")
            + f"the bound {number(allowed)}.")
    order = [v for v in (measured, product, allowed) if v is not None and np.isfinite(v)]
    if len(order) == 3 and measured <= product * (1 + 1e-9) <= allowed * (1 + 1e-9) ** 2:
        text += " Measured ≤ product ≤ bound, as the theory says."
    return text
