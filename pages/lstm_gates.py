"""LSTM gates: what each gate does over one sequence, and why forget gates near 1 keep the gradient."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import numpy as np
import streamlit as st

from core.gradients import experiment, theory
from core.gradients.settings import GatesSettings
from core.networks import lstm
from ui.runtime import cache
from ui.figures import gates as gf
from ui.controls.gradients import LSTM_CONTROLS
from ui.controls.derived import derived_widget, sequence_spec
from ui.controls.params import controls
from ui.page.widgets import downloads, overflow_notice, reading, settings_or_stop, source

st.title("LSTM gates")
st.markdown("An LSTM keeps a **memory cell** c_t beside its hidden state. Three gates between 0 and 1 "
            "decide, unit by unit and step by step, how much of the old cell to keep (f), how much of a "
            "new candidate g to write (i) and how much of the cell to show as h (o). Backward, the cell "
            "path multiplies the gradient by f alone: **forget gates near 1 let it through**.")
st.latex(r"\begin{aligned}i_t&=\sigma(x_tW_{xi}+h_{t-1}W_{hi}+b_i)&f_t&=\sigma(x_tW_{xf}+h_{t-1}W_{hf}+b_f)"
         r"\\o_t&=\sigma(x_tW_{xo}+h_{t-1}W_{ho}+b_o)&g_t&=\tanh(x_tW_{xg}+h_{t-1}W_{hg}+b_g)"
         r"\\c_t&=f_t\odot c_{t-1}+i_t\odot g_t&h_t&=o_t\odot\tanh(c_t)\end{aligned}")
st.latex(r"\frac{\partial L}{\partial c_t}=\frac{\partial L}{\partial h_t}\odot o_t\odot(1-\tanh^2c_t)"
         r"+\frac{\partial L}{\partial c_{t+1}}\odot f_{t+1}")
st.caption("In the seed text's notation: I_t = i_t, F_t = f_t (its forget gate), O_t = o_t, the input "
           "node C_t there = g_t here (C̃_t in d2l.ai), the memory cell = c_t, H_t = h_t, X_t = x_t. "
           "Each step uses the previous cell c_{t−1} and the new gates of step t.")

values = controls(LSTM_CONTROLS, derived=(sequence_spec,))
settings = settings_or_stop(lambda: GatesSettings(**values))
setup = experiment.setup_of(settings, "lstm")
run = cache.gradient_run(setup)
seq = derived_widget(sequence_spec, values)
tr, T = run.trace, setup.seq_len
overflow_notice(run, "Lower the weight scale or shorten the sequence.")

st.subheader(f"The gates of sequence {seq}, unit by unit, over time")
with np.errstate(invalid="ignore"):
    gate = {n: getattr(tr, n)[:, seq, :].T for n in gf.PANELS}      # each (H, T)
    mean = {n: float(np.nanmean(z)) for n, z in gate.items()}
what = {"i": f"mean i = {mean['i']:.2f}: on average that share of g is written each step.",
        "f": f"mean f = {mean['f']:.2f} with b_f = {setup.forget_bias:g} (σ(b_f) = "
             f"{1 / (1 + np.exp(-setup.forget_bias)):.2f}): each step keeps about that share of the cell.",
        "o": f"mean o = {mean['o']:.2f}: the share of tanh(c) each unit shows as h.",
        "g": f"mean g = {mean['g']:+.2f}; g is the candidate value, written where i is large.",
        "c": f"the cell is not bounded: |c| reaches about {gf.symmetric_range(gate['c'])[1]:.2g} "
             "here, the colour range.",
        "h": f"mean |h| = {float(np.nanmean(np.abs(gate['h']))):.2f}; h is bounded by o, at most 1."}
for row in (("i", "f"), ("o", "g"), ("c", "h")):
    for col, name in zip(st.columns(2), row):
        with col:
            st.plotly_chart(gf.gate_heatmap(name, gate[name]), key=f"gate-{name}")
            reading(what[name])

st.subheader("The gradient along the cell path")
fprod = np.nanmean(theory.forget_product(tr.f[:, seq, :]), axis=1)     # (T,)
dc = run.dc_norm[seq]
cell_fig = gf.cell_path_figure(fprod, dc)
st.plotly_chart(cell_fig, key="cell-path")
rel_f, rel_dc = gf.relative_to_last(fprod)[0], gf.relative_to_last(dc)[0]
f_bar, ws = mean["f"], setup.weight_scale
reading(f"From the last step back to t = 0 the forget-gate product falls to {rel_f:.1e} and the measured "
        f"‖∂L/∂c_t‖ is {rel_dc:.1e} of its last value. "
        + (f"Forget gates near 1 (mean f = {f_bar:.2f}) multiply the cell's gradient by nearly 1 at every "
           "step, so the cell path keeps it." if f_bar >= 0.9 else
           f"Every step multiplies the cell's gradient by its forget gate (mean f = {f_bar:.2f}), so "
           "along the cell path it fades geometrically; raise the forget-gate bias b_f to open the gates "
           "toward 1 and keep it.")
        + (f" The measured gradient grows going back: the other path, through h and the gates, amplifies "
           f"it (weight scale {ws:g})." if rel_dc > 1 else
           " The measured gradient keeps more than the product: the other path, through h and the "
           "gates, adds to it." if rel_dc > 10 * rel_f else "")
        + (" The loss sits at every step here, so later losses add to the gradient on the way back;"
           " choose the last step only to see one loss travel." if setup.loss_at == "every" else "")
        + (f" Truncation cuts the gradient every {setup.truncate} steps: the measured curve stops there,"
           " the product does not." if setup.truncate else ""))

downloads("lstm-gates", {**{n: getattr(tr, n)[:, seq, :] for n in gf.PANELS}, "dc": run.grads.dc[:, seq],
                         "dh": run.grads.dh[:, seq], "forget_product_mean": fprod, "dc_norm": dc},
          [("Cell-path gradient", cell_fig)], key="lstm")
source(experiment.run, lstm.forward, lstm.backward, theory.forget_product)
