"""A run stops once it has solved its task, with the criterion the page states; the lab's defaults solve
the adding problem with the LSTM, and the tanh RNN does not move at T = 100 (bounded budgets here; the
full claim is bench/bench_longlag.py)."""
from dataclasses import replace

import numpy as np
import pytest

from core.data.tasks import TASKS, task_info
from core.training import solved
from core.training.train import TrainConfig, train
from ui.controls import training as tc


def test_each_task_has_its_stated_criterion():
    adding = solved.criterion("adding")
    assert (adding.measure, adding.threshold) == ("loss", 0.01)
    assert "mean loss of the last 100 steps is below 0.01" in solved.stated("adding")
    for task in ("temporal_order", "copy_first"):
        c = solved.criterion(task)
        assert (c.measure, c.threshold) == ("accuracy", 0.99) and "at least 99%" in c.text
    for task in set(TASKS) - {"adding", "temporal_order", "copy_first"}:
        base = task_info(task).baseline
        c = solved.criterion(task, base)
        assert c.measure == "loss" and c.threshold == pytest.approx(0.1 * base)
        assert f"{0.1 * base:.3g}" in c.text
    assert solved.criterion("series") is None and "no 'solved' criterion" in solved.stated("series")
    with pytest.raises(ValueError, match="baseline"):
        solved.criterion("sine")


def test_met_needs_a_full_window_and_reads_only_it():
    c = solved.criterion("adding")
    loss = np.full(300, 1.0)
    loss[150:250] = 0.005
    assert not c.met(loss, None, 99) and not c.met(loss, None, 249)
    assert c.met(loss, None, 250) and not c.met(loss, None, 251)
    acc = np.zeros(200)
    acc[100:] = 0.99
    assert solved.criterion("copy_first").met(None, acc, 200)
    assert not solved.criterion("copy_first").met(None, acc, 199)


def test_verdict_words():
    assert solved.verdict(412, 412, 3000) == "Solved at step 412 of 3000."
    assert solved.verdict(None, 3000, 3000) == "Not solved in 3000 steps."
    assert solved.verdict(None, 300, 300, has_criterion=False) == "Finished all 300 steps."


def test_lab_defaults_are_the_dataclass_defaults():
    cfg = TrainConfig()
    assert (cfg.hidden_size, cfg.lr, cfg.forget_bias, cfg.clip, cfg.clip_threshold, cfg.batch_size,
            cfg.steps, cfg.seq_len) == (32, 1e-3, 3.0, "norm", 1.0, 32, 3000, 20)
    defaults = {s.key: s.default for s in tc.TRAIN_CONTROLS}
    lab = tc.train_config(defaults)
    assert replace(lab, probe_every=cfg.probe_every) == cfg
    assert tc.seq_len.max >= 200 and tc.hidden_size.max >= 128 and tc.steps.max >= 5000


def test_the_lstm_at_the_lab_defaults_solves_adding_and_stops_there():
    cfg = replace(TrainConfig(), steps=800, probe_every=100)
    h = train(cfg)
    assert h.solved_at is not None and h.stopped_at is None, h.message
    n = h.solved_at
    assert len(h.loss) == n < cfg.steps and h.probe_steps[-1] == n
    assert h.loss[n - 100:n].mean() < 0.01 <= h.loss[n - 101:n - 1].mean()   # the first step that met it
    assert h.message == f"Solved at step {n} of 800."


def test_the_tanh_rnn_at_t100_stays_at_the_trivial_loss():
    cfg = replace(TrainConfig(), model="rnn", seq_len=100, steps=100, probe_every=100)
    h = train(cfg)
    assert h.solved_at is None and h.message == "Not solved in 100 steps."
    assert h.loss[-100:].mean() > 0.8 * task_info("adding").baseline      # 1/6: always predicting 1


def test_own_data_has_no_criterion_and_uses_every_step():
    data = np.sin(np.arange(200) * 0.3)[:, None]
    h = train(TrainConfig(model="rnn", task="series", seq_len=10, hidden_size=4, steps=120,
                          probe_every=60), series=data)
    assert h.solved_at is None and len(h.loss) == 120 and h.message == "Finished all 120 steps."
