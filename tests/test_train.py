import dataclasses
import warnings

import numpy as np
import pytest

from core.networks import lstm, rnn
from core.training.optim import global_norm
from core.training.probe import loss_of
from core.data.tasks import make_batch
from core.training.train import BATCH_STREAM, History, TrainConfig, forecast, init_params, predict, train

SMALL = dict(hidden_size=8, batch_size=8, steps=40, probe_every=20)


def test_loss_decreases_on_sine():
    for model in ("rnn", "lstm"):
        h = train(TrainConfig(model=model, task="sine", seq_len=20, hidden_size=16, batch_size=16,
                              steps=150, lr=1e-2, probe_every=50))
        assert h.stopped_at is None and len(h.loss) == 150
        assert h.loss[-20:].mean() < 0.5 * h.loss[:20].mean(), model
        assert h.probe_loss[-1] < h.probe_loss[0]


def same(a, b):
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    return a == b or a is b


@pytest.mark.parametrize("model, task", [("lstm", "adding"), ("rnn", "temporal_order")])
def test_same_config_same_history_bit_for_bit(model, task):
    cfg = TrainConfig(model=model, task=task, seq_len=12, **SMALL)
    a, b = train(cfg), train(cfg)
    for f in dataclasses.fields(History):
        if f.name != "scaler":
            assert same(getattr(a, f.name), getattr(b, f.name)), f.name
    c = train(dataclasses.replace(cfg, seed=1))
    assert not np.array_equal(a.loss, c.loss)


def test_history_shapes_and_probes():
    cfg = TrainConfig(model="lstm", task="copy_first", seq_len=10, hidden_size=8, batch_size=8,
                      steps=50, probe_every=20)
    h = train(cfg)
    np.testing.assert_array_equal(h.probe_steps, [0, 20, 40, 50])
    assert h.dh_norm.shape == h.dc_norm.shape == (4, 10)
    assert h.loss.shape == h.grad_norm.shape == h.clipped.shape == h.accuracy.shape == (50,)
    assert ((h.accuracy >= 0) & (h.accuracy <= 1)).all()
    assert ((h.forget_mean > 0) & (h.forget_mean < 1)).all()
    # forget_bias b_f at the start: sigmoid(b_f + small) on average
    assert h.forget_mean[0] == pytest.approx(1 / (1 + np.exp(-cfg.forget_bias)), abs=0.05)
    np.testing.assert_array_equal(h.spectral_radius[0],
                                  np.max(np.abs(np.linalg.eigvals(lstm.init_params(6, 8, 4)["W_hf"]))))
    assert h.task_kind == "classification" and h.baseline == pytest.approx(np.log(4))


def test_rnn_probes_measure_its_recurrent_matrix():
    h = train(TrainConfig(model="rnn", task="adding", seq_len=10, spectral_radius=1.5, **SMALL))
    assert h.spectral_radius[0] == pytest.approx(1.5, rel=1e-10)
    assert h.sigma_max[0] >= h.spectral_radius[0]
    assert np.isnan(h.forget_mean).all() and np.isnan(h.dc_norm).all()
    assert h.accuracy is None and h.task_kind == "regression" and h.baseline == pytest.approx(1 / 6)
    assert h.dh_norm[0, -1] > 0                                 # the loss sits on the last step


def test_grad_norm_is_measured_before_clipping():
    cfg = TrainConfig(model="rnn", task="sine", seq_len=10, clip="norm", clip_threshold=1e-6, **SMALL)
    h = train(cfg)
    batch = make_batch("sine", 10, 8, np.random.default_rng([cfg.seed, BATCH_STREAM]))
    params = init_params(cfg, 1, 1)
    trace = rnn.forward(params, batch.x)
    grads = rnn.backward(params, trace, loss_of(batch, trace.y)[1])
    assert h.grad_norm[0] == global_norm(grads.params) and h.grad_norm[0] > 1e-3
    assert h.clipped.all()


@pytest.mark.parametrize("clip, threshold, expect", [
    ("norm", 1e-8, True), ("value", 1e-8, True), ("norm", 1e6, False), ("value", 1e6, False),
    ("none", 1e-8, False)])
