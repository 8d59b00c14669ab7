"""The RNN's forward pass: the hidden state of one sequence over time, and what the network outputs."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import numpy as np
import streamlit as st

from core.gradients import experiment
from core.gradients.settings import ForwardSettings
from core.networks import rnn
from core.data import tasks
from core.numerics.validate import norm as overflow_safe_norm
from core.training.losses import mse, softmax
from ui.runtime import cache
from ui.figures import states as sv
from ui.figures.scales import LOG_FROM, SIGNED, symmetric_range
from ui.readings import forward as fr
from ui.readings.reach import number
from ui.controls.gradients import FORWARD_CONTROLS
from ui.controls.derived import derived_widget, sequence_spec, step_spec
from ui.controls.params import controls
from ui.page.widgets import downloads, overflow_notice, preamble, reading, settings_or_stop, source


def norm(v):
    """||v||, without overflowing on huge finite entries (a linear RNN reaches 1e300)."""
    return float(overflow_safe_norm(v, axis=None))


st.title("RNN forward pass")
with preamble():
    st.markdown("The network reads a sequence one step at a time. At each step it adds the new input to "
                "its previous state, each through its own matrix, and squashes the sum with φ: the "
                "**hidden state** h_t is its memory of everything read so far, and the output is read off "
                "it. The weights are random (untrained), fixed by the seed and the spectral radius.")

values = controls(FORWARD_CONTROLS, derived=(sequence_spec, step_spec))
settings = settings_or_stop(lambda: ForwardSettings(**values))
setup = experiment.setup_of(settings, "rnn")
run = cache.gradient_run(setup)
seq = derived_widget(sequence_spec, values)
t = derived_widget(step_spec, values, st.container())
T, H = setup.seq_len, setup.hidden_size
h = run.trace.h[:, seq, :]                                      # (T, H)
overflow_notice(run, "Lower the spectral radius or choose a saturating Activation φ (tanh).", backward=False)

bounded = setup.activation in ("tanh", "sigmoid")
zrange = SIGNED if bounded else symmetric_range(h)
log = zrange[1] > LOG_FROM                # an explosion: a linear range would hide all but its end
sat = fr.flat_mask(setup.activation, h)

left, right = st.columns([3, 2], gap="large")
with left:
    heatmap = sv.state_heatmap(h.T, title=f"The hidden state of sequence {seq}, unit by unit, over time",
                               value_name="h<sub>t</sub>", zrange=zrange, from_data=not bounded, marker=t,
                               log=log)
    st.plotly_chart(heatmap, key="heatmap")
    reading(fr.state_heatmap(setup.activation, H, T, zrange, log, sat))
with right:
    st.latex(r"h_t=\phi(x_t W_{xh}+h_{t-1}W_{hh}+b_h)")
    st.latex(r"y_t=h_t W_{hq}+b_q")
    st.caption("In the seed text's notation: v_t = x_t, W_I = W_xh, W_h = W_hh, W_O = W_hq, b_O = b_q, "
               "σ = φ, v̂ = y. Row vectors, so the input multiplies the matrix from the left; the seed "
               "indexes the new state t+1, here it is t.")
    p, x = run.params, run.batch.x[:, seq, :]
    h_prev = h[t - 1] if t > 0 else run.trace.h0[seq]
    prev = t - 1 if t > 0 else r"\text{init}"
    st.markdown(f"At step t = {t}, the two terms inside φ: $\\|x_{{{t}}}W_{{xh}}\\| = "
                f"{norm(x[t] @ p['W_xh']):.3g}$ from the input, $\\|h_{{{prev}}}W_{{hh}}\\| = "
                f"{norm(h_prev @ p['W_hh']):.3g}$ from the previous state.")
    own, bars_text = fr.state_bars(h[t], zrange[1], t, log)
    bar_range = symmetric_range(h[t]) if own else zrange
    st.plotly_chart(sv.state_bars(h[t], t=t, zrange=bar_range, from_data=own or not bounded,
                                  log=log and not own), key="bars")
    where = fr.FLAT[setup.activation][0]
    reading(f"The {H} numbers the network carries from step {t} to step {t + 1} (‖h_t‖ = {norm(h[t]):.3g}). "
            + bars_text + (f" {int(sat[t].sum())} of them are flat ({where})." if where else ""))

batch, info = run.batch, tasks.task_info(setup.task)
target, mask = batch.target[:, seq], batch.mask[:, seq]
O = run.trace.y.shape[2]
names = ([f"class {c}" for c in range(O)] if batch.kind == "classification" else
         {"lorenz": ("X", "Y", "Z")}.get(setup.task, ["y"] if O == 1 else [f"dim {d}" for d in range(O)]))
marked = np.flatnonzero(x[:, 1] > 0) if setup.task == "adding" else ()
in_names = {"adding": ("value v_t", "marker m_t"), "lorenz": ("X", "Y", "Z")}.get(
    setup.task, tuple(f"x{d}" for d in range(x.shape[1])) if x.shape[1] > 1 else ("x_t",))
with left:
    st.plotly_chart(sv.inputs_figure(x, names=in_names, marked=marked, t=t), key="inputs")
    reading(fr.inputs(setup.task, x, marked, float(target[-1, 0]) if setup.task == "adding" else None))
    st.plotly_chart(sv.output_lines(run.trace.y[:, seq], target, mask, kind=batch.kind, names=names,
                                    t=t), key="outputs")
    y, has = run.trace.y[:, seq], mask > 0
    with np.errstate(all="ignore"):
        if batch.kind == "regression":
            error = mse(y[:, None], target[:, None], mask[:, None])[0]       # over the steps with a target
            score = (f"Untrained, its mean squared error on this sequence is "
                     f"{number(error, '.3g')}; {info.baseline_text}.")
        else:
            p_true = softmax(y, axis=1)[has, target[has]]
            score = (f"Untrained, it gives the right class a probability of {float(p_true.mean()):.2f} "
                     f"on average (guessing gives {1 / O:.2f}).")
    reading(f"{info.description} Solid: the network's output; dotted or ◇: the target. {score}")

downloads("forward", {"h": h, "x": x, "y": run.trace.y[:, seq], "target": target, "mask": mask,
                      **run.params},
          [("Hidden-state heatmap", heatmap)],
          key="forward")
source(experiment.run, rnn.init_params, rnn.forward, tasks.make_batch)
