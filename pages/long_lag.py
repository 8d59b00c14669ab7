"""Success against length, live: the plain RNN and the LSTM on the adding problem at growing T, a few
seeds each, every run stopping once solved; the chart fills in as runs finish."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import streamlit as st

from core.training import solved, sweep
from core.training.config import TrainConfig
from core.training.train import train
from ui.controls.params import Choice, Slider, controls
from ui.figures.longlag import longlag_figure
from ui.page.widgets import reading, source
from ui.readings import longlag as words
from ui.runtime import engine


CONTROLS = (
    Choice("longest", "Longest sequence length T", tuple(str(T) for T in sweep.LENGTHS), "200",
           help="The sweep trains at every length of 10, 20, 50, 100, 200 up to this one."),
    Slider("seeds", "Seeds per length", 1, 5, 3, help="Each seed is a fresh start of the same run."),
    Slider("steps", "Step budget per run", 100, 5000, TrainConfig.steps, 100,
           help="A run stops once solved, or after this many steps."),
)

st.title("Success against length")
st.markdown("The adding problem needs a number seen near the **start** of the sequence at its **end**. "
            "Here the plain RNN and the LSTM train at growing lengths T, with the Training lab's "
            "defaults and a few seeds each, as in Hochreiter & Schmidhuber's (1997) tables. "
            + solved.stated("adding"))

values = controls(CONTROLS, submit="Run the sweep")
lengths = tuple(T for T in sweep.LENGTHS if T <= int(values["longest"]))
cfgs = sweep.sweep_configs(lengths, range(values["seeds"]), values["steps"])
outcomes = st.session_state.setdefault("longlag-outcomes", {})
notes = st.session_state.setdefault("longlag-notes", {})

def poll():
    """Collect the runs the engine finished since the last look (submitting those not asked for yet:
    a run another session asked for is shared, a finished one comes from the store)."""
    keys = st.session_state.setdefault("longlag-keys", {})
    for cfg in cfgs:
        if cfg in outcomes:
            continue
        key = keys.get(cfg) or keys.setdefault(cfg, engine.submit(cfg))
        status = engine.status(key)
        if status.state == "done":
            outcomes[cfg] = sweep.outcome(status.history)
        elif status.state in ("failed", "stopped"):
            outcomes[cfg] = sweep.Outcome(None, status.step, failed=True)
            notes[cfg] = status.message

def draw():
    rows = sweep.summarize(cfgs, outcomes)
    st.plotly_chart(longlag_figure(rows), key="longlag-chart")
    reading(words.reading(rows))
    for cfg, note in notes.items():
        if cfg in cfgs and note:
            st.warning(f"{cfg.model.upper()}, T = {cfg.seq_len}, seed {cfg.seed}: {note}")

if all(c in outcomes for c in cfgs):
    draw()
else:
    @st.fragment(run_every=1.0)
    def live():
        poll()
        if all(c in outcomes for c in cfgs):
            st.rerun()          # the whole page: drawn once more, and no more polling
        draw()
    live()

st.caption("Runs are jobs on the training engine: they spread over its workers, and finished runs are "
           "kept and shared with everyone who asks for the same settings.")
source(sweep.sweep_configs, sweep.summarize, solved.criterion, train)
