"""What to notice at each step of the guided lesson, computed from the numbers on screen. Pure.

``numbers(key, run)`` takes the step's gradient run (core.gradients.experiment.GradientRun) and returns
the few numbers the step's sentence states; ``notice(key, nums)`` turns them into that sentence. A
share is a gradient's size at t = 0 over its size at the last step (the loss), for sequence 0 or the
mean over the batch, as named; its word comes from ``reach.share_word`` and ui/readings/thresholds.py.
"""
import numpy as np

from core.numerics.validate import norm

from ui.readings.reach import number, share_word   # the app's one "number" and one share word (thresholds.py)


def _share(profile):
    with np.errstate(all="ignore"):
        return float(profile[0] / profile[-1])


def numbers(key, run):
    """The numbers step ``key`` states, from its run."""
    T = run.setup.seq_len
    mean = run.dh_norm.mean(axis=0)                                   # (T,) over the batch
    nums = {"T": T, "share": _share(mean), "first": float(mean[0]), "last": float(mean[-1])}
    if key == "unrolled":                                             # the picture draws sequence 0
        nums.update(first=float(run.dh_norm[0, 0]), last=float(run.dh_norm[0, -1]))
    elif key == "forward":
        h = run.trace.h[:, 0]                                         # (T, H) sequence 0
        size = norm(h, axis=1)
        nums.update(lo=float(size.min()), hi=float(size.max()), biggest=float(np.abs(h).max()))
    elif key == "backward":
        with np.errstate(all="ignore"):
            nums["rate"] = float(nums["share"] ** (1.0 / (T - 1)))
    elif key == "clipping":
        nums.update(before=float(run.grad_norm), after=float(run.clipped_norm),
                    c=float(run.setup.clip_threshold))
    elif key == "truncation":
        reached = np.flatnonzero((run.dh_norm > 0).all(axis=0))
        nums.update(k=run.setup.truncate, earliest=int(reached[0]) if reached.size else T)
    elif key == "cell":
        cell = run.dc_norm.mean(axis=0)
        nums.update(f=float(run.trace.f.mean()), cell_share=_share(cell))
    return nums


def notice(key, nums, other=None):
    """One sentence: what step ``key`` shows, stating its numbers ``n`` (``other``: the RNN's numbers
    beside the LSTM's, for the last step)."""
    T, share = nums["T"], nums["share"]
    reach = (f"the gradient reaching t = 0 is {number(share)} of the one at the loss (t = {T - 1}; "
             f"means over the batch): it {share_word(share)}")
    if key == "unrolled":
        return (f"The same W_hh joins every pair of neighbouring steps, so the loss at t = {T - 1} reaches "
                f"h_0 only through {T - 1} copies of it: ‖∂L/∂h_0‖ = {number(nums['first'])} against "
                f"{number(nums['last'])} at h_{T - 1} (sequence 0, the one drawn).")
    if key == "forward":
        return (f"Each h_t mixes the input x_t into the previous state: ‖h_t‖ stays between "
                f"{nums['lo']:.2f} and {nums['hi']:.2f}, and no entry leaves (−1, 1) because tanh squashes it "
                f"(largest |h| = {nums['biggest']:.3f}).")
    if key == "backward":
        return (f"Going back, each step multiplies ‖∂L/∂h_t‖ by about {number(nums['rate'], '.3f')} on "
                f"average, so after {T - 1} steps {reach}.")
    if key in ("vanishing", "exploding"):
        return f"With these weights {reach}."
    if key == "clipping":
        scale = nums["after"] / nums["before"] if nums["before"] > 0 else 1.0
        acted = (f"norm clipping scales it by {number(scale, '.1e')} down to {number(nums['after'], '.3g')}"
                 if nums["after"] < nums["before"] else
                 f"it is below c = {nums['c']:g}, so norm clipping leaves it alone")
        return (f"The parameter gradient's norm is {number(nums['before'], '.3g')}: {acted}, its direction "
                f"kept; backpropagation itself is unchanged ({reach}).")
    if key == "truncation":
        if nums["earliest"] == 0:
            return f"Every step receives some gradient: no cut falls between the loss and t = 0 ({reach})."
        return (f"With a cut every {nums['k']} steps, ‖∂L/∂h_t‖ is exactly 0 for every t < {nums['earliest']}: "
                f"the loss at t = {T - 1} reaches back only {T - nums['earliest']} steps, whatever the weights.")
    if key == "cell":
        return (f"The forget gates average f = {nums['f']:.2f}; the cell's gradient ‖∂L/∂c_t‖ at t = 0 is "
                f"{number(nums['cell_share'])} of its size at t = {T - 1} (means over the batch): "
                f"it {share_word(nums['cell_share'])}.")
    if key == "long_lag":
        rnn = other["share"]
        hi, lo = max(share, rnn), min(share, rnn)
        times = "infinitely" if lo <= 0 else f"{hi / lo:.0e}×"
        which = "LSTM's" if share >= rnn else "RNN's"
        return (f"At the start of training, over T = {T} steps the LSTM's gradient at t = 0 is "
                f"{number(share)} of its last-step size ({share_word(share)}), the plain RNN's "
                f"{number(rnn)} ({share_word(rnn)}): the {which} keeps {times} more.")
    raise ValueError(f"no lesson step {key!r}")
