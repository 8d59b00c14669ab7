"""Success against length: the sweep's runs, its summary as runs finish, the words and the chart drawn
from it, and the page filling in run by run (AppTest, tiny budgets)."""
import json
import time

import pytest

import apptest
from core.training import sweep
from core.training.config import TrainConfig
from ui.figures.longlag import longlag_figure
from ui.readings import longlag as words


def test_the_sweep_is_the_lab_defaults_with_model_length_seed_and_budget():
    cfgs = sweep.sweep_configs((10, 100), (0, 1), 500)
    assert len(cfgs) == 8 and [c.seq_len for c in cfgs[:4]] == [10] * 4
    for c in cfgs:
        assert (c.task, c.steps, c.hidden_size, c.lr, c.forget_bias) == \
            ("adding", 500, TrainConfig.hidden_size, TrainConfig.lr, TrainConfig.forget_bias)


def test_summary_and_words_fill_in_as_runs_finish():
    cfgs = sweep.sweep_configs((10, 50), (0, 1, 2), 1000)
    rows = sweep.summarize(cfgs, {})
    assert all(r.finished == 0 and r.share is None for r in rows)
    assert words.reading(rows) == "No run has finished yet. 0 of 12 runs finished."
    lstm10 = [c for c in cfgs if c.model == "lstm" and c.seq_len == 10]
    rnn50 = [c for c in cfgs if c.model == "rnn" and c.seq_len == 50]
    done = {lstm10[0]: sweep.Outcome(300, 300), lstm10[1]: sweep.Outcome(500, 500),
            lstm10[2]: sweep.Outcome(None, 1000), rnn50[0]: sweep.Outcome(None, 1000)}
    rows = sweep.summarize(cfgs, done)
    row = next(r for r in rows if r.model == "lstm" and r.T == 10)
    assert (row.finished, row.solved, row.steps_to_solve, row.median_steps) == (3, 2, (300, 500), 400)
    assert row.share == pytest.approx(2 / 3)
    assert words.longest_mostly_solved(rows, "lstm") == 10 and words.longest_mostly_solved(rows, "rnn") is None
    text = words.reading(rows)
    assert "The LSTM solves most seeds up to T = 10 (T = 10: 2/3)" in text
    assert "The plain RNN (tanh) solves no seed at any length tried (T = 50: 0/1)" in text
    assert text.endswith("4 of 12 runs finished.")
    fig = longlag_figure(rows)
    share = {tr.name: (list(tr.x), list(tr.y)) for tr in fig.data if tr.name}
    assert share["LSTM"] == ([10], [pytest.approx(2 / 3)]) and share["plain RNN (tanh)"] == ([50], [0.0])
    dots = [tr for tr in fig.data if tr.mode == "markers" and len(tr.x)]
    assert [list(d.y) for d in dots] == [[300, 500]]


def test_the_page_fills_in_run_by_run_and_says_so():
    """The runs are engine jobs: each rerun of the page's live part looks at them again, and the count
    of finished runs only grows until the chart holds both models."""
    at = apptest.open_page("long_lag", longest="10", seeds="1", steps="200", timeout=120)
    counts, deadline = [], time.monotonic() + 240
    while True:
        said = next(c.value for c in at.caption if "runs finished" in c.value)
        counts.append(int(said.split(" of 2 runs finished.")[0].split()[-1]))
        if counts[-1] == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.5)             # the engine trains meanwhile; the page's fragment looks again
        at.run()
        assert not at.exception, at.exception
    assert counts == sorted(counts) and counts[-1] == 2, counts
    at.run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    share = {d["name"]: d["y"] for d in spec["data"] if d.get("name")}
    assert set(share) == {"LSTM", "plain RNN (tanh)"} and all(len(v) == 1 for v in share.values())


def test_a_model_that_solves_some_seeds_but_never_most_is_said_so():
    cfgs = sweep.sweep_configs((10, 20), (0, 1, 2), 1000, models=("rnn",))
    done = {c: sweep.Outcome(400 if c.seed == 0 else None, 400 if c.seed == 0 else 1000) for c in cfgs}
    text = words.reading(sweep.summarize(cfgs, done))
    assert "The plain RNN (tanh) does not solve most seeds at any length tried (T = 10: 1/3, T = 20: 1/3)." in text


def test_both_panels_span_every_length_tried():
    cfgs = sweep.sweep_configs((10, 50, 200), (0,), 1000)
    done = {c: sweep.Outcome(300 if c.seq_len == 10 else None, 300 if c.seq_len == 10 else 1000) for c in cfgs}
    layout = longlag_figure(sweep.summarize(cfgs, done)).layout
    assert tuple(layout.xaxis.range) == tuple(layout.xaxis2.range)
    lo, hi = layout.xaxis2.range
    assert 10 ** lo < 10 and 10 ** hi > 200            # T = 200 is on the right panel though nobody solved it


def test_where_both_models_solve_every_seed_both_points_show():
    """At T = 10 both models solve 3 of 3: the same point. The RNN's is an open ring wider than the
    LSTM's dot drawn over it, so neither hides the other."""
    cfgs = sweep.sweep_configs((10,), (0, 1, 2), 1000)
    rows = sweep.summarize(cfgs, {c: sweep.Outcome(300, 300) for c in cfgs})
    share = {tr.name: tr for tr in longlag_figure(rows).data if tr.name}
    rnn, lstm = share["plain RNN (tanh)"], share["LSTM"]
    assert (list(rnn.x), list(rnn.y)) == (list(lstm.x), list(lstm.y)) == ([10], [1.0])
    assert rnn.marker.symbol == "circle-open" and lstm.marker.symbol in (None, "circle")
    assert rnn.marker.size - 2 * rnn.marker.line.width > lstm.marker.size   # the ring's inside clears the dot
    names = [tr.name for tr in longlag_figure(rows).data if tr.name]
    assert names.index("plain RNN (tanh)") < names.index("LSTM")                # the dot is drawn on top
