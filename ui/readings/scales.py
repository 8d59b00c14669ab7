"""What a chart's scale is, said under it; overflow and cut lines said once. Pure."""
import numpy as np

from ui.readings import thresholds as th

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power(exponent):
    """10 to the power ``exponent`` in plain text: 10⁻¹²."""
    return "10" + str(int(exponent)).translate(_SUPERSCRIPT)


def filled_share(data_range, shown_range):
    """The share of a colour range ``shown_range (lo, hi)`` (log10) that a view's own data range
    ``data_range (lo, hi)`` covers."""
    lo, hi = max(data_range[0], shown_range[0]), min(data_range[1], shown_range[1])
    return max(0.0, hi - lo) / max(shown_range[1] - shown_range[0], 1e-12)


def colour_scale(choice, ranges, shared=None, hint=True):
    """The caption of side-by-side heatmaps: which scale is shown and what equal colours mean.
    ``ranges``: ``{name: (lo, hi)}`` each view's own log10 range; ``shared``: the one range for all."""
    if choice == "own" and len(ranges) == 1:
        (lo, hi), = ranges.values()
        return (f"Colour: **this view's own** log range, {power(lo)} to {power(hi)}, from its data"
                + (" (choose **Colour scale: shared range** for the range every setting shares)." if hint else "."))
    if choice == "own":
        each = ", ".join(f"{name} {power(lo)} to {power(hi)}" for name, (lo, hi) in ranges.items())
        text = (f"Colour: **this view's own** log range ({each}); equal colours mean equal sizes "
                "within one heatmap, not across them.")
        return text + (" Choose **Colour scale: shared range** to compare sizes." if hint and len(ranges) > 1
                       else "")
    text = (f"Colour: **one shared** log range, {power(shared[0])} to {power(shared[1])}, for "
            f"{'both' if len(ranges) == 2 else 'every view'}: equal colours mean equal sizes.")
    slivers = [name for name, r in ranges.items() if filled_share(r, shared) < th.SLIVER]
    if slivers:
        text += (f" The {' and '.join(slivers)} values fill less than {th.SLIVER:.0%} of it, so they "
                 "show as nearly one colour" + ("; choose **Colour scale: this view's own range** to "
                                                "see their detail." if hint else "."))
    return text


def fixed_scale(zrange, data_range):
    """The caption of one heatmap on the fixed range shared by every setting."""
    text = f"Colour: the **shared** log range {power(zrange[0])} to {power(zrange[1])}, the same at every setting."
    if filled_share(data_range, zrange) < th.SLIVER:
        text += " This run's values fill only a sliver of it: its own range shows more."
    if data_range[1] > zrange[1] or data_range[0] < zrange[0]:
        text += " Values beyond it take the end colours."
    return text


def overflow(forward_step, backward_step):
    """Where the numbers stopped being finite, said once; None when they never did."""
    if forward_step is None and backward_step is None:
        return None
    if forward_step is not None:
        return f"The state overflowed at step {forward_step} (forward pass)"
    return f"The gradient overflowed at step {backward_step} (backward pass, going back from the end)"


def metric(value, overflow_step=None):
    """A metric's text: the number, or where it overflowed (never inf or nan)."""
    if value is not None and np.isfinite(value):
        return f"{value:.3e}"
    return f"overflowed at step {overflow_step}" if overflow_step is not None else "overflowed"


def cut(name, t_cut):
    """A theory line cut where it leaves the frame, which follows the measured data."""
    if t_cut is None:
        return ""
    what = "step Jacobians' product" if name == "product" else name
    return (f"The {what} leaves the frame at t = {t_cut} and is cut there: the axis follows the "
            "measured data, not the theory.")
