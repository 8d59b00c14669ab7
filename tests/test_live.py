"""The live view's charts: drawn once per runs-and-progress, for every session that shows them."""
from dataclasses import replace

import pyarrow as pa

from core.data.tasks import task_info
from core.training.config import TrainConfig
from core.training.train import train
from ui.runtime import live
from ui.runtime.engine import RunStatus


def test_the_same_progress_is_drawn_once_and_new_progress_is_drawn_anew():
    cfg = TrainConfig(task="adding", seq_len=10, hidden_size=8, steps=60, probe_every=20)
    full = train(cfg)
    early = replace(full, loss=full.loss[:30], grad_norm=full.grad_norm[:30], clipped=full.clipped[:30])
    info = task_info("adding")
    at = lambda h: [RunStatus("running", None, len(h.loss), 60, h, None)]                  # noqa: E731
    first = live.live_charts(["k-live"], ["LSTM"], at(early), info)
    again = live.live_charts(["k-live"], ["LSTM"], at(replace(early)), info)      # another session
    later = live.live_charts(["k-live"], ["LSTM"], at(full), info)
    assert again is first and later is not first
    points = lambda spec: max(pa.ipc.open_stream(v).read_all().num_rows            # noqa: E731
                              for v in spec["datasets"].values())                 # Arrow bytes, once
    assert points(first[0]) == 30 and points(later[0]) == 60                       # the runs' own steps
    assert live.live_charts(["k-live"], ["LSTM"], [RunStatus("queued", 1, 0, 60, None, None)], info) is None


def test_a_kept_spec_carries_the_same_rows_as_altairs_own_dict():
    """Same chart, same rows: only the datasets' names and their encoding (Arrow bytes) differ."""
    import json
    from ui.figures import training as tf
    from ui.runtime.page_cache import vega_spec
    h = train(TrainConfig(task="adding", seq_len=10, hidden_size=8, steps=40, probe_every=20))
    chart = tf.grad_chart([("LSTM", h), ("LSTM again", h)])
    plain, kept = chart.to_dict(validate=False), vega_spec(chart)
    rows = {name: pa.ipc.open_stream(b).read_all().to_pylist() for name, b in kept["datasets"].items()}
    assert sorted(map(json.dumps, rows.values())) == sorted(map(json.dumps, plain["datasets"].values()))
    renamed = json.dumps({k: v for k, v in kept.items() if k != "datasets"})
    for name, values in rows.items():
        theirs = next(n for n, v in plain["datasets"].items() if v == values)
        renamed = renamed.replace(f'"{name}"', f'"{theirs}"')
    assert renamed == json.dumps({k: v for k, v in plain.items() if k != "datasets"})


def test_live_charts_leave_out_the_hover_points_and_stay_valid():
    from core.data.tasks import task_info
    from ui.figures import training as tf
    h = train(TrainConfig(task="adding", seq_len=10, hidden_size=8, steps=40, probe_every=20))
    runs, info = [("LSTM", h)], task_info("adding")
    for build in (lambda hover: tf.loss_chart(runs, info, hover=hover), lambda hover: tf.grad_chart(runs, hover=hover)):
        full, live = build(True).to_dict(), build(False).to_dict()     # validated against Vega-Lite's schema
        assert "params" in full and "params" not in live
        assert len(live["layer"]) == len(full["layer"]) - 1


def test_a_live_run_is_redrawn_at_least_once_a_second_with_news_for_each_redraw():
    from ui.runtime import job
    assert live.REFRESH <= 1.0 and job.PROGRESS_EVERY <= live.REFRESH
