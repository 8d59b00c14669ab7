"""RNN vs LSTM: the same sequences, length and seed through both, and how far back each one's
gradient reaches."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import numpy as np
import streamlit as st

from core.gradients import experiment, theory
from core.gradients.settings import CompareSettings
from ui.runtime import cache
from ui.figures import gradients as figures
from ui.figures import gates as gf
from ui.controls.gradients import COMPARE_CONTROLS
from ui.controls.params import controls, controls_hidden
from ui.figures.scales import data_log_range
from ui.page.widgets import downloads, overflow_notice, preamble, reading, settings_or_stop, source
from ui.readings import cells, reach, scales

st.title("RNN vs LSTM")
with preamble():
    st.markdown("Both networks read **the same sequences**, with the same length, hidden size and seed; "
                "only the model differs. The plain RNN's gradient passes through W_hh and φ′ at every "
                "step; the LSTM's cell path passes through the forget gates alone. Whether that helps "
                "depends on those gates: compare the two with the forget-gate bias at 0 and at 4.")
    st.latex(r"\text{RNN: }\frac{\partial h_t}{\partial h_{t-1}}=\operatorname{diag}(\phi'(a_t))\,W_{hh}^{\top}"
             r"\qquad\text{LSTM cell path: }\frac{\partial c_t}{\partial c_{t-1}}=\operatorname{diag}(f_t)")
    st.caption("In the seed text's notation: W_h = W_hh, σ = φ, F_t = f_t. The LSTM's other paths, through "
               "h_{t−1} and the gates, add to this one.")

values = controls(COMPARE_CONTROLS)
settings = settings_or_stop(lambda: CompareSettings(**values))
rnn_setup, lstm_setup = experiment.setup_of(settings, "rnn"), experiment.setup_of(settings, "lstm")
runs = {"RNN": cache.gradient_run(rnn_setup), "LSTM": cache.gradient_run(lstm_setup)}
for name, r in runs.items():
    overflow_notice(r, "Lower the spectral radius or choose a saturating Activation φ.", name=f"{name}: ")
hidden = controls_hidden()

own = {name: data_log_range(r.dh_norm) for name, r in runs.items()}
shared = gf.shared_log_range(*(r.dh_norm for r in runs.values()))
st.subheader("How big is the gradient at each step?")
heatmaps = {name: gf.compare_heatmap(r.dh_norm, model=name,
                                     zrange=shared if settings.scale == "shared" else own[name])
            for name, r in runs.items()}
for col, (name, fig) in zip(st.columns(2), heatmaps.items()):
    col.plotly_chart(fig, key=f"heatmap-{name}")
reading(f"Rows are the {lstm_setup.batch_size} sequences, columns the {lstm_setup.seq_len} steps. "
        + scales.colour_scale(settings.scale, own, shared, hint=not hidden))

st.plotly_chart(gf.profiles_figure([(f"{name}: mean over the batch", r.dh_norm) for name, r in runs.items()]),
                key="profiles")
share = {name: figures.reach_ratio(r.dh_norm) for name, r in runs.items()}
f = runs["LSTM"].trace.f                                                # (T, B, H)
f_mean = float(np.nanmean(f))
f_path = float(np.nanmean(theory.forget_product(f)[0]))                 # prod_{k=1..T-1} f_k, mean
reading(reach.compare(share) + f" (RNN: ρ = {rnn_setup.spectral_radius:g}, {rnn_setup.activation}; "
        f"LSTM: b_f = {lstm_setup.forget_bias:g}.) "
        + cells.cell_path(f_mean, f_path, settings.seq_len, cells.weak_gates_hint(f_mean, hidden)))

downloads("rnn-vs-lstm", {"rnn_dh_norm": runs["RNN"].dh_norm, "lstm_dh_norm": runs["LSTM"].dh_norm,
                          "x": runs["RNN"].batch.x, "lstm_f": runs["LSTM"].trace.f},
          [(f"{name} gradient heatmap", fig) for name, fig in heatmaps.items()], key="compare")
source(experiment.run, gf.compare_heatmap, figures.reach_ratio, gf.shared_log_range,
       theory.forget_product, reach.compare, cells.cell_path, scales.colour_scale)
