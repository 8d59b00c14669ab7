import numpy as np
import pytest

from core.networks import lstm, rnn
from core.gradients import theory
from core.training.losses import mse
from core.numerics.validate import norm


def rnn_case(T=30, H=16, rho=0.9, seed=0):
    rng = np.random.default_rng(seed)
    p = rnn.init_params(2, H, 1, seed=seed, spectral_radius=rho)
    return p, rng.standard_normal((T, 2)), rng.standard_normal((T, 1))


def test_spectrum_and_threshold():
    p, _, _ = rnn_case(rho=0.8)
    spec = theory.spectrum(p["W_hh"], "sigmoid")
    assert spec.spectral_radius == pytest.approx(0.8)
    assert spec.sigma_max >= spec.spectral_radius            # ||W||_2 >= rho(W) always
    assert spec.gamma == 0.25 and spec.threshold == 4.0
    assert spec.rate == pytest.approx(0.25 * spec.sigma_max)


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu", "linear"])
@pytest.mark.parametrize("truncate", [None, 4])
def test_transport_rows_equal_single_loss_backward_passes(act, truncate):
    p, x, dy = rnn_case()
    steps = [0, 5, 17, 29]
    transport = theory.transport("rnn", p, x, dy, activation=act, loss_steps=steps, truncate=truncate)
    for j, s in enumerate(steps):
        d = np.zeros((30, 1, 1))
        d[s, 0] = dy[s]
        g = rnn.backward(p, rnn.forward(p, x[:, None, :], activation=act), d, truncate=truncate)
        np.testing.assert_allclose(transport.dh_norm[j], np.linalg.norm(g.dh[:, 0], axis=1), rtol=1e-12)
        assert np.all(transport.dh_norm[j, s + 1:] == 0) and transport.dh_norm[j, s] > 0


def test_transport_of_an_exploding_rnn_overflows_where_single_loss_passes_do():
    p, x, dy = rnn_case(T=400, rho=8.0, seed=4)
    transport = theory.transport("rnn", p, x, dy, activation="linear", loss_steps=[399])
    d = np.zeros((400, 1, 1))
    d[399, 0] = dy[399]
    g = rnn.backward(p, rnn.forward(p, x[:, None, :], activation="linear"), d)
    want = norm(g.dh[:, 0], axis=1)
    assert not np.isfinite(want).all() and np.isfinite(want).any()          # it did overflow
    np.testing.assert_array_equal(np.isfinite(transport.dh_norm[0]), np.isfinite(want))
    np.testing.assert_allclose(transport.dh_norm[0][np.isfinite(want)], want[np.isfinite(want)], rtol=1e-12)


def test_measured_gradient_obeys_the_bound():
    for act in ("tanh", "sigmoid"):
        p, x, dy = rnn_case(rho=1.2, seed=3)
        m = theory.transport("rnn", p, x, dy, activation=act, loss_steps=[29]).dh_norm[0]
        b = theory.bound(theory.spectrum(p["W_hh"], act), 30) * m[29]
        assert np.all(m <= b * (1 + 1e-9)), act


@pytest.mark.parametrize("s", [29, 17])
def test_the_bound_is_reached_exactly_by_a_linear_rnn_with_a_scaled_orthogonal_matrix(s):
    """W_hh = 1.2 Q with Q orthogonal, linear activation (gamma = 1): each step back multiplies
    ||dL/dh|| by exactly sigma_max = 1.2, so ||dL/dh_t|| = ||dL/dh_s|| (gamma sigma_max)^(s - t): the
    bound is an equality, and a bound off by any factor (or by one step in the exponent) fails."""
    p, x, dy = rnn_case(T=30, H=16, seed=5)
    Q, _ = np.linalg.qr(np.random.default_rng(6).standard_normal((16, 16)))
    p["W_hh"] = 1.2 * Q
    spec = theory.spectrum(p["W_hh"], "linear")
    assert spec.sigma_max == pytest.approx(1.2, rel=1e-12) and spec.rate == pytest.approx(1.2, rel=1e-12)
    m = theory.transport("rnn", p, x, dy, activation="linear", loss_steps=[s]).dh_norm[0]
    b = theory.bound(spec, 30, s=s)
    np.testing.assert_allclose(m[:s + 1], m[s] * 1.2 ** (s - np.arange(s + 1)), rtol=1e-8)
    np.testing.assert_allclose(m[:s + 1], m[s] * b[:s + 1], rtol=1e-8)
    assert np.all(np.isnan(b[s + 1:])) and np.all(m[s + 1:] == 0)


def test_transport_for_lstm_has_cell_rows_and_truncation():
    rng = np.random.default_rng(1)
    p = lstm.init_params(2, 8, 1, seed=1, forget_bias=2.0)
    x, dy = rng.standard_normal((20, 2)), rng.standard_normal((20, 1))
    full = theory.transport("lstm", p, x, dy)
    cut = theory.transport("lstm", p, x, dy, truncate=5)
    assert full.dc_norm.shape == (20, 20)
    assert np.all(cut.dh_norm[19, :15] == 0) and np.all(full.dh_norm[19, :15] > 0)


def test_temporal_terms_sum_to_the_recurrent_gradient():
    rng = np.random.default_rng(2)
    x, target = rng.standard_normal((12, 3, 2)), rng.standard_normal((12, 3, 1))
    p = rnn.init_params(2, 6, 1, seed=2)
    rnn_trace = rnn.forward(p, x, activation="sigmoid")
    g = rnn.backward(p, rnn_trace, mse(rnn_trace.y, target)[1])
    np.testing.assert_allclose(sum(theory.temporal_terms("rnn", rnn_trace, g)), g.params["W_hh"], rtol=1e-10)
    q = lstm.init_params(2, 6, 1, seed=2)
    tl = lstm.forward(q, x)
    gl = lstm.backward(q, tl, mse(tl.y, target)[1])
    stacked = np.concatenate([gl.params[f"W_h{gate}"] for gate in lstm.GATES], axis=1)
    np.testing.assert_allclose(sum(theory.temporal_terms("lstm", tl, gl)), stacked, rtol=1e-10)
    for model, trace, grads in (("rnn", rnn_trace, g), ("lstm", tl, gl)):
        norms = [np.linalg.norm(term) for term in theory.temporal_terms(model, trace, grads)]
        np.testing.assert_allclose(theory.temporal_contributions(model, trace, grads), norms,
                                   rtol=1e-8)


def test_forget_product():
    f = np.random.default_rng(3).uniform(0.3, 1.0, (6, 2, 3))
    prod = theory.forget_product(f, s=4)
    np.testing.assert_allclose(prod[1], f[2] * f[3] * f[4])
    assert np.all(prod[4] == 1) and np.all(np.isnan(prod[5]))
