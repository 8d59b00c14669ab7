"""The readable reference (core/reference): central differences check it, and it holds the fast path."""
import dataclasses

import numpy as np
import pytest

from core.networks import chunks, lstm, rnn
from core.reference import lstm as ref_lstm, rnn as ref_rnn
from gradcheck import numerical_grad, rel_error, truncated_loss

T, B, D, H, O = 7, 2, 3, 4, 2
ACTIVATIONS = tuple(ref_rnn.ACT)
RNN_SHAPES = {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, O), "b_q": (O,)}
LSTM_SHAPES = {**{f"{w}{k}": s for k in "ifog"
                  for w, s in (("W_x", (D, H)), ("W_h", (H, H)), ("b_", (H,)))},
               "W_hq": (H, O), "b_q": (O,)}


def setup(shapes, seed=0, T=T):
    """Random parameters (non-zero biases, so their gradients are tested), x, h0, c0, and R: the loss
    is sum(y * R), so dL/dy = R."""
    rng = np.random.default_rng(seed)
    p = {k: 0.6 * rng.standard_normal(s) for k, s in shapes.items()}
    x = rng.standard_normal((T, B, D))
    h0, c0 = 0.5 * rng.standard_normal((B, H)), 0.5 * rng.standard_normal((B, H))
    return p, x, h0, c0, rng.standard_normal((T, B, O))


# ---- the reference against central differences ----------------------------------------------------

def rnn_loss(p, x, h0, R, activation, bump):
    """sum_t y_t R_t from the step function, with bump[t] added to h_t: d loss / d bump = dL/dh_t."""
    h, total = h0, 0.0
    for t in range(len(x)):
        (h, _), _ = ref_rnn.step_forward(x[t], h, p, activation)
        h = h + bump[t]
        total += np.sum((h @ p["W_hq"] + p["b_q"]) * R[t])
    return total


def lstm_loss(p, x, h0, c0, R, bump_h, bump_c):
    """As ``rnn_loss``; h_t is recomputed from the bumped c_t: d loss / d bump_c = the total dL/dc_t."""
    h, c, total = h0, c0, 0.0
    for t in range(len(x)):
        (h, c, _), cache = ref_lstm.step_forward(x[t], h, c, p)
        c = c + bump_c[t]
        h = cache[5] * np.tanh(c) + bump_h[t]            # o_t tanh(c_t)
        total += np.sum((h @ p["W_hq"] + p["b_q"]) * R[t])
    return total


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rnn_gradients_match_central_differences(activation):
    p, x, h0, _, R = setup(RNN_SHAPES)
    bump = np.zeros((T, B, H))

    def loss():
        return rnn_loss(p, x, h0, R, activation, bump)

    g = ref_rnn.backward(ref_rnn.forward(p, x, h0, activation=activation), R)
    for key in p:
        assert rel_error(g.params[key], numerical_grad(loss, p[key])) < 1e-6, key
    assert rel_error(g.dx, numerical_grad(loss, x)) < 1e-6
    assert rel_error(g.dh0, numerical_grad(loss, h0)) < 1e-6
    assert rel_error(g.dh, numerical_grad(loss, bump)) < 1e-6


def test_lstm_gradients_match_central_differences():
    p, x, h0, c0, R = setup(LSTM_SHAPES)
    bump_h, bump_c = np.zeros((T, B, H)), np.zeros((T, B, H))

    def loss():
        return lstm_loss(p, x, h0, c0, R, bump_h, bump_c)

    g = ref_lstm.backward(ref_lstm.forward(p, x, h0, c0), R)
    for key in p:
        assert rel_error(g.params[key], numerical_grad(loss, p[key])) < 1e-6, key
    for grad, wrt in ((g.dx, x), (g.dh0, h0), (g.dc0, c0), (g.dh, bump_h), (g.dc, bump_c)):
        assert rel_error(grad, numerical_grad(loss, wrt)) < 1e-6


@pytest.mark.parametrize("model, activation", [("lstm", None)] + [("rnn", a) for a in ACTIVATIONS])
@pytest.mark.parametrize("k", [1, 3])
def test_truncated_gradients_are_those_of_detached_segments(model, activation, k):
    """Truncated BPTT's definition: segments [s, s+k) each start from a state held constant."""
    lstm_model = model == "lstm"
    p, x, h0, c0, R = setup(LSTM_SHAPES if lstm_model else RNN_SHAPES, seed=1)
    if lstm_model:
        full = ref_lstm.forward(p, x, h0, c0)
        states = {s: (full.h[s - 1], full.c[s - 1]) if s else (h0, c0) for s in range(0, T, k)}
        fwd = lambda xs, h, c: ref_lstm.forward(p, xs, h, c)                          # noqa: E731
        g = ref_lstm.backward(full, R, truncate=k)
    else:
        full = ref_rnn.forward(p, x, h0, activation=activation)
        states = {s: (full.h[s - 1] if s else h0,) for s in range(0, T, k)}
        fwd = lambda xs, h: ref_rnn.forward(p, xs, h, activation=activation)        # noqa: E731
        g = ref_rnn.backward(full, R, truncate=k)

    def loss():
        return truncated_loss(fwd, x, R, k, states)

    for key in p:
        assert rel_error(g.params[key], numerical_grad(loss, p[key])) < 1e-6, key
    assert rel_error(g.dx, numerical_grad(loss, x)) < 1e-6
    assert rel_error(g.dh0, numerical_grad(loss, h0)) < 1e-6
    if lstm_model:
        assert rel_error(g.dc0, numerical_grad(loss, c0)) < 1e-6


