"""Gradient clipping and optimizers over a dict of parameter arrays.

Clipping is applied to the gradients after ``backward`` and before the update, never inside it, so
that the gradients themselves stay checkable against finite differences.
"""
import numpy as np

from core.numerics.validate import check_positive, norm

CLIPS = ("none", "norm", "value")


def global_norm(grads):
    """sqrt(sum of squares over every array): the norm that norm clipping measures. Finite whenever
    every entry is (core.numerics.validate.norm: each array's norm, then the norm of those), so a
    gradient of 1e200 is clipped, not taken for an overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
    if np.isinf(total):     # a square overflowed: measure again, scaled (the fast sum above is the rule)
        total = float(norm(np.array([float(norm(g.ravel(), axis=0)) for g in grads.values()]), axis=0))
    return total


def all_finite(grads):
    """True when every entry of every array is a finite number: the rule that stops training."""
    return all(np.isfinite(g).all() for g in grads.values())


def clip_grad_norm(grads, max_norm):
    """Return ``(clipped, total_norm)``.

    If the global norm exceeds ``max_norm``, every array is scaled by ``max_norm / (norm + 1e-6)``, as
    ``torch.nn.utils.clip_grad_norm_`` does: the direction of the update is kept, its length capped.
    The caller's arrays are not modified.
    """
    max_norm = check_positive("max_norm", max_norm)
    total = global_norm(grads)
    scale = max_norm / (total + 1e-6)
    if norm_clip_fires(total, max_norm):
        with np.errstate(under="ignore"):
            return {name: g * scale for name, g in grads.items()}, total
    return {name: g.copy() for name, g in grads.items()}, total


def norm_clip_fires(total_norm, max_norm):
    """Whether norm clipping changes a gradient of global norm ``total_norm``: max_norm / (norm + 1e-6) < 1."""
    return max_norm / (total_norm + 1e-6) < 1.0


def clip_grad_value(grads, clip_value):
    """Clip every entry to [-clip_value, clip_value]: each entry on its own, so the direction can change."""
    v = check_positive("clip_value", clip_value)
    return {name: np.clip(g, -v, v) for name, g in grads.items()}


def clip(grads, how, threshold):
    """Clip ``grads`` as a setting asks, ``how`` "none", "norm" or "value": returns ``(gradients to
    apply, their global norm before clipping, fired)``, ``fired`` saying whether clipping changed them.

    The one rule of "clipping fired" for training and the gradient pages. A gradient whose norm is
    already inf or NaN is returned as it is: there is no direction left to keep.
    """
    if how not in CLIPS:
        raise ValueError(f"clip must be one of {CLIPS}; got {how!r}")
    total = global_norm(grads)
    if how == "none" or not np.isfinite(total):
        return grads, total, False
    if how == "norm":
        return clip_grad_norm(grads, threshold)[0], total, norm_clip_fires(total, threshold)
    biggest = max(float(np.max(np.abs(g))) for g in grads.values())
    return clip_grad_value(grads, threshold), total, biggest > threshold


class SGD:
    """v <- momentum * v + grad;  param <- param - lr * v   (PyTorch's convention)."""

    def __init__(self, params, lr=0.01, momentum=0.0):
        self.lr = check_positive("lr", lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
        self.momentum = momentum
        self.velocity = {name: np.zeros_like(p) for name, p in params.items()}

    def step(self, params, grads):
        # Huge gradients may overflow to inf here: the caller checks the weights (core.training.train does).
        with np.errstate(over="ignore", invalid="ignore"):
            self._step(params, grads)

    def _step(self, params, grads):
        for name, p in params.items():
            v = self.velocity[name]
            v *= self.momentum
            v += grads[name]
            p -= self.lr * v


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction; updates the params dict in place."""

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        self.lr = check_positive("lr", lr)
        self.b1, self.b2 = betas
        self.eps = eps
        self.t = 0
        self.m = {name: np.zeros_like(p) for name, p in params.items()}
        self.v = {name: np.zeros_like(p) for name, p in params.items()}

    def step(self, params, grads):
        # g * g overflows for |g| > 1e154: the caller checks the weights (core.training.train does).
        with np.errstate(over="ignore", invalid="ignore"):
            self._step(params, grads)

    def _step(self, params, grads):
        self.t += 1
        c1 = 1.0 - self.b1 ** self.t
        c2 = 1.0 - self.b2 ** self.t
        for name, p in params.items():
            g = grads[name]
            m, v = self.m[name], self.v[name]
            m *= self.b1
            m += (1.0 - self.b1) * g
            v *= self.b2
            v += (1.0 - self.b2) * (g * g)
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
