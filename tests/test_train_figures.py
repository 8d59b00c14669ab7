"""The Training lab's and Your data's charts: what each holds (its data, scales, titles), and the
readings' numbers. Runs are real, small trainings. Their controls and uploads: test_train_controls.py."""
import json

import numpy as np
import pytest

from core.data.tasks import task_info
from core.training.train import TrainConfig, train
from ui.figures import step_charts as sc
from ui.figures import training as tf
from ui.readings import training as readings

SMALL = dict(model="rnn", task="sine", seq_len=6, hidden_size=4, batch_size=4, probe_every=5)


@pytest.fixture(scope="module")
def steady():
    return train(TrainConfig(steps=40, clip="norm", clip_threshold=0.5, **SMALL))


@pytest.fixture(scope="module")
def exploded():
    """A linear RNN with ρ = 2 and a huge rate: the loss overflows within a few steps."""
    return train(TrainConfig(steps=40, clip="none", activation="linear", spectral_radius=2.0,
                             optimizer="sgd", lr=1.0, **{**SMALL, "task": "lorenz"}))


def datasets(chart):
    """The chart's data tables, from the Vega-Lite dict Streamlit receives."""
    return list(chart.to_dict()["datasets"].values())


def table_with(chart, column):
    return next(rows for rows in datasets(chart) if rows and column in rows[0])


def layers(chart):
    return chart.to_dict()["layer"]


def subtitle(chart):
    return " ".join(chart.to_dict()["title"]["subtitle"])


# --- binning -------------------------------------------------------------------------------------
def test_running_mean_is_the_mean_of_the_last_values_even_after_a_huge_one():
    np.testing.assert_allclose(sc.running_mean([1.0, 3.0, 5.0, 7.0], 2), [1, 2, 4, 6])
    after = sc.running_mean([1e56, 1.0, 0.02, 0.04], 2)
    np.testing.assert_allclose(after[2:], [0.51, 0.03])


# --- loss ----------------------------------------------------------------------------------------
def test_loss_chart_holds_every_step_the_baseline_and_the_titles(steady):
    info = task_info("sine")
    chart = tf.loss_chart([("run A", steady)], info)
    rows = table_with(chart, "running_mean")
    np.testing.assert_allclose([r["loss"] for r in rows], steady.loss)
    assert [r["step"] for r in rows] == list(range(40)) and {r["run"] for r in rows} == {"run A"}
    spec = chart.to_dict()
    assert spec["title"]["text"].startswith("Training loss")
    y = layers(chart)[0]["encoding"]["y"]
    assert y["scale"]["type"] == "log" and "log scale" in y["title"]
    assert "standardized units" in subtitle(chart)
    base = table_with(chart, "text")
    assert base[0]["loss"] == pytest.approx(info.baseline) and info.baseline_text in base[0]["text"]
    # the baseline's words are in the subtitle, not on the plot where the curves run over them
    lines = spec["title"]["subtitle"]          # the baseline's words are a line of their own, not cut off
    assert f"Dashed: the trivial predictor ({info.baseline_text})." in lines
    assert not any(layer.get("encoding", {}).get("text") for layer in layers(chart))
    tips = {t["field"] for layer in layers(chart) for t in layer.get("encoding", {}).get("tooltip", [])
            if isinstance(t, dict)}
    assert {"step", "loss", "running_mean"} <= tips


def test_a_long_run_is_binned_and_says_so():
    h = train(TrainConfig(steps=2100, **{**SMALL, "seq_len": 2, "hidden_size": 2, "probe_every": 500}))
    chart = tf.loss_chart([("long", h)], task_info("sine"))
    rows = table_with(chart, "running_mean")
    assert len(rows) == 700 and rows[1]["step"] == 3
    assert rows[0]["loss"] == pytest.approx(h.loss[:3].mean())
    assert "mean of 3 steps" in subtitle(chart)
    assert len(json.dumps(chart.to_dict())) < 2 * 1024 * 1024


