import numpy as np
import pytest

from core.training.optim import SGD, Adam, all_finite, clip, clip_grad_norm, clip_grad_value, global_norm


def grads():
    return {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}   # global norm 5


def test_norm_clipping_scales_every_array_like_torch():
    g = grads()
    clipped, norm = clip_grad_norm(g, 1.0)
    assert norm == pytest.approx(5.0)
    scale = 1.0 / (5.0 + 1e-6)                                 # torch.nn.utils.clip_grad_norm_
    np.testing.assert_allclose(clipped["a"], [3.0 * scale, 0.0], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [[4.0 * scale]], rtol=1e-15)
    assert global_norm(clipped) == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_array_equal(g["a"], [3.0, 0.0])          # the caller's arrays are untouched


def test_norm_clipping_below_threshold_changes_nothing():
    clipped, norm = clip_grad_norm(grads(), 10.0)
    np.testing.assert_array_equal(clipped["a"], [3.0, 0.0])
    assert norm == pytest.approx(5.0)


def test_value_clipping_clips_each_entry_and_changes_direction():
    clipped = clip_grad_value(grads(), 3.5)
    np.testing.assert_array_equal(clipped["a"], [3.0, 0.0])
    np.testing.assert_array_equal(clipped["b"], [[3.5]])


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "1", True])
def test_clip_thresholds_must_be_positive(bad):
    with pytest.raises(ValueError, match="max_norm must be a positive finite number"):
        clip_grad_norm(grads(), bad)
    with pytest.raises(ValueError, match="clip_value must be a positive finite number"):
        clip_grad_value(grads(), bad)


def test_sgd_with_momentum_matches_the_recurrence():
    p = {"w": np.array([1.0])}
    opt = SGD(p, lr=0.1, momentum=0.9)
    opt.step(p, {"w": np.array([1.0])})        # v = 1,   w = 1 - 0.1
    opt.step(p, {"w": np.array([1.0])})        # v = 1.9, w = 0.9 - 0.19
    assert p["w"][0] == pytest.approx(0.71)


def test_adam_first_step_moves_each_weight_by_lr():
    p = {"w": np.array([1.0, -2.0])}
    Adam(p, lr=0.01).step(p, {"w": np.array([0.5, -3.0])})
    np.testing.assert_allclose(p["w"], [0.99, -1.99], rtol=1e-6)


def test_adam_minimises_a_quadratic():
    p = {"w": np.array([5.0, -3.0])}
    opt = Adam(p, lr=0.1)
    for _ in range(500):
        opt.step(p, {"w": 2 * p["w"]})
    assert np.all(np.abs(p["w"]) < 1e-2)


def test_optimizers_do_not_warn_on_huge_gradients(recwarn):
    for opt_cls in (SGD, Adam):
        p = {"w": np.array([1.0])}
        opt_cls(p, lr=0.1).step(p, {"w": np.array([1e300])})
    assert len(recwarn) == 0, [str(w.message) for w in recwarn]


def test_global_norm_of_huge_finite_gradients_is_finite_and_exact():
    g = {"a": np.array([3e212, 0.0]), "b": np.array([[4e212]])}     # squares overflow past 1e154
    assert global_norm(g) == pytest.approx(5e212, rel=1e-12)
    clipped, total = clip_grad_norm(g, 1.0)
    assert total == pytest.approx(5e212, rel=1e-12)
    assert global_norm(clipped) == pytest.approx(1.0, rel=1e-9)      # never clipped to 0
    assert all_finite(g)


def test_global_norm_is_inf_or_nan_only_when_an_entry_is():
    assert not np.isfinite(global_norm({"a": np.array([1.0, np.inf])}))
    assert np.isnan(global_norm({"a": np.array([1.0, np.nan])}))
    assert not all_finite({"a": np.array([1.0]), "b": np.array([np.nan])})
    assert global_norm({"a": np.zeros(3)}) == 0.0


def test_a_linear_rnn_at_rho_1_5_and_T_600_clips_to_the_threshold():
    from core.gradients import experiment
    r = experiment.run(experiment.GradientSetup(activation="linear", spectral_radius=1.5, seq_len=600,
                                                clip="norm", batch_size=2, hidden_size=8))
    assert r.grads.nonfinite_step is None and 1e150 < r.grad_norm < 1e300
    assert r.clipped_norm == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("how", ["none", "norm", "value"])
@pytest.mark.parametrize("threshold", [0.5, 3.9999, 4.0, 4.9999, 5.0, 5.000002, 6.0])
def test_clipping_fired_exactly_when_it_changed_the_gradient(how, threshold):
    g = grads()
    applied, total, fired = clip(g, how, threshold)
    changed = any(not np.array_equal(applied[k], g[k]) for k in g)
    assert fired == changed and total == pytest.approx(5.0)
    assert fired == {"none": False, "norm": threshold / (5.0 + 1e-6) < 1, "value": threshold < 4.0}[how]


def test_a_gradient_that_overflowed_is_not_clipped_and_an_unknown_rule_is_refused():
    g = {"a": np.array([np.inf, 1.0])}
    applied, total, fired = clip(g, "norm", 1.0)
    assert applied is g and not np.isfinite(total) and not fired
    with pytest.raises(ValueError, match="clip must be one of"):
        clip(grads(), "both", 1.0)


def test_the_global_norm_of_huge_finite_gradients_is_finite_and_of_overflowed_ones_is_not():
    huge = {"a": np.full(4, 1e200), "b": np.array([[3e200, 0.0]])}
    assert global_norm(huge) == pytest.approx(np.sqrt(4 + 9) * 1e200, rel=1e-14)
    clipped, total = clip_grad_norm(huge, 1.0)
    assert np.isfinite(total) and global_norm(clipped) == pytest.approx(1.0, rel=1e-6)
    assert global_norm({"a": np.array([np.inf, 1.0])}) == np.inf
    assert np.isnan(global_norm({"a": np.array([np.nan, 1.0])}))
    assert global_norm({"a": np.zeros(3)}) == 0.0
