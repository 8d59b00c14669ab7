"""The Train pages as a person sees them (Streamlit AppTest): they run, their controls change what the
charts hold, a blow-up is said with its step, the clipping preset shows clipping's rescue, a rerun does
not train again, a Train press answers at once with the run's state, and every kind of bad file gets
a plain-words error while the page keeps running."""
import json
import time

import numpy as np
import pyarrow as pa
import pytest

import apptest
from ui.controls import training as tc
from ui.runtime import engine
from markdown import shown
from ui.controls.presets import PRESETS
from core.training.config import TrainConfig

MB2 = 2 * 1024 * 1024
TINY = dict(model="rnn", task="sine", steps=100, seq_len=10, hidden_size=8)   # ~0.3 s a run


WAIT = 120                 # seconds a small run may take on a loaded machine (the cluster starts too)


def open_page(page, **query):
    """The page, rerun (as its live view does) until its runs have finished."""
    return finished(apptest.open_page(page, timeout=60, **query))


def finished(at):
    """Rerun ``at`` while it shows a run in progress (a progress bar), at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while at.get("progress"):
        assert time.monotonic() < deadline, [e.proto.text for e in at.get("progress")]
        time.sleep(0.25)                    # the live view's own pace is 0.5 s
        at.run()
        assert not at.exception, at.exception
    return at


def vega(at):
    """Each Vega-Lite chart as ``{title: (spec, [data tables as DataFrames])}``, as the browser gets it."""
    out = {}
    for e in at.get("vega_lite_chart"):
        spec = json.loads(e.proto.spec)
        tables = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in e.proto.datasets]
        out[spec["title"]["text"]] = (spec, tables)
    return out


def table(at, title, column):
    return next(t for t in vega(at)[title][1] if column in t.columns)


LOSS = "Training loss: does the network beat the trivial predictor?"
GRAD = "Gradient norm before clipping, and where clipping fired"
SPECTRUM = "How big are the recurrent weights during training?"
FORGET = "How open are the LSTM's forget gates?"


def text(at):
    return " ".join(e.value for kind in ("caption", "markdown", "error", "info")
                    for e in getattr(at, kind))


# --- Training lab --------------------------------------------------------------------------------
def test_training_page_draws_every_chart_with_its_reading():
    at = open_page("training", **{**TINY, "model": "lstm"})
    charts = vega(at)
    assert {LOSS, GRAD, SPECTRUM, FORGET} <= set(charts)
    loss = table(at, LOSS, "running_mean")
    assert len(loss) == 100 and loss["step"].max() == 99
    assert "mean loss of the last 50 steps" in text(at) and "clipping applied: norm clipping" in text(at)
    assert "counts as solved, and stops, once the mean loss of the last 100 steps is below 0.1 ×" in text(at)
    assert "Not solved in 100 steps." in text(at) or "Solved at step" in text(at)
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert heat["layout"]["yaxis"]["autorange"] == "reversed"
    assert heat["layout"]["title"]["text"] == f"LSTM (b_f = {TrainConfig.forget_bias:g}), norm clip 1"
    assert "∂L/∂h" in heat["data"][0]["colorbar"]["title"]["text"]
    assert not at.error
    sizes = [len(e.proto.spec) + sum(len(d.data.data) for d in e.proto.datasets)
             for e in at.get("vega_lite_chart")]
    assert max(sizes) < MB2


def test_a_failed_training_run_is_said_and_the_page_keeps_running(monkeypatch):
    words = ("The worker process training this run stopped unexpectedly, twice (it may have run out of "
             "memory). Press Train to try again; smaller settings need less memory.")
    real = engine.status
    monkeypatch.setattr(engine, "status", lambda key: engine.RunStatus("failed", None, 0, 100, None, words))
    at = open_page("training", **TINY, seed=73)
    assert [shown(e.value) for e in at.error] == [f"**RNN (tanh), norm clip 1:** {words}"]
    assert not at.get("vega_lite_chart") and at.button[0].label == "Train"
    monkeypatch.setattr(engine, "status", real)
    press_train(at)                                          # the next press trains
    assert not at.error and at.get("vega_lite_chart")


def test_a_rerun_with_the_same_settings_does_not_train_again(monkeypatch):
    calls = []
    real = engine.submit
    monkeypatch.setattr(engine, "submit", lambda cfg, *a, **k: calls.append(cfg) or real(cfg, *a, **k))
    at = open_page("training", **TINY, seed=71)
    assert len(calls) == 1 and calls[0].seed == 71
    at.run()
    assert len(calls) == 1 and not at.get("progress")
    at.slider(key="seed").set_value(72)
    press_train(at)
    assert len(calls) == 2 and calls[1].seed == 72


def press_train(at):
    """Moving a control trains nothing: the new settings train when the person presses Train."""
    at.button(key="train-button").click().run()
    return finished(at)


def test_a_train_press_answers_at_once_with_the_runs_state_and_a_new_press_stops_it(monkeypatch):
    stopped = []
    real = engine.stop
    monkeypatch.setattr(engine, "stop", lambda key: stopped.append(key) or real(key))
    at = open_page("training", **TINY, seed=74)
    at.slider(key="steps").set_value(3000)
    at.slider(key="hidden_size").set_value(64)
    at.button(key="train-button").click()
    start = time.monotonic()
    at.run()
    assert time.monotonic() - start < 10                     # its state, not the run's minute
    (bar,) = at.get("progress")
    assert bar.proto.text.startswith("RNN (tanh), norm clip 1: ")
    assert any(w in bar.proto.text for w in ("queued", "starting", "of 3000"))
    assert not at.warning and len(stopped) == 1              # the controls are the run shown
    at.slider(key="steps").set_value(100)
    at.slider(key="hidden_size").set_value(8)
    press_train(at)                                          # the long run is no longer wanted
    assert len(stopped) == 2
    assert engine.status(stopped[1]).state == "stopped"
    assert table(at, LOSS, "running_mean")["step"].max() == 99 and not at.warning


def test_moving_a_setting_without_pressing_train_trains_nothing():
    at = open_page("training", **TINY)
    before = table(at, LOSS, "running_mean")["step"].max()
    at.slider(key="steps").set_value(150).run()
    assert table(at, LOSS, "running_mean")["step"].max() == before == 99
    assert sorted(w.value for w in at.warning) == [tc.CHANGED, "The settings differ from the run shown (Training "
                                                         "steps 100 → 150). Press Train to run them."]


def test_the_controls_change_what_the_charts_hold():
    at = open_page("training", **TINY)
    assert table(at, LOSS, "running_mean")["step"].max() == 99
    assert FORGET not in vega(at)                                      # a plain RNN has no gates
    at.slider(key="steps").set_value(150)
    press_train(at)
    assert table(at, LOSS, "running_mean")["step"].max() == 149
    at.selectbox(key="task").set_value("adding")
    press_train(at)
    assert table(at, LOSS, "text")["loss"][0] == pytest.approx(1 / 6)
    at.slider(key="clip_threshold").set_value(0.3)
    press_train(at)
    assert table(at, GRAD, "text")["norm"][0] == pytest.approx(0.3)
    at.radio(key="clip").set_value("value")
    press_train(at)
    assert not any("text" in t.columns for t in vega(at)[GRAD][1])     # no norm threshold to draw
    assert "value clipping: every gradient entry is cut to ±0.3" in text(at)
    at.radio(key="compare").set_value("models")
    press_train(at)
    assert set(table(at, LOSS, "running_mean")["run"]) == {"RNN (tanh), value clip ±0.3",
                                                          f"LSTM (b_f = {TrainConfig.forget_bias:g}), value clip ±0.3"}
    assert FORGET in vega(at) and len(at.get("plotly_chart")) == 2


def test_a_blow_up_is_said_with_its_step_and_what_to_do():
    at = open_page("training", model="rnn", task="lorenz", activation="linear", spectral_radius=2,
                   optimizer="sgd", lr=1, clip="none", steps=100, seq_len=20, hidden_size=8)
    assert len(at.error) == 1
    error = at.error[0].value
    assert "blew up at step 1" in error and "Gradient clipping: norm" in error and "Learning rate η" in error
    stop = table(at, LOSS, "what")
    assert stop["step"][0] == 1 and "stopped (inf/NaN)" in stop["what"][0]


def test_a_blow_up_in_projector_mode_points_at_no_control():
    """A teacher's link with controls=hidden: the remedy is said, no control (absent there) is named."""
    at = open_page("training", model="rnn", task="lorenz", activation="linear", spectral_radius=2,
                   optimizer="sgd", lr=1, clip="none", steps=100, seq_len=20, hidden_size=8,
                   controls="hidden")
    error = at.error[0].value
    assert "blew up at step 1" in error and "Norm clipping or a smaller learning rate" in error
    assert "Sidebar" not in error and "Gradient clipping" not in error and "Learning rate η" not in error
    assert "Try:" not in error


