"""Controls whose range follows other settings: which sequence of the batch, and the time scrubber.

A scrubber's range is 0..T-1, so its spec is built from the values: ``ui.controls.params.controls(specs,
derived)`` checks the link against both (one notice for all), and ``derived_widget`` draws a derived
one where the page wants it.
Changing T gives the scrubber a new range: it keeps its value where that still fits, and otherwise
goes back to its default (Streamlit itself would raise).
"""
import streamlit as st

from core.gradients.experiment import GradientSetup
from ui.controls.params import Slider, controls_hidden, from_url, widget


def sequence_spec(values):
    """Which sequence of the batch to show; None (always sequence 0) for a batch of one."""
    B = values.get("batch_size", GradientSetup.batch_size)
    if B < 2:
        return None
    return Slider("sequence", "Sequence shown", 0, B - 1, 0,
                  help="The heatmaps show one sequence of the batch; the others are in the downloads.")


def step_spec(values):
    """The time scrubber: a step t of the sequence, the middle one by default."""
    T = values["seq_len"]
    return Slider("step", "Step t", 0, T - 1, T // 2,
                  help="Move through time: the state vector at this step is drawn below, and marked "
                       "with a dashed line on the charts.")


def derived_widget(fn, values, container=None, fallback=0):
    """Draw the spec ``fn(values)`` in ``container`` (the sidebar by default) and return its value;
    ``fallback`` when ``fn`` gives no spec. A link that hides the controls sets it (or its default)."""
    spec = fn(values)
    if spec is None:
        return fallback
    if controls_hidden():
        return from_url((spec,), st.query_params.to_dict())[spec.key]
    with container or st.sidebar:
        _keep_in_range(spec)
        return widget(spec)


def _keep_in_range(spec):
    """A value the new range cannot hold (T just shrank under the scrubber, from the widget or the
    link) falls back to the default, as the notice says: Streamlit would raise instead."""
    for raw in (st.session_state.get(spec.key), st.query_params.get(spec.key)):
        try:
            raw is None or spec.parse(raw)
        except ValueError:
            st.session_state[spec.key] = spec.default
            return
