"""LSTM gates: what each gate does over one sequence, and why forget gates near 1 keep the gradient."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import numpy as np
import streamlit as st

from core.gradients import experiment, theory
from core.gradients.settings import GatesSettings
from core.networks import lstm
from ui.controls.derived import derived_widget, sequence_spec
from ui.controls.gradients import LSTM_CONTROLS
from ui.controls.params import controls, controls_hidden
from ui.figures import gates as gf
from ui.figures.scales import symmetric_range
from ui.page.widgets import downloads, overflow_notice, preamble, reading, settings_or_stop, source
from ui.readings import cells
from ui.readings import thresholds as th
from ui.runtime import cache

st.title("LSTM gates")
with preamble():
    st.markdown("An LSTM keeps a **memory cell** c_t beside its hidden state. Three gates between 0 and 1 "
                "decide, unit by unit and step by step, how much of the old cell to keep (f), how much of "
                "a new candidate g to write (i) and how much of the cell to show as h (o). Backward, the "
                "cell path multiplies the gradient by f alone: **forget gates near 1 let it through**.")
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
trace, T = run.trace, setup.seq_len
overflow_notice(run, "Lower the Weight scale or shorten the sequence.")

st.subheader(f"The gates of sequence {seq}, unit by unit, over time")
with np.errstate(invalid="ignore"):
    gate = {name: getattr(trace, name)[:, seq, :].T for name in gf.PANELS}      # each (H, T)
    mean = {name: float(np.nanmean(z)) for name, z in gate.items()}
    c_last = np.abs(gate["c"][:, -1])
saturated = float(np.mean(c_last > th.CELL_SATURATES))
c_top = symmetric_range(gate["c"])[1]
what = {"i": f"mean i = {mean['i']:.2f}: on average that share of g is written each step.",
        "f": cells.forget_gate(mean["f"], settings.forget_bias),
        "o": f"mean o = {mean['o']:.2f}: the share of tanh(c) each unit shows as h.",
        "g": f"mean g = {mean['g']:+.2f}; g is the candidate value, written where i is large.",
        "c": cells.cell_state(float(np.nanmax(np.abs(gate["c"]))), saturated),
        "h": f"mean |h| = {float(np.nanmean(np.abs(gate['h']))):.2f}; h is bounded by o, at most 1."}
for row in (("i", "f"), ("o", "g"), ("c", "h")):
    for col, name in zip(st.columns(2), row):
        with col:
            st.plotly_chart(gf.gate_heatmap(name, gate[name]), key=f"gate-{name}")
            reading(what[name])

st.subheader("The gradient along the cell path")
f_seq = trace.f[:, seq, :]                                             # (T, H)
fprod = np.nanmean(theory.forget_product(f_seq), axis=1)               # (T,)
carry = theory.cell_carry(f_seq, run.grads.dc[-1, seq])                # (T,)
dc = run.dc_norm[seq]
cell_fig = gf.cell_path_figure(fprod, dc, carry)
st.plotly_chart(cell_fig, key="cell-path")
rel_f, rel_dc = gf.relative_to_last(fprod)[0], gf.relative_to_last(dc)[0]
reading(cells.cell_path(mean["f"], rel_f, T, cells.weak_gates_hint(mean["f"], controls_hidden()))
        + " " + cells.measured_vs_product(rel_dc, rel_f, float(carry[0]), saturated,
                                          float(np.nanmax(c_last)) if c_last.size else 0.0, setup.truncate)
        + (" The loss sits at every step here, so later losses add to the gradient on the way back."
           if setup.loss_at == "every" else "")
        + (f" The measured curve stops at the first cut of the truncation (every {setup.truncate} steps); "
           "the forget-gate product does not." if setup.truncate else ""))

downloads("lstm-gates", {**{name: getattr(trace, name)[:, seq, :] for name in gf.PANELS}, "dc": run.grads.dc[:, seq],
                         "dh": run.grads.dh[:, seq], "forget_product_mean": fprod, "cell_carry": carry,
                         "dc_norm": dc},
          [("Cell-path gradient", cell_fig)], key="lstm")
source(experiment.run, lstm.forward, lstm.backward, theory.forget_product, theory.cell_carry,
       cells.cell_path, cells.measured_vs_product)