# ---- truncation by hand ------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rnn_truncate_1_keeps_only_each_steps_own_terms(activation):
    p, x, h0, _, R = setup(RNN_SHAPES, seed=2)
    tr = ref_rnn.forward(p, x, h0, activation=activation)
    g = ref_rnn.backward(tr, R, truncate=1)
    dh = R @ p["W_hq"].T                                  # dL/dh_t = dy_t W_hq^T, nothing from t+1
    da = dh * ref_rnn.ACT_GRAD[activation](tr.h)
    h_prev = np.concatenate([h0[None], tr.h[:-1]])
    np.testing.assert_allclose(g.dh, dh, rtol=1e-13)
    np.testing.assert_allclose(g.params["W_hh"], np.einsum("tbi,tbj->ij", h_prev, da), rtol=1e-12)
    np.testing.assert_allclose(g.dh0, da[0] @ p["W_hh"].T, rtol=1e-13)


def test_lstm_truncate_1_keeps_only_each_steps_own_terms():
    p, x, h0, c0, R = setup(LSTM_SHAPES, seed=2)
    tr = ref_lstm.forward(p, x, h0, c0)
    g = ref_lstm.backward(tr, R, truncate=1)
    dh = R @ p["W_hq"].T
    np.testing.assert_allclose(g.dh, dh, rtol=1e-13)
    np.testing.assert_allclose(g.dc, dh * tr.o * (1 - np.tanh(tr.c) ** 2), rtol=1e-13)
    np.testing.assert_allclose(g.dc0, g.dc[0] * tr.f[0], rtol=1e-13)


@pytest.mark.parametrize("model", ["rnn", "lstm"])
def test_truncation_stops_the_gradient_at_the_cut(model):
    p, x, h0, c0, R = setup(LSTM_SHAPES if model == "lstm" else RNN_SHAPES, seed=3)
    R[:-1] = 0.0                                          # loss on the last step only
    ref = ref_lstm if model == "lstm" else ref_rnn
    tr = ref.forward(p, x, h0, c0) if model == "lstm" else ref.forward(p, x, h0)
    g = ref.backward(tr, R, truncate=3)
    # T = 7, k = 3: the last segment is [6, 7); nothing reaches steps 0..5 or the initial state.
    carried = [g.dh, g.dc] if model == "lstm" else [g.dh]
    assert all(np.all(d[:6] == 0.0) and np.any(d[6] != 0.0) for d in carried)
    assert np.all(g.dh0 == 0.0) and np.any(g.params["W_hh" if model == "rnn" else "W_hf"] != 0.0)


@pytest.mark.parametrize("model", ["rnn", "lstm"])
def test_a_window_as_long_as_the_sequence_cuts_nothing(model):
    p, x, h0, c0, R = setup(LSTM_SHAPES if model == "lstm" else RNN_SHAPES, seed=4)
    ref = ref_lstm if model == "lstm" else ref_rnn
    tr = ref.forward(p, x, h0, c0) if model == "lstm" else ref.forward(p, x, h0)
    full = ref.backward(tr, R)
    for k in (T, T + 3):
        g = ref.backward(tr, R, truncate=k)
        assert all(np.array_equal(g.params[key], full.params[key]) for key in p)
        assert all(np.array_equal(getattr(g, f), getattr(full, f)) for f in ("dh", "dx", "dh0"))


# ---- the fast path (core.networks.rnn, core.networks.lstm) equals the reference ----------------------------------------

def assert_same(fast, ref):
    """Every field the fast path records, array by array, to ~1e-12 of the array's scale."""
    for field in dataclasses.fields(fast):
        a, b = getattr(fast, field.name), getattr(ref, field.name)
        if field.name == "params":
            assert len(a) == len(b)
            for key in b:
                assert_close(a[key], b[key], key)
        elif isinstance(a, np.ndarray):
            assert_close(a, b, field.name)
        else:
            assert a == b, (field.name, a, b)


def assert_close(fast, ref, name, near_overflow=False):
    """NaN and inf must sit at the same places; the finite entries agree to ~1e-12 of their scale.

    near_overflow: the values reach the largest double (~1.8e308), where two summation orders may
    differ on whether a sum overflows. An entry non-finite on one side must then be non-finite or
    beyond 1e300 on the other; every other entry still agrees to ~1e-12.
    """
    if near_overflow:
        edge = ~np.isfinite(fast) | ~np.isfinite(ref)
        other = np.where(np.isfinite(fast), fast, ref)
        assert np.all(~np.isfinite(other[edge]) | (np.abs(other[edge]) > 1e300)), name
        fast, ref = fast[~edge], ref[~edge]
    scale = np.max(np.abs(fast[np.isfinite(fast)]), initial=0.0)
    np.testing.assert_allclose(ref, fast, rtol=1e-12, atol=1e-12 * scale, err_msg=name)


