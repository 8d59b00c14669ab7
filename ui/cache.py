"""Core calls cached per settings object: the frozen dataclass is the cache key. Bounded, so a class
moving sliders cannot fill the server's memory."""
import streamlit as st

from core import experiment


@st.cache_data(max_entries=64, show_spinner=False)
def gradient_run(setup: experiment.GradientSetup) -> experiment.GradientRun:
    return experiment.run(setup)


@st.cache_data(max_entries=64, show_spinner=False)
def transport(setup: experiment.GradientSetup, sequence: int):
    return experiment.transport(gradient_run(setup), sequence)
