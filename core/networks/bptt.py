"""What the RNN and LSTM backward passes share: where truncation cuts, and the weight-gradient sums.

Every step's pre-activation gradient ``dz_t (B, n)`` (n = H for the RNN, 4H for the LSTM) feeds sums
that need no ordering, so they are taken as a few large products over chunks of steps:

    [dW_x; db] = sum_t [x_t 1]^T dz_t     dW_h = sum_t h_{t-1}^T dz_t     dx_t = dz_t W_x^T
    dW_hq = sum_t h_t^T dy_t              db_q = sum_t dy_t
"""
import numpy as np

from core.networks.chunks import flat


def linked(t, T, truncate):
    """Does the gradient flow from step t+1 back into the state at step t?

    No at the last step, and no where truncated BPTT detaches the state entering step t+1.
    """
    return t + 1 < T and not (truncate and (t + 1) % truncate == 0)


class WeightGrads:
    """Accumulates the sums above one chunk of steps at a time.

    ``x1 (T, B, D + 1)`` is the input with a column of ones, so that ``dW_x`` holds [dW_x; db]
    ``(D + 1, n)``: the bias gradient comes out of the same product.
    """

    def __init__(self, x1, h0, h, dy, W_x, width):
        T, B, D1 = x1.shape
        H, O = h.shape[2], dy.shape[2]
        self.x1, self.h0, self.h, self.dy, self.W_x = x1, h0, h, dy, W_x
        self.dW_h = np.zeros((H, width))
        self.dW_x = np.zeros((D1, width))
        self.dx = np.empty((T, B, D1 - 1))
        self.dW_hq = np.zeros((H, O))
        self.db_q = np.zeros(O)

    def add(self, dz, t0, t1):
        """Add steps t0..t1-1, whose dz_t is ``dz[t - t0]`` (chunk, B, width)."""
        n = t1 - t0
        dz2 = dz[:n].reshape(-1, dz.shape[2])
        self.dW_x += flat(self.x1, t0, t1).T @ dz2
        np.matmul(dz2, self.W_x.T, out=flat(self.dx, t0, t1))
        dy2 = flat(self.dy, t0, t1)
        self.dW_hq += flat(self.h, t0, t1).T @ dy2
        self.db_q += dy2.sum(axis=0)
        if t0 == 0:                                   # h_{-1} is h0
            self.dW_h += self.h0.T @ dz[0]
            t0, dz2 = 1, dz[1:n].reshape(-1, dz.shape[2])
        if t1 > t0:
            self.dW_h += flat(self.h, t0 - 1, t1 - 1).T @ dz2
