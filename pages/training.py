"""Training lab: train a network on a task, or two side by side, and watch the loss, the gradient's
reach back in time, clipping and the recurrent weights change as it learns."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import streamlit as st

from core.training import optim, probe, solved
from core.training import train as core_train
from core.data.tasks import task_info
from ui.runtime import live, page_cache
from ui.controls import training as tc
from ui.figures import training as tf
from ui.readings import training as readings
from ui.controls.params import controls, controls_hidden
from ui.page.widgets import downloads, reading, say_error, source

st.title("Training lab")
st.markdown("Train a plain RNN or an LSTM on a task, or **two side by side** that differ in one thing "
            "only: clipping off and on, or the model. Each step draws a fresh batch of 32 sequences, "
            "backpropagates through time, measures the gradient's norm, clips it, and updates the "
            "weights. About 40 times per run the network is measured on one fixed probe batch.")
st.latex(r"g=\nabla_\theta L,\qquad\text{norm: }g\leftarrow g\cdot\min\Big(1,\frac{c}{\|g\|}\Big),"
         r"\qquad\text{value: }g_i\leftarrow\max(-c,\min(c,g_i)),\qquad\theta\leftarrow\theta-\eta\,g")
st.caption("θ: all weights; η: the learning rate (Adam rescales g per weight first); c: the clipping "
           "threshold. ‖g‖ is the norm of all gradients together, before clipping.")

pressed, differs = tc.train_button()
values = controls(tc.TRAIN_CONTROLS)
try:
    current = tc.runs_to_compare(tc.train_config(values), values["compare"])
except ValueError as err:
    say_error(err)
    st.stop()

# Moving a control trains nothing: the page shows the runs of the last Train press (or of the link
# it was opened with) until Train is pressed again, and says when the controls differ from them.
configs, keys = live.shown_runs("training", [(cfg, None) for cfg in current], pressed)
info = task_info(configs[0].task)
words = readings.differs_words(configs, current, tc.labels(tc.TRAIN_CONTROLS))
tc.say_differs(differs, words)

st.markdown(f"**Task: {info.title}.** {info.description}")
for cfg in configs:
    st.markdown(f"**{tc.run_label(cfg)}** — clipping applied: {tc.clip_words(cfg)}.")
labels = [tc.run_label(cfg) for cfg in configs]
states = live.statuses(keys)
if live.going(states):
    live.watch(keys, labels, info)          # redraws itself until the runs finish, then the page
    st.stop()
if live.stopped_runs(labels, states):
    st.stop()
runs = [(label, s.history) for label, s in zip(labels, states)]
for label, h in runs:
    if h.stopped_at is not None:
        st.error(f"**{label} blew up at step {h.stopped_at}.** "
                 f"{readings.blow_up_words(h.message, not controls_hidden())} Its curves end there.",
                 icon=":material/error:")
reading(solved.stated(configs[0].task, info.baseline) + " " + " ".join(
    f"{label}: {h.message}" for label, h in runs if h.stopped_at is None))

charts = (tuple(keys),)         # a finished run's charts are built once: page_cache.chart_spec
st.vega_lite_chart(page_cache.chart_spec(("loss",) + charts, lambda: tf.loss_chart(runs, info)), key="loss")
reading(readings.loss_reading(runs, info))

st.subheader("Clipping: the gradient's size at every step")
st.vega_lite_chart(page_cache.chart_spec(("grad",) + charts, lambda: tf.grad_chart(runs)), key="grad")
reading(readings.grad_reading(runs))

st.subheader("How far back the gradient reaches, as training goes on")
heatmaps, zrange = tf.gradient_heatmaps(runs)
for i, (col, fig) in enumerate(zip(st.columns(len(runs)), heatmaps)):
    col.plotly_chart(fig, key=f"heatmap-{i}")
reading(readings.heatmap_reading(runs, zrange))

st.subheader("The recurrent weights")
st.vega_lite_chart(page_cache.chart_spec(("spectrum",) + charts, lambda: tf.spectrum_chart(runs)),
                   key="spectrum")
reading(readings.spectrum_reading(runs))
if any(h.config.model == "lstm" for _, h in runs):
    st.vega_lite_chart(page_cache.chart_spec(("forget",) + charts, lambda: tf.forget_chart(runs)), key="forget")
    reading(readings.forget_reading(runs))

FIELDS = ("loss", "grad_norm", "clipped", "accuracy", "probe_steps", "probe_loss", "dh_norm", "dc_norm",
          "spectral_radius", "sigma_max", "forget_mean")
downloads("training-lab", {f"{cfg.model}_{cfg.clip}_{f}": getattr(h, f)
                           for cfg, (_, h) in zip(configs, runs) for f in FIELDS
                           if getattr(h, f) is not None},
          [(f"{label} heatmap", fig) for (label, _), fig in zip(runs, heatmaps)], key="training")
source(core_train.train, probe.measure, optim.clip_grad_norm, optim.clip_grad_value, tf.loss_chart,
       tf.grad_chart, tf.gradient_heatmaps, tf.spectrum_chart)