def test_an_explosion_is_clamped_on_the_axis_said_and_marked_where_it_stopped(steady, exploded):
    assert exploded.stopped_at is not None
    runs = [("steady", steady), ("exploded", exploded)]
    chart = tf.loss_chart(runs, task_info("sine"))
    scale = layers(chart)[0]["encoding"]["y"]["scale"]
    assert scale["clamp"] is True and scale["domain"][1] < np.max(exploded.loss)
    assert "drawn at the top edge" in subtitle(chart)
    stop = table_with(chart, "what")
    assert stop == [{"step": exploded.stopped_at, "run": "exploded",
                     "what": f"exploded: stopped (inf/NaN) at step {exploded.stopped_at}"}]
    alone = tf.loss_chart([("steady", steady)], task_info("sine"))
    assert "domain" not in layers(alone)[0]["encoding"]["y"]["scale"]


def test_a_run_that_blew_up_at_its_first_step_is_drawn_as_a_point(steady):
    """One step's loss and norm: a line through one point draws nothing, so a point layer draws it."""
    first = train(TrainConfig(steps=40, clip="none", activation="linear", spectral_radius=2.0,
                              optimizer="sgd", lr=1.0, **{**SMALL, "task": "lorenz", "seq_len": 200}))
    assert first.stopped_at == 1 and len(first.loss) == 1
    runs = [("steady", steady), ("first step", first)]
    for chart, field in ((tf.loss_chart(runs, task_info("sine")), "loss"), (tf.grad_chart(runs), "norm")):
        rows = table_with(chart, field)
        assert [r["run"] for r in rows if r["alone"]] == ["first step"]
        assert sum(r["run"] == "steady" for r in rows) == len(steady.loss)
        points = [layer for layer in layers(chart) if layer.get("transform") == [{"filter": "datum.alone"}]]
        assert len(points) == 1 and points[0]["mark"]["type"] == "point"
    for chart in (tf.loss_chart([("steady", steady)], task_info("sine")), tf.grad_chart([("steady", steady)])):
        assert not any("transform" in layer and "alone" in str(layer["transform"]) for layer in layers(chart))


# --- gradient norm and clipping --------------------------------------------------------------------
def test_grad_chart_marks_the_clipped_steps_and_the_norm_threshold(steady):
    chart = tf.grad_chart([("run A", steady)])
    rows = table_with(chart, "norm")
    np.testing.assert_allclose([r["norm"] for r in rows], steady.grad_norm)
    assert [r["step"] for r in rows if r["clipped"]] == list(np.flatnonzero(steady.clipped))
    assert steady.clipped.any() and not steady.clipped.all()
    points = [ly for ly in layers(chart) if ly.get("transform") == [{"filter": "datum.clipped"}]]
    assert len(points) == 1 and points[0]["mark"]["shape"] == "triangle-up"
    rule = next(r for r in datasets(chart) if r and "text" in r[0])
    assert rule == [{"norm": 0.5, "text": "norm threshold 0.5"}]
    assert "before clipping" in subtitle(chart) and "log scale" in layers(chart)[0]["encoding"]["y"]["title"]
    assert "Dashed: the norm threshold c = 0.5." in chart.to_dict()["title"]["subtitle"]     # a line of its own
    assert "Value clipping" not in subtitle(chart)
    assert not any(layer.get("encoding", {}).get("text") for layer in layers(chart))    # no label on the plot


def test_value_clipping_draws_no_norm_threshold():
    h = train(TrainConfig(steps=10, clip="value", clip_threshold=0.01, **SMALL))
    chart = tf.grad_chart([("value", h)])
    assert not any(r and "text" in r[0] for r in datasets(chart))
    assert "Dashed" not in subtitle(chart) and "Value clipping has no norm threshold" in subtitle(chart)
    assert h.clipped.all()
    assert "clipping fired on 10 of 10 steps" in readings.grad_reading([("value", h)])


