"""BPTT Lens: routes the pages and frames them. Run with `streamlit run app.py`."""
import streamlit as st

# Heavy modules are imported here, once, before any page runs: concurrent first imports from many
# sessions would otherwise race. pandas first: Plotly and narwhals look it up in sys.modules without
# importing it, and would find it half-imported while another session is still importing it.
import pandas  # noqa: F401
import altair  # noqa: F401
import numpy  # noqa: F401
import plotly.graph_objects  # noqa: F401

import core.gradients.experiment  # noqa: F401
from ui.runtime.router import navigation, routed
from ui.runtime.server import prepare_process, start_engine

# Many sessions share 2 cores: one BLAS thread per call, and a cheap garbage collection after each
# run (see ui/runtime/server.py).
prepare_process()
start_engine()      # the training cluster, once per process, in the background

# An emoji favicon: a material-icon favicon makes the browser fetch a font from the internet.
st.set_page_config(page_title="BPTT Lens", page_icon="🔁", layout="wide")

pages = {
    "Learn": [
        st.Page("pages/start.py", title="Start here", icon=":material/school:", default=True),
        st.Page("pages/lesson.py", title="Guided lesson", icon=":material/route:"),
        st.Page("pages/forward.py", title="RNN forward pass", icon=":material/arrow_forward:"),
        st.Page("pages/bptt.py", title="Backpropagation through time", icon=":material/arrow_back:"),
        st.Page("pages/lstm_gates.py", title="LSTM gates", icon=":material/tune:"),
        st.Page("pages/compare.py", title="RNN vs LSTM", icon=":material/compare:"),
    ],
    "Train": [
        st.Page("pages/training.py", title="Training lab", icon=":material/model_training:"),
        st.Page("pages/your_data.py", title="Your data", icon=":material/upload_file:"),
        st.Page("pages/long_lag.py", title="Success against length", icon=":material/show_chart:"),
    ],
}
routed(navigation(pages))
