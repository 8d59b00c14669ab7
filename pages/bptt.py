"""Backpropagation through time: how much of the loss reaches each earlier step of a plain RNN."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import numpy as np
import streamlit as st

from core.gradients import experiment, theory
from core.gradients.settings import BPTTSettings
from ui.runtime import cache
from ui.figures import gradients as figures
from ui.controls.gradients import BPTT_CONTROLS
from ui.controls.params import controls
from ui.page.widgets import downloads, overflow_notice, reading, settings_or_stop, source

st.title("Backpropagation through time")
st.markdown("A plain RNN reads a sequence; the loss sits at the end (or at every step). Going backward, "
            "the gradient is multiplied by the same matrix at every step, so it **shrinks or grows "
            "geometrically** with the distance from the loss. Move the sliders and watch it happen.")
st.latex(r"h_t=\phi(x_t W_{xh}+h_{t-1}W_{hh}+b_h),\qquad y_t=h_t W_{hq}+b_q")
st.latex(r"\frac{\partial L}{\partial h_t}=\frac{\partial L}{\partial y_t}W_{hq}^{\top}"
         r"+\Big(\frac{\partial L}{\partial h_{t+1}}\odot\phi'(a_{t+1})\Big)W_{hh}^{\top},\qquad"
         r"\Big\|\frac{\partial h_s}{\partial h_t}\Big\|\le(\gamma\,\sigma_{\max}(W_{hh}))^{s-t}")
st.caption("In the seed text's notation: W_I = W_xh, W_h = W_hh, W_O = W_hq, b_O = b_q, σ = φ, "
           "v̂ = y. γ is the largest slope of φ: 1 for tanh, relu and linear, 1/4 for sigmoid.")

values = controls(BPTT_CONTROLS)
settings = settings_or_stop(lambda: BPTTSettings(**values))
setup = experiment.setup_of(settings, "rnn")
run = cache.gradient_run(setup)
spec = run.spectrum

overflow_notice(run, "Lower the spectral radius, use a saturating activation, or shorten the sequence.")

ratio = figures.reach_ratio(run.dh_norm)
heatmap = figures.gradient_heatmap(run.dh_norm)
st.plotly_chart(heatmap, key="heatmap")
reading("Each row is one sequence, each column a time step; colour is the size of ∂L/∂h_t on a fixed "
        "log scale, the same for every setting. " +
        (f"The gradient reaching t=0 is **{ratio:.1e}** of the one at t={setup.seq_len - 1}."
         if np.isfinite(ratio) else "The ratio between t=0 and the last step is not finite here."))

st.plotly_chart(figures.profile_figure(run), key="profile")
verdict = ("< 1, so the gradient **must vanish** geometrically" if spec.rate < 1 else
           "≥ 1, so the bound allows it to **grow**: whether it explodes depends on the states")
st.latex(rf"\rho(W_{{hh}})={spec.spectral_radius:.3f},\quad \sigma_{{\max}}={spec.sigma_max:.3f},\quad"
         rf"\gamma={spec.gamma:g},\quad \gamma\,\sigma_{{\max}}={spec.rate:.3f}")
reading(f"γ·σ_max = {spec.rate:.3f} {verdict} (Pascanu, Mikolov & Bengio, 2013). "
        + ("The dashed line is that bound, drawn from the last step." if setup.loss_at == "last" else
           "The bound is drawn for a loss at the last step only; choose that to see it."))

st.subheader("Clipping")
before, after = st.columns(2)
before.metric("Parameter-gradient norm before clipping", f"{run.grad_norm:.3e}")
after.metric(f"After clipping ({setup.clip})", f"{run.clipped_norm:.3e}")
reading({"none": "No clipping: the update uses the gradient as computed.",
         "norm": f"Norm clipping rescales the whole gradient so its norm is at most "
                 f"{setup.clip_threshold:g}; its direction and the per-step profile above are unchanged.",
         "value": f"Value clipping cuts each entry to ±{setup.clip_threshold:g}, so the direction can "
                  "change; the per-step profile above is computed before it."}[setup.clip]
        + " Clipping acts on the update, not on backpropagation: its rescue shows in training.")

st.subheader("The transport matrix")
tr = cache.transport(setup, 0)
st.plotly_chart(figures.transport_figure(tr), key="transport")
reading("Sequence 0 only. Row s is a loss at step s alone; colour is how much of it reaches the state "
        "at step t. Vanishing shows as colour fading away from the diagonal.")

contrib = cache.temporal_contributions(setup)
st.plotly_chart(figures.contributions_figure(contrib), key="contrib")
reading("The recurrent weights' gradient is a sum over time steps; this is the size of each step's "
        "term. Where it fades, those steps stop shaping the update: long-range dependencies are not learned.")

downloads("bptt", {"dh": run.grads.dh, "h": run.trace.h, "x": run.batch.x, "dh_norm": run.dh_norm,
                   "transport": tr.dh_norm, "temporal_contributions": contrib},
          [("Gradient heatmap", heatmap)], key="bptt")
source(experiment.run, experiment.transport, theory.bound, theory.transport,
       theory.temporal_contributions)
