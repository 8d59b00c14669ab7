"""Backpropagation through time: how much of the loss reaches each earlier step of a plain RNN."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import streamlit as st

from core.gradients import experiment, jacobians, theory
from core.gradients.settings import BPTTSettings
from ui.controls.gradients import BPTT_CONTROLS
from ui.controls.params import controls, controls_hidden
from ui.figures import gradients as figures
from ui.figures.heatmap import LOG_RANGE
from ui.figures.scales import data_log_range
from ui.page.widgets import downloads, hint, overflow_notice, preamble, reading, settings_or_stop, source
from ui.readings import reach, scales
from ui.runtime import cache

st.title("Backpropagation through time")
with preamble():
    st.markdown("A plain RNN reads a sequence; the loss sits at the end (or at every step). Going "
                "backward, the gradient is multiplied by the same matrix at every step, so it **shrinks "
                "or grows geometrically** with the distance from the loss. Move the sliders and watch it.")
    st.latex(r"h_t=\phi(x_t W_{xh}+h_{t-1}W_{hh}+b_h),\qquad y_t=h_t W_{hq}+b_q")
    st.latex(r"\frac{\partial L}{\partial h_t}=\frac{\partial L}{\partial y_t}W_{hq}^{\top}"
             r"+\Big(\frac{\partial L}{\partial h_{t+1}}\odot\phi'(a_{t+1})\Big)W_{hh}^{\top},\qquad"
             r"\Big\|\frac{\partial h_{T-1}}{\partial h_t}\Big\|\le\prod_{k=t+1}^{T-1}"
             r"\Big\|\frac{\partial h_k}{\partial h_{k-1}}\Big\|\le(\gamma\,\sigma_{\max}(W_{hh}))^{T-1-t}")
    st.caption("In the seed text's notation: W_I = W_xh, W_h = W_hh, W_O = W_hq, b_O = b_q, σ = φ, "
               "v̂ = y. γ is the largest slope of φ: 1 for tanh, relu and linear, 1/4 for sigmoid.")

values = controls(BPTT_CONTROLS)
settings = settings_or_stop(lambda: BPTTSettings(**values))
setup = experiment.setup_of(settings, "rnn")
run = cache.gradient_run(setup)
spec, T = run.spectrum, setup.seq_len
overflow_notice(run, "Lower the spectral radius, choose a saturating Activation φ, or shorten the sequence.")

own = data_log_range(run.dh_norm)
zrange = own if settings.scale == "own" else LOG_RANGE
heatmap = figures.gradient_heatmap(run.dh_norm, zrange=zrange)
st.plotly_chart(heatmap, key="heatmap")
share = figures.reach_ratio(run.dh_norm)
scale_text = (scales.colour_scale("own", {"this view": own}, hint=not controls_hidden()) if settings.scale == "own"
              else scales.fixed_scale(LOG_RANGE, own))
reading("Each row is one sequence, each column a time step; colour is the size of ∂L/∂h_t. "
        f"{scale_text} {reach.reach(share, T, run.grads.nonfinite_step, setup.truncate)}")

view = figures.bound_view(run, jacobians.rnn_step_norms(run.params, run.trace))
st.plotly_chart(figures.profile_figure(view), key="profile")
st.latex(rf"\rho(W_{{hh}})={spec.spectral_radius:.3f},\quad \sigma_{{\max}}={spec.sigma_max:.3f},\quad"
         rf"\gamma={spec.gamma:g},\quad \gamma\,\sigma_{{\max}}={spec.rate:.3f}")
if view.bound is None:
    reading(reach.verdict(spec.rate, T) + " The bound and the Jacobians' product are drawn for a loss "
            "at the last step only" + hint(": choose **Where the loss sits: last step only** to see them") + ".")
else:
    reading(reach.verdict(spec.rate, T) + " (Pascanu, Mikolov & Bengio, 2013) " + reach.bound(*view.shares, truncate=setup.truncate)
            + "".join(" " + scales.cut(name, t_cut) for name, t_cut in view.cuts.items()))

st.subheader("Clipping")
before, after = st.columns(2)
bad = run.grads.nonfinite_step
before.metric("Parameter-gradient norm before clipping", scales.metric(run.grad_norm, bad))
after.metric(f"After clipping ({settings.clip})", scales.metric(run.clipped_norm, bad))
reading({"none": "No clipping: the update uses the gradient as computed.",
         "norm": f"Norm clipping rescales the whole gradient so its norm is at most c = "
                 f"{settings.clip_threshold:g}; its direction and the per-step profile above are unchanged.",
         "value": f"Value clipping cuts each entry to ±{settings.clip_threshold:g}, so the direction can "
                  "change; the per-step profile above is computed before it."}[settings.clip]
        + " Clipping acts on the update, not on backpropagation: its rescue shows in training.")

st.subheader("The transport matrix")
transport = cache.transport(setup, 0)
transport_own = data_log_range(transport.dh_norm)
st.plotly_chart(figures.transport_figure(transport, transport_own if settings.scale == "own" else LOG_RANGE),
                key="transport")
transport_scale = (scales.colour_scale("own", {"this view": transport_own}, hint=False) if settings.scale == "own"
                   else scales.fixed_scale(LOG_RANGE, transport_own))
reading("Sequence 0 only. Row s is a loss at step s alone; colour is how much of it reaches the state "
        f"at step t. Vanishing shows as colour fading away from the diagonal. {transport_scale}")

contrib = cache.temporal_contributions(setup)
st.plotly_chart(figures.contributions_figure(contrib), key="contrib")
reading("The recurrent weights' gradient is a sum over time steps; this is the size of each step's "
        "term. Where it fades, those steps stop shaping the update: long-range dependencies are not learned.")

downloads("bptt", {"dh": run.grads.dh, "h": run.trace.h, "x": run.batch.x, "dh_norm": run.dh_norm,
                   "transport": transport.dh_norm, "temporal_contributions": contrib},
          [("Gradient heatmap", heatmap)], key="bptt")
source(experiment.run, jacobians.rnn_step_norms, theory.bound, figures.bound_view, reach.verdict,
       theory.transport, theory.temporal_contributions)
