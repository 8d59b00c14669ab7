"""Your data: train a network on a CSV table (or a built-in Seattle one) to predict the next row, and
see its predictions against the rows it never trained on, in the table's own units."""
# First, before the heavy imports: see ui/runtime/router.py.
from ui.runtime.router import through_app

through_app()

import streamlit as st

from core.data import tables
from core.training import train as core_train
from core.data.tasks import SERIES, task_info
from ui.runtime import engine, live
from ui.runtime import page_cache
from ui.controls import upload
from ui.controls import training as tc
from ui.figures import training as tf
from ui.readings import training as readings
from ui.controls.params import controls, controls_hidden
from ui.page.text import inert, plain
from ui.page.widgets import downloads, reading, say_error, source

st.title("Your data")
st.markdown("Upload a CSV file with a header row and **one row per time step** (or use a built-in "
            "Seattle table), choose the columns of numbers, and train a network to predict the next "
            "row from the T rows before it. Each column is standardized first; the predictions are "
            "shown back in the file's own units, on the last fifth of the rows, held out from training.")
st.latex(r"z_t=\frac{x_t-\mu}{\sigma},\qquad \hat z_{t+1}=\mathrm{net}(z_{t-T+1},\dots,z_t),"
         r"\qquad \hat x_{t+1}=\mu+\sigma\,\hat z_{t+1}")

pressed, differs = tc.train_button()
values = controls(tc.DATA_CONTROLS)
if values["source"] == "upload":
    file = st.file_uploader("A CSV file (comma, semicolon or tab separated, UTF-8, at most 5 MB)",
                            type=["csv", "txt"], key="upload")
    st.caption("A link shares these settings, not your file: whoever opens it uploads their own.")
    if file is None:
        st.info("Upload a file above, or choose a built-in table under Data in the sidebar. Files over "
                "20 MB are refused by the uploader itself (a red ! on the name); up to that, a file "
                "over 5 MB gets a message saying so.")
        st.stop()
    name, raw = file.name, file.getvalue()
    with st.spinner(f"Reading {inert(name)}…"):
        table, error = page_cache.uploaded_table(name, raw)
else:
    name = values["source"]
    table, raw, error = page_cache.builtin_table(name)
if error:
    st.error(plain(error), icon=":material/error:")
    st.stop()

st.dataframe(upload.preview(raw), hide_index=True)
reading(f"The first rows of {inert(name)}, as written in the file. {len(table)} rows; columns of "
        f"numbers: {', '.join(inert(column) for column in table.numeric_names)}.")
columns = st.multiselect("Columns to learn and predict (at most 6)", table.numeric_names, max_selections=6,
                         help="Columns that hold a number in every filled cell. Not part of the link.",
                         default=upload.BUILTIN_COLUMNS.get(values["source"]),
                         key=f"columns-{name}-{upload.fingerprint(raw)}")
if not columns:
    st.info("Choose one or more columns of numbers to train on.")
    st.stop()
try:
    series = tables.select_columns(table, columns)                       # (N, D)
    split = upload.Split.of(len(series))
    current = tc.train_config({**values, "task": SERIES})
    info = task_info(SERIES, series[:split.n_train])
except ValueError as err:
    say_error(err)
    st.stop()

# Settings train when Train is pressed; new data (a file, other columns) trains at once.
train_rows = series[:split.n_train]
(cfg,), (key,) = live.shown_runs("your_data", [(current, train_rows)], pressed,
                                 data=engine.data_key(train_rows))
words = readings.differs_words([cfg], [current], tc.labels(tc.DATA_CONTROLS))
tc.say_differs(differs, words)
label = tc.run_label(cfg)
st.markdown(f"**{label}** — clipping applied: {tc.clip_words(cfg)}.")
states = live.statuses([key])
if live.going(states):
    live.watch([key], [label], info)       # redraws itself until the run finishes, then the page
    st.stop()
if live.stopped_runs([label], states):
    st.stop()
history = states[0].history
runs = [(label, history)]
if history.stopped_at is not None:
    st.error(f"**Training blew up at step {history.stopped_at}.** "
             f"{readings.blow_up_words(history.message, not controls_hidden())} "
             "No forecast is drawn from weights that overflowed.",
             icon=":material/error:")
charts = (key,)                     # a finished run's charts: built once
st.vega_lite_chart(page_cache.chart_spec(("loss",) + charts, lambda: tf.loss_chart(runs, info)), key="loss")
reading(readings.loss_reading(runs, info))
if history.stopped_at is not None:
    st.stop()

rows, truth, pred, persist = page_cache.heldout_forecast(cfg, key, split.n_train,
                                                    _history=history, _series=series)
st.subheader("Forecast on the held-out rows")
st.markdown(split.words(table.rows, len(rows)))
for j, column in enumerate(columns):
    st.vega_lite_chart(page_cache.chart_spec(("forecast", column) + charts, lambda: tf.forecast_chart(
        table.rows[rows], truth[:, j], pred[:, j], column)), key=f"forecast-{column}")
    reading(readings.forecast_reading(inert(column), truth[:, j], pred[:, j], persist[:, j]))

downloads("your-data", {"loss": history.loss, "grad_norm": history.grad_norm, "clipped": history.clipped,
                        "heldout_rows": table.rows[rows], "truth": truth, "prediction": pred},
          key="your-data")
source(tables.read_table, tables.select_columns, core_train.train, core_train.predict,
       page_cache.heldout_forecast, tf.forecast_chart)
