"""Time series for next-step prediction: the Lorenz attractor, Seattle's weather, a person's own table.

Every series is standardized per column, z = (value - mean) / std, and cut into random windows of
T + 1 steps: x = window[:-1], target = window[1:]. The baseline of a forecast is persistence,
"tomorrow is like today": its loss is mean_t (z_{t+1} - z_t)^2, measured once on the whole series.
"""
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.numerics.validate import as_array


@dataclass(frozen=True, eq=False)
class Scaler:
    """z = (value - mean) / std, per column, and back: forecasts are shown in the table's own units."""
    mean: np.ndarray     # (D,)
    std: np.ndarray      # (D,)

    def apply(self, values):
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.std

    def invert(self, z):
        return np.asarray(z, dtype=np.float64) * self.std + self.mean


def standardize(data):
    """Return ``(z (N, D), scaler)``. A constant column keeps std 1: centred, not divided by zero."""
    data = as_array("data", data, 2)
    std = data.std(axis=0)
    scaler = Scaler(mean=data.mean(axis=0), std=np.where(std > 0, std, 1.0))
    return scaler.apply(data), scaler


def persistence_mse(z):
    """MSE of predicting z_{t+1} = z_t over the whole series ``z (N, D)``."""
    d = np.diff(z, axis=0)
    return float(np.mean(d * d))


def windows(z, T, B, rng):
    """B random windows of T + 1 consecutive rows of ``z (N, D)``; returns x, target (T, B, D)."""
    start = rng.integers(0, len(z) - T, size=B)            # (B,) a window needs T + 1 rows
    w = z[start[None, :] + np.arange(T + 1)[:, None]]      # (T + 1, B, D)
    return w[:-1], w[1:]


# --- Lorenz-63 -------------------------------------------------------------------------------------
#   dX/dt = sigma (Y - X),   dY/dt = X (rho - Z) - Y,   dZ/dt = X Y - beta Z
SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0
DT = 0.01                  # RK4 step
EVERY = 2                  # one sequence step = 2 RK4 steps = 0.02 time units (a wing turn ~ 40 steps)


def _lorenz_rate(s):
    X, Y, Z = s[..., 0], s[..., 1], s[..., 2]
    return np.stack([SIGMA * (Y - X), X * (RHO - Z) - Y, X * Y - BETA * Z], axis=-1)


def _rk4(s):
    k1 = _lorenz_rate(s)
    k2 = _lorenz_rate(s + 0.5 * DT * k1)
    k3 = _lorenz_rate(s + 0.5 * DT * k2)
    k4 = _lorenz_rate(s + DT * k3)
    return s + (DT / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def lorenz_trajectory(s0, samples):
    """``samples`` states (samples, B, 3) starting at ``s0 (B, 3)``, one every EVERY RK4 steps."""
    out = np.empty((samples,) + s0.shape)
    s = s0
    for i in range(samples):
        out[i] = s
        for _ in range(EVERY):
            s = _rk4(s)
    return out


LORENZ_RUNS, LORENZ_SAMPLES = 32, 2500      # the reference: 32 trajectories of 50 time units each


@lru_cache(maxsize=1)
def lorenz_reference():
    """``(z (LORENZ_SAMPLES, LORENZ_RUNS, 3), scaler)``: trajectories from random starts, recorded
    after a burn-in of 10 time units that lands them on the attractor, normalized once with the
    constants of the whole reference so that every batch shares the same units.

    A batch is a set of windows of the reference: a trajectory from a random point on the attractor,
    computed once instead of at every training step."""
    rng = np.random.default_rng(63)
    s0 = rng.normal(0.0, 10.0, size=(LORENZ_RUNS, 3)) + [0.0, 0.0, 25.0]
    on_attractor = lorenz_trajectory(s0, 500)[-1]
    z, scaler = standardize(lorenz_trajectory(on_attractor, LORENZ_SAMPLES).reshape(-1, 3))
    return z.reshape(LORENZ_SAMPLES, LORENZ_RUNS, 3), scaler


def lorenz(T, B, rng):
    """B windows of T + 1 samples, each from a random trajectory and a random start; x, target (T, B, 3)."""
    z, _ = lorenz_reference()
    run = rng.integers(0, LORENZ_RUNS, size=B)                  # (B,)
    start = rng.integers(0, LORENZ_SAMPLES - T, size=B)         # (B,)
    w = z[start[None, :] + np.arange(T + 1)[:, None], run[None, :]]     # (T + 1, B, 3)
    return w[:-1], w[1:]


@lru_cache(maxsize=1)
def lorenz_baseline():
    d = np.diff(lorenz_reference()[0], axis=0)
    return float(np.mean(d * d))


# --- Seattle, from the vega_datasets package (offline) ---------------------------------------------
WEATHER_COLUMNS = ("temp_max", "temp_min", "precipitation", "wind")


@lru_cache(maxsize=2)
def vega_series(name):
    """``(z (N, D), scaler)`` for "weather" (daily, 4 columns) or "seattle_temps" (hourly temperature)."""
    from core.data.tables import load_vega, select_columns
    if name == "weather":
        data = select_columns(load_vega("seattle-weather"), WEATHER_COLUMNS)
    else:
        data = select_columns(load_vega("seattle-temps"), ["temp"])
    return standardize(data)