def test_the_clipping_preset_shows_the_unclipped_run_blow_up_and_the_clipped_one_learn():
    preset = next(p for p in PRESETS if p.page == "pages/training.py")
    at = open_page("training", **preset.query)
    assert not at.info                                                 # every setting of the link used
    assert len(at.error) == 1 and "no clipping blew up at step" in at.error[0].value
    loss = table(at, LOSS, "running_mean")
    clipped = loss[loss["run"].str.contains("norm clip 1")]
    baseline = table(at, LOSS, "text")["loss"][0]
    # it learns: it either uses its 500 steps or stops once solved (a tenth of the baseline)
    assert clipped["step"].max() <= 499 and clipped["loss"].tail(50).mean() < baseline / 5
    fired = table(at, GRAD, "norm")
    assert fired[fired["run"].str.contains("norm clip")]["clipped"].any()


def test_a_bad_link_opens_with_defaults_and_a_notice():
    at = open_page("training", **{**TINY, "model": "cnn", "lr": "7"})
    notice = " ".join(i.value for i in at.info)
    assert "`model`" in notice and "`lr`" in notice
    assert at.radio(key="model").value == "lstm"


def test_a_teachers_link_hides_the_controls_but_trains_its_settings():
    at = open_page("training", **TINY, controls="hidden", compare="clipping")
    assert len(at.slider) == 0 and len(at.radio) == 0 and len(at.selectbox) == 0
    assert set(table(at, LOSS, "running_mean")["run"]) == {"RNN (tanh), no clipping",
                                                          "RNN (tanh), norm clip 1"}