def test_clipping_flags(clip, threshold, expect):
    h = train(TrainConfig(model="lstm", task="adding", seq_len=10, clip=clip, clip_threshold=threshold,
                          **SMALL))
    assert (h.clipped == expect).all()


def test_a_blow_up_stops_cleanly_with_advice():
    cfg = TrainConfig(model="rnn", task="adding", seq_len=50, hidden_size=8, batch_size=4, steps=200,
                      activation="linear", spectral_radius=3.0, clip="none", optimizer="sgd", lr=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                          # any RuntimeWarning fails the test
        h = train(cfg)
    s = h.stopped_at
    assert s is not None and 0 < s < 200
    assert len(h.loss) == len(h.grad_norm) == len(h.clipped) == s
    assert np.isfinite(h.loss).all() and np.isfinite(h.grad_norm).all()
    assert all(np.isfinite(v).all() for v in h.params.values())
    assert h.probe_steps[-1] == s
    assert f"stopped at step {s} of 200" in h.message
    assert "Gradient clipping: norm" in h.message and "Learning rate η (now 1)" in h.message
    assert "Initial spectral radius ρ(W_hh) (now 3)" in h.message


def test_an_overflow_at_the_start_is_caught_before_any_update():
    cfg = TrainConfig(model="rnn", task="sine", seq_len=1000, hidden_size=8, batch_size=2, steps=5,
                      activation="linear", spectral_radius=3.0, clip="none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(cfg)
    assert h.stopped_at == 0 and len(h.loss) == 0 and "Already with the initial weights" in h.message


def test_truncation_cuts_the_gradient_on_the_probe():
    h = train(TrainConfig(model="lstm", task="adding", seq_len=20, truncate=5, **SMALL))
    assert h.stopped_at is None
    assert (h.dh_norm[:, :15] == 0).all() and (h.dh_norm[:, 15:] > 0).all()


def test_on_step_sees_the_history_grow():
    seen = []
    cfg = TrainConfig(model="rnn", task="sine", seq_len=10, **SMALL)
    h = train(cfg, on_step=lambda step, hist: seen.append((step, len(hist.loss), hist.loss[-1])))
    assert [s for s, _, _ in seen] == list(range(40))
    assert all(n == s + 1 for s, n, _ in seen)
    np.testing.assert_array_equal([v for _, _, v in seen], h.loss)


def test_a_persons_series_trains_and_forecasts_in_its_units():
    t = np.arange(300.0)
    data = np.column_stack([10 + 3 * np.sin(0.2 * t), 0.5 * np.cos(0.2 * t)])
    cfg = TrainConfig(model="lstm", task="series", seq_len=20, hidden_size=8, batch_size=8, steps=60,
                      probe_every=30)
    h = train(cfg, series=data)
    assert h.stopped_at is None and h.loss[-10:].mean() < h.loss[:10].mean()
    np.testing.assert_allclose(h.scaler.mean, data.mean(axis=0))
    z = h.scaler.apply(data[:20])
    assert predict(cfg, h.params, z).shape == (20, 2)
    assert predict(cfg, h.params, z[:, None, :]).shape == (20, 1, 2)
    assert forecast(cfg, h.params, z, 7).shape == (7, 2)
    with pytest.raises(ValueError, match="pass it as train\\(cfg, series=data\\)"):
        train(cfg)
    with pytest.raises(ValueError, match=r"Window length T must be at most 299 for your data .*got 300"):
        train(dataclasses.replace(cfg, seq_len=300), series=data)
    with pytest.raises(ValueError, match="series is only used with task='series'"):
        train(dataclasses.replace(cfg, task="sine"), series=data)


def test_forecast_feeds_predictions_back():
    cfg = TrainConfig(model="rnn", task="sine", seq_len=10, **SMALL)
    params = init_params(cfg, 1, 1)
    context = np.sin(0.3 * np.arange(10.0))[:, None]
    out = forecast(cfg, params, context, 3)
    y = predict(cfg, params, context)
    assert out[0, 0] == y[-1, 0]
    np.testing.assert_allclose(out[1], predict(cfg, params, np.vstack([context, out[:1]]))[-1])


@pytest.mark.parametrize("field, value, match", [
    ("model", "gru", r"model must be one of \('rnn', 'lstm'\); got 'gru'"),
    ("task", "add", r"task must be one of .*; got 'add'"),
    ("seq_len", 1, r"seq_len must be a whole number from 2 to 2000; got 1"),
    ("seq_len", 20.0, r"seq_len must be a whole number from 2 to 2000; got 20.0"),
    ("hidden_size", 0, r"hidden_size must be a whole number from 1 to 512; got 0"),
    ("batch_size", True, r"batch_size must be a whole number from 1 to 1024; got True"),
    ("steps", 0, r"steps must be a whole number from 1"),
    ("lr", 0.0, r"lr must be a number above 0.0 up to 10.0; got 0.0"),
    ("lr", float("nan"), r"lr must be a number above 0.0 .*; got nan"),
    ("optimizer", "rmsprop", r"optimizer must be one of \('adam', 'sgd'\)"),
    ("momentum", 1.0, r"momentum must be a number from 0.0 up to 0.999; got 1.0"),
    ("clip", "global", r"clip must be one of \('none', 'norm', 'value'\); got 'global'"),
    ("clip_threshold", -1, r"clip_threshold must be a number above 0.0"),
    ("truncate", -1, r"truncate must be a whole number from 0 to 2000; got -1"),
    ("activation", "gelu", r"activation must be one of \('tanh', 'sigmoid', 'relu', 'linear'\)"),
    ("forget_bias", "1", r"forget_bias must be a number from -10.0 up to 10.0; got '1'"),
    ("spectral_radius", -0.5, r"spectral_radius must be a number from 0.0 up to 10.0; got -0.5"),
    ("weight_scale", 0, r"weight_scale must be a number above 0.0"),
    ("probe_every", 0, r"probe_every must be a whole number from 1"),
    ("seed", -1, r"seed must be a whole number from 0"),
])
def test_config_validation_names_field_value_and_range(field, value, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**{field: value})


def test_config_checks_the_tasks_own_length_limits():
    with pytest.raises(ValueError, match=r"seq_len must be a whole number >= 4 for the temporal_order"):
        TrainConfig(task="temporal_order", seq_len=3)
    with pytest.raises(ValueError, match=r"from 2 to 1460 for the weather task"):
        TrainConfig(task="weather", seq_len=1500)
    assert hash(TrainConfig()) == hash(TrainConfig()) and TrainConfig() == TrainConfig()


def test_config_holds_plain_python_scalars():
    cfg = TrainConfig(seq_len=np.int64(30), lr=1, clip_threshold=np.float32(0.5))
    assert type(cfg.seq_len) is int and type(cfg.lr) is float and type(cfg.clip_threshold) is float
    assert cfg == TrainConfig(seq_len=30, lr=1.0, clip_threshold=0.5)


@pytest.mark.parametrize("horizon", [0, 2.5, True])
def test_forecast_horizon_must_be_a_whole_number(horizon):
    cfg = TrainConfig(model="rnn", task="sine", seq_len=10, **SMALL)
    with pytest.raises(ValueError, match=f"horizon must be a whole number >= 1; got {horizon!r}"):
        forecast(cfg, init_params(cfg, 1, 1), np.zeros((5, 1)), horizon)


def test_a_huge_but_finite_gradient_does_not_stop_training_and_is_clipped_to_the_threshold():
    # linear, ρ = 1.5, T = 600: every gradient entry is finite (up to ~1e213) but its square is not;
    # the old global norm squared first, read inf and stopped the run on a finite gradient
    cfg = TrainConfig(model="rnn", task="sine", activation="linear", spectral_radius=1.5, seq_len=600,
                      hidden_size=8, batch_size=2, steps=1, clip="norm", clip_threshold=1.0, lr=1e-3,
                      optimizer="sgd")
    h = train(cfg)
    assert h.stopped_at is None, h.message
    assert 1e150 < h.grad_norm[0] < 1e300 and h.clipped[0]
