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
from ui.controls.params import controls
from ui.page.widgets import downloads, reading, settings_or_stop, source

st.title("RNN vs LSTM")
st.markdown("Both networks read **the same sequences**, with the same length, hidden size and seed; "
            "only the model differs. The plain RNN's gradient passes through W_hh and φ′ at every "
            "step; the LSTM's cell path passes through the forget gates alone. Whether that helps "
            "depends on those gates: compare the two with the forget-gate bias at 0 and at 2.")
st.latex(r"\text{RNN: }\frac{\partial h_t}{\partial h_{t-1}}=\operatorname{diag}(\phi'(a_t))\,W_{hh}^{\top}"
         r"\qquad\text{LSTM cell path: }\frac{\partial c_t}{\partial c_{t-1}}=\operatorname{diag}(f_t)")
st.caption("In the seed text's notation: W_h = W_hh, σ = φ, F_t = f_t. The LSTM's other paths, through "
           "h_{t−1} and the gates, add to this one.")

values = controls(COMPARE_CONTROLS)
settings = settings_or_stop(lambda: CompareSettings(**values))
rnn_setup, lstm_setup = experiment.setup_of(settings, "rnn"), experiment.setup_of(settings, "lstm")
runs = {"RNN": cache.gradient_run(rnn_setup), "LSTM": cache.gradient_run(lstm_setup)}
for name, r in runs.items():
    if r.trace.nonfinite_step is not None or r.grads.nonfinite_step is not None:
        st.error(f"The {name}'s numbers overflowed (inf or NaN); those cells are drawn in magenta.")

zrange = gf.shared_log_range(*(r.dh_norm for r in runs.values()))
st.subheader("How big is the gradient at each step? One colour scale for both")
heatmaps = {name: gf.compare_heatmap(r.dh_norm, model=name, zrange=zrange) for name, r in runs.items()}
for col, (name, fig) in zip(st.columns(2), heatmaps.items()):
    col.plotly_chart(fig, key=f"heatmap-{name}")
reading(f"Rows are the {lstm_setup.batch_size} sequences, columns the {lstm_setup.seq_len} steps. Both "
        f"heatmaps share one log colour scale, {gf.pow10(zrange[0])} to {gf.pow10(zrange[1])}, computed "
        "from both (smaller values take the darkest colour), so equal colours mean equal sizes.")

st.plotly_chart(gf.profiles_figure([(f"{n}: mean over the batch", r.dh_norm) for n, r in runs.items()]),
                key="profiles")
ratio = {name: figures.reach_ratio(r.dh_norm) for name, r in runs.items()}
f = runs["LSTM"].trace.f                                                # (T, B, H)
f_mean = float(np.nanmean(f))
f_path = float(np.nanmean(theory.forget_product(f)[0]))                 # prod_{k=1..T-1} f_k, mean
path = "0 (it underflowed)" if f_path == 0 else f"{f_path:.1e}"
verdict = (f"they sit near {f_mean:.2f}, so the cell path multiplies the gradient by about that at every "
           f"step: their product from the last step back to t = 0 is {path} (mean over units). "
           + (f"The LSTM's gradient fades{' too' if ratio['RNN'] < 1e-2 else ''}. "
              if ratio["LSTM"] < 1e-2 else "")
           + "Raise the forget-gate bias b_f (sidebar) to 1 or 2 and watch it reach further."
           if f_mean < 0.75 else
           f"they are near 1, so the cell path keeps the gradient: their product from the last step "
           f"back to t = 0 is {path} (mean over units).")
fmt = {n: ("exactly 0 (it underflowed below 10⁻³⁰⁸)" if v == 0 else f"{v:.1e}" if np.isfinite(v)
           else "not finite") for n, v in ratio.items()}
reading(f"The gradient reaching t = 0 is {fmt['RNN']} of the last step's for the RNN (ρ = "
        f"{rnn_setup.spectral_radius:g}, {rnn_setup.activation}) and {fmt['LSTM']} for the LSTM. "
        f"The LSTM's mean forget gate is {f_mean:.2f} (b_f = {lstm_setup.forget_bias:g}): {verdict}")

downloads("rnn-vs-lstm", {"rnn_dh_norm": runs["RNN"].dh_norm, "lstm_dh_norm": runs["LSTM"].dh_norm,
                          "x": runs["RNN"].batch.x, "lstm_f": runs["LSTM"].trace.f},
          [(f"{n} gradient heatmap", fig) for n, fig in heatmaps.items()], key="compare")
source(experiment.run, gf.compare_heatmap, figures.reach_ratio, gf.shared_log_range,
       theory.forget_product)
