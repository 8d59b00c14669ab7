"""The forward page's readings: where the state is flat, the heatmap and bars' scales, the inputs. Pure."""
import numpy as np

from ui.readings import thresholds as th

# How each activation flattens: where |φ'| is small, the gradient through that unit shrinks too.
FLAT = {"tanh": ("|h| > 0.9", "tanh′ < 0.19 there"), "sigmoid": ("h < 0.1 or h > 0.9", "σ′ < 0.09 there"),
        "relu": ("h = 0", "ReLU′ = 0 there"), "linear": (None, "a linear unit never flattens")}


def flat_mask(activation, h):
    """True where the activation is flat at the state ``h`` (see ``FLAT``)."""
    h = np.asarray(h, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if activation == "tanh":
            return np.abs(h) > 0.9
        if activation == "sigmoid":
            return np.abs(h - 0.5) > 0.4
        if activation == "relu":
            return h == 0
    return np.zeros(h.shape, dtype=bool)


def state_heatmap(activation, H, T, zrange, log, flat):
    """The heatmap's line: rows, columns, colour and its range, and how much of it is flat."""
    where, why = FLAT[activation]
    scale = ("fixed from −1 to 1" if activation in ("tanh", "sigmoid") else
             f"on a signed log scale up to ±{zrange[1]:.2g}, from the data: each step of shade is a power "
             "of ten" if log else f"±{zrange[1]:.2g} from the data")
    text = f"Rows are the {H} hidden units, columns the {T} steps; colour is h_t (red negative, white 0, blue positive), {scale}."
    if where is None:
        return text + f" {why.capitalize()}."
    share = float(np.mean(flat))
    if share > th.MOSTLY:
        return text + f" Most cells are flat: {share:.0%} ({where}; {why})."
    return text + f" {share:.0%} of the cells are flat ({where}; {why})."


def state_bars(h_t, axis_top, t, log=False):
    """The bars' scale: the heatmap's (linear, or signed log with ``log``), or their own where the
    heatmap's would leave them blank (their tallest bar under ``FLAT_BARS`` of the axis).
    Returns ``(own, text)``."""
    h_t = np.asarray(h_t, dtype=np.float64)
    finite = np.abs(h_t[np.isfinite(h_t)])
    biggest = float(finite.max()) if finite.size else 0.0
    height = np.log10(1 + biggest) / np.log10(1 + axis_top) if log else biggest / axis_top
    own = 0 < height < th.FLAT_BARS
    if own:
        return True, (f"The bars use their own range, ±{biggest:.2g}: on the heatmap's ±{axis_top:.2g} "
                      f"the state at step {t} would not show.")
    return False, "The bars use the heatmap's range, so moving the step never rescales them."


def inputs(task, x, marked=None, target=None):
    """The input chart's line. For the adding problem, ``marked`` are the two marked steps and
    ``target`` their sum."""
    if task == "adding" and marked is not None and len(marked) == 2:
        a, b = (int(s) for s in marked)
        return (f"The adding problem: random numbers, two of them marked (at t = {a} and t = {b}: "
                f"{x[a, 0]:.2f} and {x[b, 0]:.2f}); the target at the end is their sum, {target:.2f}.")
    return f"The {x.shape[1]} input value{'s' if x.shape[1] > 1 else ''} x_t the network reads at each step."
