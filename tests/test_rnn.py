import numpy as np
import pytest

from core.networks import chunks, rnn
from gradcheck import numerical_grad, rel_error, truncated_loss

T, B, D, H, O = 7, 2, 3, 4, 2


def setup(seed=0, activation="tanh"):
    rng = np.random.default_rng(seed)
    p = rnn.init_params(D, H, O, seed=seed)
    for key in p:                                   # non-zero biases, so their gradients are tested
        p[key] = p[key] + 0.3 * rng.standard_normal(p[key].shape)
    x = rng.standard_normal((T, B, D))
    h0 = 0.5 * rng.standard_normal((B, H))
    R = rng.standard_normal((T, B, O))              # loss = sum(y * R), so dL/dy = R
    return p, x, h0, R


@pytest.mark.parametrize("activation", rnn.ACTIVATIONS)
def test_gradients_match_central_differences(activation):
    p, x, h0, R = setup(activation=activation)

    def loss():
        return float(np.sum(rnn.forward(p, x, h0, activation=activation).y * R))

    g = rnn.backward(p, rnn.forward(p, x, h0, activation=activation), R)
    for key in p:
        assert rel_error(g.params[key], numerical_grad(loss, p[key])) < 1e-6, key
    assert rel_error(g.dx, numerical_grad(loss, x)) < 1e-6
    assert rel_error(g.dh0, numerical_grad(loss, h0)) < 1e-6


@pytest.mark.parametrize("activation", rnn.ACTIVATIONS)
@pytest.mark.parametrize("k", [1, 3, 5])
def test_truncated_gradients_match_detached_segments(activation, k):
    p, x, h0, R = setup(seed=1, activation=activation)
    full = rnn.forward(p, x, h0, activation=activation)
    # The state entering each segment, detached: fixed at its value from the full forward pass.
    states = {s: (full.h[s - 1] if s else h0,) for s in range(0, T, k)}

    def fwd(xs, h_start):
        return rnn.forward(p, xs, h_start, activation=activation)

    def loss():
        return truncated_loss(fwd, x, R, k, states)

    g = rnn.backward(p, full, R, truncate=k)
    for key in p:
        assert rel_error(g.params[key], numerical_grad(loss, p[key])) < 1e-6, key
    assert rel_error(g.dx, numerical_grad(loss, x)) < 1e-6
    assert rel_error(g.dh0, numerical_grad(loss, h0)) < 1e-6


def test_truncation_stops_the_gradient_at_cut_points():
    p, x, h0, R = setup()
    R[:-1] = 0.0                                   # loss on the last step only
    g = rnn.backward(p, rnn.forward(p, x, h0), R, truncate=3)
    # Steps 6 is in the segment [6, 7): nothing flows back into steps 0..5.
    assert np.all(g.dh[:6] == 0.0) and np.any(g.dh[6] != 0.0)
    assert np.all(g.dh0 == 0.0)


