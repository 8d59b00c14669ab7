"""Central finite differences in float64, and a reference for truncated BPTT."""
import numpy as np

EPS = 1e-6


def numerical_grad(loss, arr, eps=EPS):
    """d loss() / d arr by central differences, perturbing ``arr`` in place one entry at a time."""
    grad = np.zeros_like(arr)
    for ix in np.ndindex(arr.shape):
        old = arr[ix]
        arr[ix] = old + eps
        up = loss()
        arr[ix] = old - eps
        down = loss()
        arr[ix] = old
        grad[ix] = (up - down) / (2 * eps)
    return grad


def rel_error(a, b):
    """max |a - b| relative to the larger of the two arrays' max |entry|."""
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)
    return float(np.max(np.abs(a - b)) / scale)


def truncated_loss(forward, x, R, k, states):
    """Loss sum(y * R) of truncated BPTT with cut length k, as a function that finite differences
    can differentiate: each segment [s, s+k) starts from ``states`` held fixed (detached), computed
    beforehand with the unperturbed parameters. ``forward(x_seg, *state)`` returns a trace; ``states``
    maps a segment start s to its initial state tuple."""
    T = x.shape[0]
    total = 0.0
    for s in range(0, T, k):
        tr = forward(x[s:s + k], *states[s])
        total += float(np.sum(tr.y * R[s:s + k]))
    return total
