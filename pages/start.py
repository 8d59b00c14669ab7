"""Start here: what the app shows, one live picture, and presets that open the other pages."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import streamlit as st

from core.gradients import experiment
from core.gradients.settings import CompareSettings
from ui.runtime import cache
from ui.figures import gradients as figures
from ui.figures.lines import log_lines
from ui.controls.presets import PRESETS
from ui.page.widgets import reading, source
from ui.readings import reach

st.title("See backpropagation through time")
st.markdown(
    "A recurrent network reads a sequence one step at a time and learns by sending the error back "
    "through every step: **backpropagation through time**. On the way back the gradient is "
    "multiplied by the same recurrent matrix again and again, so in a plain RNN it shrinks or "
    "grows geometrically: it **vanishes** or **explodes**. An LSTM adds a cell state whose forget "
    "gates, when they sit near 1, let the gradient flow back almost untouched. Every number here is "
    "computed live by a NumPy RNN and LSTM, checked against finite differences. Move a slider and "
    "the networks run again.")

c = CompareSettings()               # the RNN vs LSTM page's defaults: the same picture opens there
T = c.seq_len
rnn_run = cache.gradient_run(experiment.setup_of(c, "rnn"))
lstm_run = cache.gradient_run(experiment.setup_of(c, "lstm"))
curves = [dict(name=f"plain RNN ({c.activation}, ρ = {c.spectral_radius:g})", x=range(T),
               y=figures.mean_profile(rnn_run.dh_norm), hover="‖∂L/∂h_t‖"),
          dict(name=f"LSTM (forget-gate bias b_f = {c.forget_bias:g})", x=range(T),
               y=figures.mean_profile(lstm_run.dh_norm), hover="‖∂L/∂h_t‖")]
st.plotly_chart(log_lines(curves, title="How much of a loss at the last step reaches each earlier step",
                          x_title="time step t", y_title="‖∂L/∂h_t‖ (log scale)"),
                key="start-picture")
reading(f"Mean over {c.batch_size} sequences, same inputs, same length. "
        + reach.compare({"RNN": figures.reach_ratio(rnn_run.dh_norm), "LSTM": figures.reach_ratio(lstm_run.dh_norm)}))

st.subheader("Open a page already set up")
cols = st.columns(len(PRESETS))
for col, preset in zip(cols, PRESETS):
    with col.container(border=True):
        st.markdown(f"**{preset.title}**")
        st.caption(preset.text)
        st.page_link(preset.page, label="Open", icon=":material/arrow_forward:",
                     query_params=preset.query)

st.markdown("Every page keeps its settings in the link: copy the address bar to share exactly what "
            "you see. Add `&controls=hidden` to a link to hand out the view without its controls.")
source(experiment.run)