def test_forward_follows_the_equations_step_by_step():
    p, x, h0, _ = setup()
    acts = {"tanh": np.tanh, "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
            "relu": lambda a: np.maximum(a, 0), "linear": lambda a: a}
    for name, act in acts.items():
        tr = rnn.forward(p, x, h0, activation=name)
        h = h0
        for t in range(T):
            h = act(x[t] @ p["W_xh"] + h @ p["W_hh"] + p["b_h"])
            np.testing.assert_allclose(tr.h[t], h, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(tr.y[t], h @ p["W_hq"] + p["b_q"], rtol=1e-12, atol=1e-14)


def test_chunks_give_the_same_numbers_as_one_chunk(monkeypatch):
    """Several chunks of steps must give the numbers of one chunk."""
    p, x, h0, R = setup()
    ref_tr = rnn.forward(p, x, h0)
    ref = rnn.backward(p, ref_tr, R, truncate=2)
    monkeypatch.setattr(chunks, "CHUNK_BYTES", B * H * 8 * 2)    # two steps per chunk
    tr = rnn.forward(p, x, h0)
    g = rnn.backward(p, tr, R, truncate=2)
    np.testing.assert_allclose(tr.h, ref_tr.h, rtol=1e-13)
    for key in p:
        np.testing.assert_allclose(g.params[key], ref.params[key], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g.dh, ref.dh, rtol=1e-13)
    np.testing.assert_allclose(g.dx, ref.dx, rtol=1e-12, atol=1e-15)


def test_init_options():
    p = rnn.init_params(3, 32, 2, seed=4, spectral_radius=1.5)
    assert np.max(np.abs(np.linalg.eigvals(p["W_hh"]))) == pytest.approx(1.5, rel=1e-10)
    q = rnn.init_params(3, 32, 2, seed=4, orthogonal=True, weight_scale=0.9)
    np.testing.assert_allclose(np.linalg.svd(q["W_hh"], compute_uv=False), 0.9, rtol=1e-10)
    a, b = rnn.init_params(3, 8, 2, seed=7), rnn.init_params(3, 8, 2, seed=7)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W_hh"], rnn.init_params(3, 8, 2, seed=8)["W_hh"])


@pytest.mark.parametrize("call, match", [
    (lambda p: rnn.forward(p, np.zeros((0, 2, 3))), r"at least one time step.*T = 0"),
    (lambda p: rnn.forward(p, np.zeros((5, 2, 4))), r"input size D = 4.*expect D = 3"),
    (lambda p: rnn.forward(p, np.zeros((5, 3))), r"x must have 3 dimensions; got shape \(5, 3\)"),
    (lambda p: rnn.forward(p, np.full((5, 2, 3), np.nan)), r"x contains NaN or inf"),
    (lambda p: rnn.forward(p, np.zeros((5, 2, 3)), activation="softplus"),
     r"activation must be one of .*'softplus'"),
    (lambda p: rnn.forward(p, np.zeros((5, 2, 3)), h0=np.zeros((3, 4))), r"h0 must have shape \(2, 4\)"),
    (lambda p: rnn.backward(p, rnn.forward(p, np.zeros((5, 2, 3))), np.zeros((5, 2, 2)), truncate=0),
     r"truncate must be None or a whole number >= 1; got 0"),
    (lambda p: rnn.backward(p, rnn.forward(p, np.zeros((5, 2, 3))), np.zeros((4, 2, 2))),
     r"dy must have the shape of y"),
    (lambda p: rnn.forward({"W_xh": p["W_xh"]}, np.zeros((5, 2, 3))), r"params"),
])
def test_bad_input_raises_a_message_naming_it(call, match):
    p = rnn.init_params(3, 4, 2)
    with pytest.raises(ValueError, match=match):
        call(p)


def test_init_rejects_bad_sizes():
    with pytest.raises(ValueError, match="hidden_size must be a whole number >= 1; got 0"):
        rnn.init_params(3, 0, 2)


@pytest.mark.parametrize("B, H", [(4, 16), (32, 64)])     # the second size runs several chunks
def test_overflow_is_reported_at_the_step_it_began_without_warnings(recwarn, B, H):
    p = rnn.init_params(3, H, 2, seed=0, spectral_radius=3.0)
    x = np.random.default_rng(0).standard_normal((1000, B, 3))
    tr = rnn.forward(p, x, activation="linear")
    s = tr.nonfinite_step
    assert s is not None and 0 < s < 1000
    assert np.isfinite(tr.h[:s]).all() and not np.isfinite(tr.h[s]).all()
    g = rnn.backward(p, tr, np.ones_like(tr.y))
    assert g.nonfinite_step is not None
    assert not np.isfinite(g.dh[g.nonfinite_step]).all()
    assert np.isfinite(g.dh[g.nonfinite_step + 1:]).all()
    assert len(recwarn) == 0, [str(w.message) for w in recwarn]


def test_tanh_rnn_at_spectral_radius_3_stays_finite():
    p = rnn.init_params(3, 16, 2, seed=0, spectral_radius=3.0)
    tr = rnn.forward(p, np.ones((200, 2, 3)))
    assert tr.nonfinite_step is None
