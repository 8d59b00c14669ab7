import numpy as np
import pytest

from core.networks import chunks, lstm
from gradcheck import numerical_grad, rel_error, truncated_loss

T, B, D, H, O = 7, 2, 3, 4, 2


def setup(seed=0):
    rng = np.random.default_rng(seed)
    p = lstm.init_params(D, H, O, seed=seed, forget_bias=1.0)
    for key in p:
        p[key] = p[key] + 0.3 * rng.standard_normal(p[key].shape)
    x = rng.standard_normal((T, B, D))
    h0 = 0.5 * rng.standard_normal((B, H))
    c0 = 0.5 * rng.standard_normal((B, H))
    R = rng.standard_normal((T, B, O))
    return p, x, h0, c0, R


def test_gradients_match_central_differences():
    p, x, h0, c0, R = setup()

    def loss():
        return float(np.sum(lstm.forward(p, x, h0, c0).y * R))

    g = lstm.backward(p, lstm.forward(p, x, h0, c0), R)
    assert set(g.params) == set(p)
    for key in p:
        assert rel_error(g.params[key], numerical_grad(loss, p[key])) < 1e-6, key
    assert rel_error(g.dx, numerical_grad(loss, x)) < 1e-6
    assert rel_error(g.dh0, numerical_grad(loss, h0)) < 1e-6
    assert rel_error(g.dc0, numerical_grad(loss, c0)) < 1e-6


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_gradients_detach_h_and_c(k):
    p, x, h0, c0, R = setup(seed=2)
    full = lstm.forward(p, x, h0, c0)
    states = {s: ((full.h[s - 1], full.c[s - 1]) if s else (h0, c0)) for s in range(0, T, k)}

    def fwd(xs, h_start, c_start):
        return lstm.forward(p, xs, h_start, c_start)

    def loss():
        return truncated_loss(fwd, x, R, k, states)

    g = lstm.backward(p, full, R, truncate=k)
    for key in p:
        assert rel_error(g.params[key], numerical_grad(loss, p[key])) < 1e-6, key
    assert rel_error(g.dx, numerical_grad(loss, x)) < 1e-6
    assert rel_error(g.dh0, numerical_grad(loss, h0)) < 1e-6
    assert rel_error(g.dc0, numerical_grad(loss, c0)) < 1e-6


def test_dc_is_the_total_gradient_of_the_cell_state():
    """dL/dc_t by finite differences: perturb c_t by running the tail of the sequence from it."""
    p, x, h0, c0, R = setup(seed=3)
    full = lstm.forward(p, x, h0, c0)
    g = lstm.backward(p, full, R)
    t = 2
    c_t = full.c[t].copy()
    o_t = full.o[t]

    def loss():
        h_t = o_t * np.tanh(c_t)               # h_t depends on c_t too
        tail = lstm.forward(p, x[t + 1:], h_t, c_t)
        return float(np.sum(tail.y * R[t + 1:]) + np.sum((h_t @ p["W_hq"] + p["b_q"]) * R[t]))

    assert rel_error(g.dc[t], numerical_grad(loss, c_t)) < 1e-6


def test_gates_follow_the_equations_step_by_step():
    p, x, h0, c0, _ = setup()
    tr = lstm.forward(p, x, h0, c0)

    def sig(a):
        return 1 / (1 + np.exp(-a))

    h, c = h0, c0
    for t in range(T):
        i = sig(x[t] @ p["W_xi"] + h @ p["W_hi"] + p["b_i"])
        f = sig(x[t] @ p["W_xf"] + h @ p["W_hf"] + p["b_f"])
        o = sig(x[t] @ p["W_xo"] + h @ p["W_ho"] + p["b_o"])
        g = np.tanh(x[t] @ p["W_xg"] + h @ p["W_hg"] + p["b_g"])
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, want in dict(i=i, f=f, o=o, g=g, c=c, h=h).items():
            np.testing.assert_allclose(getattr(tr, name)[t], want, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(tr.y[t], h @ p["W_hq"] + p["b_q"], rtol=1e-12, atol=1e-14)


def test_chunks_give_the_same_numbers_as_one_chunk(monkeypatch):
    p, x, h0, c0, R = setup()
    ref_tr = lstm.forward(p, x, h0, c0)
    ref = lstm.backward(p, ref_tr, R, truncate=3)
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 4 * B * H * 8 * 2)
    tr = lstm.forward(p, x, h0, c0)
    g = lstm.backward(p, tr, R, truncate=3)
    for name in "hcifog":
        np.testing.assert_allclose(getattr(tr, name), getattr(ref_tr, name), rtol=1e-13)
    for key in p:
        np.testing.assert_allclose(g.params[key], ref.params[key], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g.dc, ref.dc, rtol=1e-13)


def test_forget_bias_opens_the_forget_gates():
    x = np.zeros((5, 3, 2))
    shut = lstm.forward(lstm.init_params(2, 8, 1, forget_bias=-3.0), x)
    open_ = lstm.forward(lstm.init_params(2, 8, 1, forget_bias=3.0), x)
    assert shut.f.mean() < 0.1 < 0.9 < open_.f.mean()
    assert np.all(lstm.init_params(2, 8, 1, forget_bias=2.5)["b_f"] == 2.5)


def test_bad_input_raises_a_message_naming_it():
    p = lstm.init_params(3, 4, 2)
    with pytest.raises(ValueError, match=r"c0 must have shape \(2, 4\)"):
        lstm.forward(p, np.zeros((5, 2, 3)), c0=np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"input size D = 1"):
        lstm.forward(p, np.zeros((5, 2, 1)))
    with pytest.raises(ValueError, match=r"x contains NaN or inf"):
        lstm.forward(p, np.full((5, 2, 3), np.inf))
    with pytest.raises(ValueError, match="forget_bias must be a finite number"):
        lstm.init_params(3, 4, 2, forget_bias=float("nan"))


@pytest.mark.parametrize("T, B, H", [(50, 2, 8), (400, 16, 32)])   # the second runs several chunks
def test_overflow_is_reported_without_warnings(recwarn, T, B, H):
    p = lstm.init_params(3, H, 2, seed=0, weight_scale=1e200)
    tr = lstm.forward(p, np.ones((T, B, 3)))
    g = lstm.backward(p, tr, np.full_like(tr.y, 1e300))
    assert tr.nonfinite_step is not None or g.nonfinite_step is not None
    assert len(recwarn) == 0, [str(w.message) for w in recwarn]
