"""The Training lab's and Your data's controls: the configs they make, the clipping preset, uploads,
and the page's words around Train (a run's state, and controls that differ from the run shown)."""
from dataclasses import replace

import numpy as np
import pytest

from core.data.tasks import SERIES
from core.training.train import TrainConfig, train
from ui.controls import training as tc
from ui.controls import upload
from ui.controls.params import Choice, from_url, url_notices
from ui.controls.presets import PRESETS
from ui.readings.training import differs_words, status_words
from ui.runtime import engine

SMALL = dict(model="rnn", task="sine", seq_len=6, hidden_size=4, batch_size=4, probe_every=5)
RUN = dict(model="lstm", task="adding", seq_len=10, hidden_size=8, probe_every=10)    # the words' run
PRESET = next(p for p in PRESETS if p.page == "pages/training.py").query


# --- controls ------------------------------------------------------------------------------------
def test_choices_show_their_values_so_links_hold_what_the_config_takes():
    for spec in tc.TRAIN_CONTROLS + tc.DATA_CONTROLS:
        if isinstance(spec, Choice):
            assert spec.labels is None and spec.default in spec.options


def test_train_config_from_the_page_values():
    values = {s.key: s.default for s in tc.TRAIN_CONTROLS}
    cfg = tc.train_config({**values, "lr": "0.3", "steps": 400})
    assert cfg.lr == 0.3 and cfg.probe_every == 10 and cfg.batch_size == 32
    with pytest.raises(ValueError, match="seq_len"):
        tc.train_config({**values, "task": "temporal_order", "seq_len": 3})


def test_compare_changes_one_thing_only():
    cfg = TrainConfig(model="rnn", clip="value", clip_threshold=2.0)
    off, on = tc.runs_to_compare(cfg, "clipping")
    assert (off.clip, on.clip, on.clip_threshold) == ("none", "value", 2.0)
    assert tc.runs_to_compare(TrainConfig(clip="none"), "clipping")[1].clip == "norm"
    rnn, lstm = tc.runs_to_compare(cfg, "models")
    assert (rnn.model, lstm.model) == ("rnn", "lstm") and rnn.clip == lstm.clip == "value"
    assert tc.runs_to_compare(cfg, "none") == [cfg]
    assert "value clipping" in tc.clip_words(cfg) and "±2" in tc.clip_words(cfg)
    assert "norm clipping" in tc.clip_words(on.__class__(clip="norm"))
    assert "no clipping" in tc.clip_words(off)


def test_the_clipping_preset_is_a_valid_link_of_the_training_page():
    assert not url_notices(tc.TRAIN_CONTROLS, PRESET)
    values = from_url(tc.TRAIN_CONTROLS, PRESET)
    assert values["compare"] == "clipping" and values["model"] == "rnn" and values["clip"] == "norm"
    tc.train_config(values)


# --- uploads -------------------------------------------------------------------------------------
def test_upload_errors_are_messages_that_name_the_file():
    table, error = upload.table_from_upload("x.csv", b"\x89PNG\r\n\x1a\n")
    assert table is None and error.startswith("x.csv cannot be used: This is a PNG image")
    raw = b"t,v\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(12))
    table, error = upload.table_from_upload("ok.csv", raw)
    assert error is None and table.numeric_names == ["t", "v"]


def test_preview_shows_the_cells_as_text_and_split_holds_out_the_last_fifth():
    raw = b"date,v,note\n" + b"".join(b"2020-01-%02d,%d,<b>x</b>\n" % (i + 1, i) for i in range(20))
    frame = upload.preview(raw)
    assert list(frame.columns) == ["date", "v", "note"] and len(frame) == upload.PREVIEW_ROWS
    assert frame.iloc[0].tolist() == ["2020-01-01", "0", "<b>x</b>"]
    split = upload.Split.of(20)
    assert split.n_train == 16
    words = split.words(range(2, 22), shown=4)
    assert "rows 2–17" in words and "rows 18–21" in words and "held out" in words


def test_series_task_trains_on_a_table():
    t = np.arange(60.0)
    h = train(TrainConfig(task=SERIES, steps=5, **{k: v for k, v in SMALL.items() if k != "task"}),
              series=np.column_stack([np.sin(t / 3), np.cos(t / 3)]))
    assert h.scaler is not None and len(h.loss) == 5


# --- The page's words for a run's state, and for controls that differ from the run shown ----------
def test_a_runs_state_in_words_follows_its_numbers():
    h = train(TrainConfig(**RUN, steps=30))
    say = lambda *a: status_words("LSTM", engine.RunStatus(*a))            # noqa: E731
    assert say("queued", 1, 0, 30, None, None) == "LSTM: queued, next in line for a worker."
    assert say("queued", 3, 0, 30, None, None) == "LSTM: queued, 2 runs ahead of it on its worker."
    assert say("running", None, 0, 30, None, None) == "LSTM: starting."
    assert say("running", None, 30, 30, h, None) == f"LSTM: step 30 of 30, loss {h.loss[-1]:.3g}."
    assert say("failed", None, 0, 30, None, "It broke.") == "LSTM: It broke."
    assert h.solved_at is None and h.stopped_at is None
    assert say("done", None, 30, 30, h, None) == "LSTM: done, 30 steps."
    solved = replace(h, solved_at=12)
    assert say("done", None, 12, 30, solved, None) == "LSTM: solved at step 12."
    blown = replace(h, stopped_at=1)
    assert say("done", None, 1, 30, blown, None) == "LSTM: blew up at step 1 (inf/NaN), and stopped there."
    assert say("done", None, 1, 30, None, None) == "LSTM: done, 1 step."


def test_controls_that_differ_from_the_run_shown_are_named_with_both_values():
    labels = tc.labels(tc.TRAIN_CONTROLS)
    shown = [TrainConfig(**RUN, steps=100)]
    assert differs_words(shown, list(shown), labels) is None
    lr = shown[0].lr
    moved = [TrainConfig(**{**RUN, "seq_len": 20}, steps=100, lr=lr * 10)]
    assert differs_words(shown, moved, labels) == (
        f"The settings differ from the run shown (Sequence length T 10 → 20; Learning rate η {lr:g} → "
        f"{lr * 10:g}). Press Train to run them.")
    both = tc.runs_to_compare(shown[0], "models")
    assert differs_words(shown, both, labels) == (
        "The settings differ from the run shown (Model lstm → lstm / rnn; 1 run → 2 side by side). "
        "Press Train to run them.")
