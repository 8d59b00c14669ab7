"""The same networks in PyTorch (float64), as micrograd's tests do. Optional: needs torch installed
(`pip install torch==2.13.0`); .ci/run installs it where it can."""
import numpy as np
import pytest

from core.networks import lstm, rnn
from core.training.optim import clip_grad_norm

torch = pytest.importorskip("torch", reason="PyTorch cross-check: `pip install torch==2.13.0`")

T, B, D, H, O = 9, 3, 2, 5, 2


def t(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def run_truncated(cell, x, state, k):
    """PyTorch's usual truncated BPTT: detach the state entering steps k, 2k, ..."""
    hs = []
    for s in range(T):
        if k and s and s % k == 0:
            state = tuple(v.detach() for v in state) if isinstance(state, tuple) else state.detach()
        state = cell(x[s], state)
        hs.append(state[0] if isinstance(state, tuple) else state)
    return torch.stack(hs)


@pytest.mark.parametrize("k", [None, 4])
def test_rnn_matches_torch(k):
    rng = np.random.default_rng(0)
    p = rnn.init_params(D, H, O, seed=1)
    p["b_h"] = rng.standard_normal(H)
    x, h0, R = rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((T, B, O))
    ours = rnn.backward(p, tr := rnn.forward(p, x, h0), R, truncate=k)

    W_xh, W_hh, b_h, W_hq, b_q, xt, h0t = (t(a) for a in (p["W_xh"], p["W_hh"], p["b_h"], p["W_hq"],
                                                          p["b_q"], x, h0))
    cell = lambda x_s, h: torch.tanh(x_s @ W_xh + h @ W_hh + b_h)   # noqa: E731
    h = run_truncated(cell, xt, h0t, k)
    y = h @ W_hq + b_q
    (y * torch.tensor(R)).sum().backward()
    np.testing.assert_allclose(tr.y, y.detach().numpy(), rtol=1e-12, atol=1e-13)
    for name, ref in dict(W_xh=W_xh, W_hh=W_hh, b_h=b_h, W_hq=W_hq, b_q=b_q).items():
        np.testing.assert_allclose(ours.params[name], ref.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.dh0, h0t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_rnn_matches_torch_nn_rnn():
    rng = np.random.default_rng(1)
    p = rnn.init_params(D, H, O, seed=2)
    x = rng.standard_normal((T, B, D))
    net = torch.nn.RNN(D, H, nonlinearity="tanh").double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(p["W_xh"].T))
        net.weight_hh_l0.copy_(torch.tensor(p["W_hh"].T))
        net.bias_ih_l0.zero_()
        net.bias_hh_l0.zero_()
    out, _ = net(torch.tensor(x))
    np.testing.assert_allclose(rnn.forward(p, x).h, out.detach().numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("k", [None, 3])
def test_lstm_matches_torch_nn_lstm(k):
    rng = np.random.default_rng(2)
    p = lstm.init_params(D, H, O, seed=3, forget_bias=1.0)
    for key in p:
        p[key] = p[key] + 0.2 * rng.standard_normal(p[key].shape)
    x, R = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, O))
    h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    ours = lstm.backward(p, tr := lstm.forward(p, x, h0, c0), R, truncate=k)

    cell = torch.nn.LSTMCell(D, H).double()
    order = ("i", "f", "g", "o")                 # PyTorch stacks the gates as i, f, g, o
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(np.concatenate([p[f"W_x{q}"].T for q in order])))
        cell.weight_hh.copy_(torch.tensor(np.concatenate([p[f"W_h{q}"].T for q in order])))
        cell.bias_ih.copy_(torch.tensor(np.concatenate([p[f"b_{q}"] for q in order])))
        cell.bias_hh.zero_()
    W_hq, b_q, xt, h0t, c0t = t(p["W_hq"]), t(p["b_q"]), t(x), t(h0), t(c0)
    h = run_truncated(cell, xt, (h0t, c0t), k)
    y = h @ W_hq + b_q
    (y * torch.tensor(R)).sum().backward()
    np.testing.assert_allclose(tr.y, y.detach().numpy(), rtol=1e-12, atol=1e-13)
    for n, q in enumerate(order):
        rows = slice(n * H, (n + 1) * H)
        np.testing.assert_allclose(ours.params[f"W_x{q}"], cell.weight_ih.grad[rows].numpy().T, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.params[f"W_h{q}"], cell.weight_hh.grad[rows].numpy().T, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.params[f"b_{q}"], cell.bias_ih.grad[rows].numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.params["W_hq"], W_hq.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.dh0, h0t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.dc0, c0t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_clip_grad_norm_matches_torch():
    rng = np.random.default_rng(3)
    grads = {"a": rng.standard_normal((4, 3)) * 5, "b": rng.standard_normal(7) * 5}
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads.values()]
    for tt, g in zip(tensors, grads.values()):
        tt.grad = torch.tensor(g)
    norm = torch.nn.utils.clip_grad_norm_(tensors, 1.0)
    ours, our_norm = clip_grad_norm(grads, 1.0)
    assert our_norm == pytest.approx(float(norm), rel=1e-12)
    for tt, g in zip(tensors, ours.values()):
        np.testing.assert_allclose(g, tt.grad.numpy(), rtol=1e-12)