TRUNCATIONS = [None, 1, 3, 10, 20]          # T = 10 below: none, every step, a middle value, >= T


@pytest.fixture(params=["one chunk", "several chunks"])
def fast_path_mode(request, monkeypatch):
    """The fast path's two ways of running: all steps in one chunk, and several chunks."""
    if request.param != "one chunk":
        monkeypatch.setattr(chunks, "CHUNK_BYTES", B * H * 8 * 3)    # RNN: 3 steps a chunk; LSTM: 1
    return request.param


@pytest.mark.parametrize("given_h0", [True, False])
@pytest.mark.parametrize("k", TRUNCATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_fast_rnn_equals_the_reference(activation, k, given_h0, fast_path_mode):
    p, x, h0, _, R = setup(RNN_SHAPES, seed=5, T=10)
    h0 = h0 if given_h0 else None
    fast = rnn.forward(p, x, h0, activation=activation)
    ref = ref_rnn.forward(p, x, h0, activation=activation)
    assert_same(fast, ref)
    assert_same(rnn.backward(p, fast, R, truncate=k), ref_rnn.backward(ref, R, truncate=k))


@pytest.mark.parametrize("given_state", [True, False])
@pytest.mark.parametrize("k", TRUNCATIONS)
def test_fast_lstm_equals_the_reference(k, given_state, fast_path_mode):
    p, x, h0, c0, R = setup(LSTM_SHAPES, seed=6, T=10)
    h0, c0 = (h0, c0) if given_state else (None, None)
    fast = lstm.forward(p, x, h0, c0)
    ref = ref_lstm.forward(p, x, h0, c0)
    assert_same(fast, ref)
    assert_same(lstm.backward(p, fast, R, truncate=k),
                ref_lstm.backward(ref, R, truncate=k))


def assert_same_until_overflow(fast, ref):
    """Where the values overflow both record the same step; before it (forward) or after it
    (backward) every array agrees."""
    s = fast.nonfinite_step
    assert s is not None and ref.nonfinite_step == s
    backward = hasattr(fast, "dh")
    for field in dataclasses.fields(fast):
        a, b = getattr(fast, field.name), getattr(ref, field.name)
        if isinstance(a, np.ndarray) and a.ndim == 3:
            part = slice(s + 1, None) if backward else slice(0, s)
            assert_close(a[part], b[part], field.name, near_overflow=True)


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_rnn_overflow_is_recorded_at_the_same_step_without_warnings(recwarn, activation):
    p = rnn.init_params(3, 64, 2, seed=0, spectral_radius=3.0)
    x = np.random.default_rng(0).standard_normal((1000, 32, 3))
    fast, ref = rnn.forward(p, x, activation=activation), ref_rnn.forward(p, x, activation=activation)
    assert_same_until_overflow(fast, ref)
    dy = np.ones_like(fast.y)
    assert_same_until_overflow(rnn.backward(p, fast, dy), ref_rnn.backward(ref, dy))
    assert len(recwarn) == 0, [str(w.message) for w in recwarn]


@pytest.mark.parametrize("case", ["huge weights", "huge loss early on"])
def test_lstm_overflow_is_recorded_at_the_same_step_without_warnings(recwarn, fast_path_mode, case):
    p, _, _, _, _ = setup(LSTM_SHAPES, seed=7)
    x = np.ones((400, B, D))
    dy = np.ones((400, B, O))
    if case == "huge weights":                        # the gates saturate; dL/dh overflows at once
        p = {k: v * 1e200 for k, v in p.items()}
        dy[:] = 1e300
    else:                                             # a loss whose dL/dy_t overflowed for t < 200
        dy[:200] = np.inf
    fast, ref = lstm.forward(p, x), ref_lstm.forward(p, x)
    assert_same(fast, ref)                            # all finite forward
    assert_same_until_overflow(lstm.backward(p, fast, dy), ref_lstm.backward(ref, dy))
    assert len(recwarn) == 0, [str(w.message) for w in recwarn]


@pytest.mark.parametrize("call, match", [
    (lambda p: ref_rnn.forward(p, np.zeros((5, B, D)), activation="softplus"),
     r"activation must be one of .*'softplus'"),
    (lambda p: ref_rnn.backward(ref_rnn.forward(p, np.zeros((5, B, D))), np.zeros((4, B, O))),
     r"dy must have the shape of y"),
    (lambda p: ref_rnn.backward(ref_rnn.forward(p, np.zeros((5, B, D))), np.zeros((5, B, O)),
                                truncate=0), r"truncate must be None or a whole number >= 1; got 0"),
    (lambda p: ref_rnn.forward(p, np.zeros((5, B, D + 1))), r"input size D = 4"),
])
def test_bad_input_raises_a_message_naming_it(call, match):
    with pytest.raises(ValueError, match=match):
        call(setup(RNN_SHAPES)[0])
