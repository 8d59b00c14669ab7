"""Recurrent weight matrices a teacher can dial: by scale, by exact spectral radius, or orthogonal."""
import numpy as np

from core.numerics.blas import single_thread
from core.numerics.validate import whole


def recurrent_matrix(rng, H, *, weight_scale=1.0, spectral_radius=None, orthogonal=False):
    """An (H, H) recurrent matrix.

    Gaussian N(0, weight_scale^2 / H), whose spectral radius is close to ``weight_scale`` for large H
    (the circular law), or ``weight_scale`` times a random orthogonal matrix (all singular values equal).
    With ``spectral_radius=r`` the matrix is rescaled so that max |eigenvalue| is exactly r.
    """
    if not np.isfinite(weight_scale) or weight_scale < 0:
        raise ValueError(f"weight_scale must be a finite number >= 0; got {weight_scale!r}")
    if orthogonal:
        with single_thread():
            q, r = np.linalg.qr(rng.standard_normal((H, H)))
        W = q * np.sign(np.diag(r)) * weight_scale   # sign fix: uniform (Haar) distribution
    else:
        W = rng.standard_normal((H, H)) * weight_scale / np.sqrt(H)
    if spectral_radius is not None:
        if not np.isfinite(spectral_radius) or spectral_radius < 0:
            raise ValueError(f"spectral_radius must be a finite number >= 0; got {spectral_radius!r}")
        rho = spectral_radius_of(W)
        if rho == 0:
            raise ValueError("spectral_radius cannot be set when weight_scale is 0")
        W = W * (spectral_radius / rho)
    return W


def spectral_radius_of(W):
    """max |eigenvalue| of a square matrix."""
    with single_thread():
        return float(np.max(np.abs(np.linalg.eigvals(W))))


def check_sizes(*sizes):
    """(input_size, hidden_size, output_size) as ints, or a ValueError naming the bad one."""
    return tuple(whole(name, size, 1) for name, size in zip(("input_size", "hidden_size", "output_size"), sizes))
