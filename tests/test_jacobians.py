"""The step Jacobians' norms against explicit matrices, SVDs and central finite differences (float64)."""
import numpy as np
import pytest

from core.gradients import experiment, jacobians, theory
from core.networks import rnn


def small(activation="tanh", w_hh="orthogonal", rho=0.9, T=12, H=5, B=3):
    return experiment.run(experiment.GradientSetup(activation=activation, w_hh=w_hh, spectral_radius=rho,
                                                   seq_len=T, hidden_size=H, batch_size=B))


def fd_jacobian(params, x, h_prev, activation, eps=1e-6):
    """∂h_t/∂h_{t-1} by central differences of one step, column j = d h_t / d h_{t-1}[j]."""
    def step(hp):
        return rnn.forward(params, x[None, None], h0=hp[None], activation=activation).h[0, 0]
    H = len(h_prev)
    J = np.empty((H, H))
    for j in range(H):
        e = np.zeros(H)
        e[j] = eps
        J[:, j] = (step(h_prev + e) - step(h_prev - e)) / (2 * eps)
    return J


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
@pytest.mark.parametrize("w_hh", ["orthogonal", "gaussian"])
def test_step_norms_match_finite_differences_and_svd(activation, w_hh):
    r = small(activation, w_hh)
    got = jacobians.rnn_step_norms(r.params, r.trace)                       # (T, B)
    x, h, h0 = r.batch.x, r.trace.h, r.trace.h0
    for t in (0, 5, 11):
        for b in range(3):
            hp = h[t - 1, b] if t else h0[b]
            J = fd_jacobian(r.params, x[t, b], hp, activation)
            assert got[t, b] == pytest.approx(np.linalg.svd(J, compute_uv=False)[0], rel=1e-6, abs=1e-9)


def test_the_closed_form_is_used_only_for_scaled_orthogonal_matrices():
    r = small()
    assert jacobians.orthogonal_scale(r.params["W_hh"]) == pytest.approx(0.9, rel=1e-12)
    assert jacobians.orthogonal_scale(small(w_hh="gaussian").params["W_hh"]) is None
    slope = np.random.default_rng(0).uniform(0, 1, (4, 2, 5))
    W = r.params["W_hh"]
    explicit = np.linalg.svd(slope[..., :, None] * W.T, compute_uv=False)[..., 0]
    np.testing.assert_allclose(jacobians.step_norms(W, slope), explicit, rtol=1e-12)


def test_fewer_sequences_when_the_svds_would_cost_too_much():
    r = small(w_hh="gaussian")
    assert jacobians.rnn_step_norms(r.params, r.trace, max_sequences=1).shape == (12, 1)


def test_the_product_sits_between_the_measurement_and_the_bound():
    r = small(T=60, H=16, B=4)
    P = jacobians.product_to(jacobians.rnn_step_norms(r.params, r.trace))   # (T, B)
    last = r.dh_norm[:, -1]                                                 # (B,)
    for b in range(4):
        assert np.all(r.dh_norm[b] <= last[b] * P[:, b] * (1 + 1e-9))
        assert np.all(last[b] * P[:, b] <= last[b] * theory.bound(r.spectrum, 60) * (1 + 1e-9))


def test_the_product_is_zero_past_a_truncation_cut_and_1_at_the_last_step():
    P = jacobians.product_to(np.full((10, 1), 0.5), truncate=4)
    assert P[9, 0] == 1 and P[8, 0] == 0.5 and P[7, 0] == 0 and P[0, 0] == 0
    np.testing.assert_allclose(jacobians.product_to(np.full((5, 1), 2.0))[:, 0], [16, 8, 4, 2, 1])