# --- probes ----------------------------------------------------------------------------------------
def test_spectrum_and_forget_charts_hold_the_probes(steady):
    lstm = train(TrainConfig(steps=20, **{**SMALL, "model": "lstm"}, forget_bias=2.0))
    runs = [("rnn", steady), ("lstm", lstm)]
    rows = table_with(tf.spectrum_chart(runs), "measure")
    rho = [r["value"] for r in rows if r["run"] == "rnn" and r["measure"].startswith("ρ")]
    np.testing.assert_allclose(rho, steady.spectral_radius)
    forget = table_with(tf.forget_chart(runs), "value")
    assert {r["run"] for r in forget} == {"lstm"}                       # the RNN has no forget gate
    np.testing.assert_allclose([r["value"] for r in forget], lstm.forget_mean)
    assert forget[0]["value"] > 0.8                                     # b_f = 2: sigmoid(2) ~ 0.88
    assert f"mean f {lstm.forget_mean[0]:.2f} → {lstm.forget_mean[-1]:.2f}" in readings.forget_reading(runs)


def test_heatmaps_share_a_range_from_the_steady_runs_and_put_training_down(steady, exploded):
    figs, zrange = tf.gradient_heatmaps([("steady", steady), ("exploded", exploded)])
    assert len(figs) == 2
    a, b = figs[0].data[0], figs[1].data[0]
    assert (a.zmin, a.zmax) == (b.zmin, b.zmax) == zrange
    assert np.asarray(a.z).shape == steady.dh_norm.shape and list(a.y) == list(steady.probe_steps)
    assert figs[0].layout.yaxis.autorange == "reversed"
    assert 10.0 ** zrange[1] >= np.nanmax(steady.dh_norm)
    assert "go past" in readings.heatmap_reading([("steady", steady), ("exploded", exploded)], zrange)


# --- readings ----------------------------------------------------------------------------------------
def test_loss_reading_compares_with_the_baseline_and_names_a_stop(steady, exploded):
    text = readings.loss_reading([("steady", steady), ("exploded", exploded)], task_info("sine"))
    assert f"{np.mean(steady.loss[-40:]):.3g}" in text
    assert "before it stopped" in text and "trivial predictor" in text


def test_every_training_chart_is_valid_vega_lite_with_the_servers_settings(steady, exploded):
    """The server builds charts without Altair's check at every object (ui.runtime.page_cache); here
    each chart's whole dict is checked against the Vega-Lite schema, as built in that setting."""
    from altair.utils.schemapi import debug_mode
    runs = [("steady", steady), ("exploded", exploded)]
    rows, truth = np.arange(100, 105), np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    with debug_mode(False):
        charts = [tf.loss_chart(runs, task_info("sine")), tf.loss_chart(runs, task_info("sine"), hover=False),
                  tf.grad_chart(runs), tf.grad_chart(runs, hover=False), tf.spectrum_chart(runs),
                  tf.forget_chart([("lstm", train(TrainConfig(steps=10, **{**SMALL, "model": "lstm"})))]),
                  tf.forecast_chart(rows, truth, truth + 0.5, "temp")]
    for chart in charts:
        chart.to_dict(validate=True)            # raises altair's SchemaValidationError if not valid


def test_forecast_chart_and_reading_are_in_the_files_units():
    rows, truth = np.arange(100, 105), np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    pred, persist = truth + 0.5, truth - 1.0
    chart = tf.forecast_chart(rows, truth, pred, "temp")
    data = datasets(chart)[0]
    assert [r["value"] for r in data if r["series"] == "truth"] == list(truth)
    assert [r["row"] for r in data if r["series"] != "truth"] == list(rows)
    assert chart.to_dict()["encoding"]["y"]["title"] == "temp"
    assert "temp in the file's own units" in " ".join(chart.to_dict()["title"]["subtitle"])
    text = readings.forecast_reading("temp", truth, pred, persist)
    assert "RMSE) 0.5 " in text and "better than" in text and "(1)" in text
