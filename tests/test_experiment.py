import numpy as np
import pytest

from core.gradients import experiment
from core.gradients.experiment import GradientSetup


def test_run_records_the_views_the_pages_draw():
    r = experiment.run(GradientSetup(seq_len=30, batch_size=4, hidden_size=8))
    assert r.dh_norm.shape == (4, 30) and r.trace.h.shape == (30, 4, 8)
    np.testing.assert_allclose(r.dh_norm, np.linalg.norm(r.grads.dh, axis=2).T)
    assert r.spectrum.spectral_radius == pytest.approx(0.9)
    assert r.clipped_norm == r.grad_norm


def test_vanishing_and_exploding_presets_show_what_they_promise():
    vanish = experiment.run(GradientSetup(spectral_radius=0.5, seq_len=100))
    explode = experiment.run(GradientSetup(spectral_radius=1.5, activation="linear", seq_len=100))
    prof_v, prof_e = vanish.dh_norm.mean(0), explode.dh_norm.mean(0)
    assert prof_v[0] / prof_v[-1] < 1e-10
    assert prof_e[0] / prof_e[-1] > 1e10


def test_norm_clipping_caps_the_parameter_gradient():
    r = experiment.run(GradientSetup(spectral_radius=1.5, activation="linear", seq_len=60,
                                     clip="norm", clip_threshold=2.0))
    assert r.grad_norm > 2.0 and r.clipped_norm == pytest.approx(2.0, rel=1e-5)
    v = experiment.run(GradientSetup(clip="value", clip_threshold=1e-3))
    assert v.clipped_norm < v.grad_norm


def test_loss_at_last_step_leaves_earlier_outputs_without_gradient():
    r = experiment.run(GradientSetup(seq_len=20, loss_at="last", truncate=5))
    assert np.all(r.dh_norm[:, :15] == 0) and np.all(r.dh_norm[:, 15:] > 0)


def test_transport_is_lower_triangular_and_capped():
    r = experiment.run(GradientSetup(seq_len=300, hidden_size=8, batch_size=2))
    transport = experiment.transport(r, sequence=1, max_rows=50)
    assert transport.dh_norm.shape == (len(transport.loss_steps), 300) and len(transport.loss_steps) <= 50
    assert transport.loss_steps[-1] == 299
    for j, s in enumerate(transport.loss_steps):
        assert np.all(transport.dh_norm[j, s + 1:] == 0)


@pytest.mark.parametrize("model", ["rnn", "lstm"])
@pytest.mark.parametrize("task", ["temporal_order", "copy_first", "adding"])
def test_lstm_and_classification_tasks_run(model, task):
    """Both models on both classification tasks and on adding: the loss is the task's own (softmax
    cross-entropy or MSE at the last step, computed here by hand), every step receives a gradient,
    and the transport's last row is that same gradient, per sequence."""
    B, T = 4, 40
    r = experiment.run(GradientSetup(model=model, task=task, seq_len=T, hidden_size=8, batch_size=B,
                                     forget_bias=2.0))
    y, target = r.trace.y[-1], r.batch.target[-1]                       # the loss sits on the last step
    if r.batch.kind == "classification":
        assert task != "adding" and y.shape[1] > 1
        logp = y - y.max(axis=1, keepdims=True)
        logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))
        want = -np.mean(logp[np.arange(B), target])
    else:
        assert task == "adding"
        want = np.mean((y - target) ** 2)
    assert r.loss == pytest.approx(want, rel=1e-12)
    assert r.dh_norm.shape == (B, T) and np.all(np.isfinite(r.dh_norm)) and np.all(r.dh_norm > 0)
    assert (r.dc_norm is not None) == (model == "lstm") and (r.spectrum is not None) == (model == "rnn")
    transport = experiment.transport(r, sequence=1)
    assert transport.loss_steps[-1] == T - 1
    # the run's loss is the mean over the B sequences; the transport's is one sequence's own
    np.testing.assert_allclose(transport.dh_norm[-1], B * r.dh_norm[1], rtol=1e-10)


@pytest.mark.parametrize("field, value, match", [
    ("model", "gru", "Model must be one of"), ("seq_len", 1, "Sequence length T must be a whole number >= 2"),
    ("seq_len", 2.5, "Sequence length T must be a whole number"),
    ("spectral_radius", 0.0, r"Spectral radius ρ\(W_hh\) must be above 0"),
    ("clip", "both", "Gradient clipping must be one of"), ("task", "stocks", "Input sequences must be one of"),
    ("truncate", -1, r"Truncate BPTT every k steps \(0 = never\) must be a whole number >= 0"),
    ("forget_bias", float("nan"), "Forget-gate bias b_f must be a finite number"),
])
def test_setup_validation(field, value, match):
    with pytest.raises(ValueError, match=match):
        GradientSetup(**{field: value})


def test_huge_but_finite_gradients_have_finite_norms():
    from core.numerics.validate import norm
    a = np.full((2, 3, 4), 1e200)
    a[1, 0, 0] = np.inf
    n = norm(a, axis=2)
    assert n[0, 0] == pytest.approx(2e200) and np.isinf(n[1, 0]) and n[1, 1] == pytest.approx(2e200)
    r = experiment.run(GradientSetup(activation="linear", spectral_radius=1.5, seq_len=1000))
    s = r.grads.nonfinite_step
    # Just after s the entries are near 1e308 and their norm truly exceeds float64; ten steps later
    # they are 1.5**10 smaller, and before this fix every norm from 1e154 up was already inf.
    assert s is not None and np.isfinite(r.dh_norm[:, s + 10:]).all()
    assert not np.isfinite(r.dh_norm[:, s]).all()