# --- Your data -----------------------------------------------------------------------------------
DATA = dict(steps=50, seq_len=8, hidden_size=8)


def test_your_data_trains_on_seattle_weather_and_forecasts_the_held_out_rows():
    at = open_page("your_data", **DATA)
    assert list(at.dataframe[0].value.columns)[:3] == ["date", "precipitation", "temp_max"]
    charts = vega(at)
    forecast = table(at, "temp_max: truth vs the model's prediction, held-out rows", "series")
    truth = forecast[forecast["series"] == "truth"]
    assert len(truth) == 292 and truth["row"].min() == 1171             # the last fifth, file rows
    assert truth["value"].between(-10, 40).all()                        # °C, not standardized units
    assert "temp_min: truth vs the model's prediction, held-out rows" in charts
    assert "are held out" in text(at) and "typical error (RMSE)" in text(at)
    finished(at.multiselect[0].set_value(["wind"]).run())
    assert list(vega(at)) == [LOSS, "wind: truth vs the model's prediction, held-out rows"]


GOOD = b"t,a,b\n" + b"".join(b"%d,%d,%.2f\n" % (i, i % 7, np.sin(i / 4)) for i in range(80))
BAD = {
    "empty": (b"", "The file is empty"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is a PNG image, not a CSV text file"),
    "latin1": ("t,température\n".encode("latin-1") + b"1,2\n" * 20, "The file is not UTF-8 text"),
    "no_numbers": (b"name,city\n" + b"bob,paris\n" * 20, "No column holds only numbers"),
    "one_row": (b"t,a\n1,2\n", "The file has only 1 data row"),
    "past_the_limit": (b"t,a\n" + b"1,2\n" * 1_300_000, "the limit is 5.0 MB"),
    "ragged": (b"t,a\n" + b"1,2\n" * 12 + b"3,4,5\n", "Row 14 has 3 cells but the header names 2"),
}


def open_upload(name, raw):
    at = open_page("your_data", source="upload", **DATA)
    assert "Upload a file above" in text(at) and not at.get("vega_lite_chart")
    at.file_uploader(key="upload").set_value((f"{name}.csv", raw, "text/csv")).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("case", BAD)
def test_every_bad_file_gets_a_plain_error_and_the_page_keeps_running(case):
    raw, expected = BAD[case]
    at = open_upload(case, raw)
    assert len(at.error) == 1 and shown(at.error[0].value).startswith(f"{case}.csv cannot be used: ")
    assert expected in shown(at.error[0].value)
    assert not at.get("vega_lite_chart") and at.title[0].value == "Your data"
    at.file_uploader(key="upload").set_value(("good.csv", GOOD, "text/csv")).run()
    assert not at.error and at.multiselect[0].options == ["t", "a", "b"]


def test_missing_values_in_a_chosen_column_are_named_with_their_row():
    raw = GOOD.replace(b"\n17,3,", b"\n17,,", 1)
    at = open_upload("gaps", raw)
    assert not at.error and at.multiselect[0].value == []                # nothing chosen for you
    finished(at.multiselect[0].set_value(["b"]).run())
    assert not at.error and vega(at)
    finished(at.multiselect[0].set_value(["a", "b"]).run())
    assert len(at.error) == 1 and "Column 'a' has 1 missing value (row 19)" in shown(at.error[0].value)


def test_a_good_upload_trains_and_its_seq_len_is_checked_against_its_rows():
    at = open_upload("good", GOOD)
    finished(at.multiselect[0].set_value(["b"]).run())
    forecast = table(at, "b: truth vs the model's prediction, held-out rows", "series")
    assert len(forecast) == 2 * 16 and not at.error
    at.slider(key="seq_len").set_value(80)
    press_train(at)
    assert len(at.error) == 1 and "Window length T must be at most 63" in shown(at.error[0].value)
