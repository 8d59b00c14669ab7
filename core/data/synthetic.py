"""Synthetic tasks: a gentle warm-up wave and three memory problems from the LSTM literature.

Each generator takes ``(T, B, rng)`` and returns ``x (T, B, D)``, ``target`` and ``mask (T, B)``:
the target is ``(T, B, O)`` floats for regression, ``(T, B)`` class labels for classification, and the
mask marks the steps that carry a loss.
"""
import numpy as np

from core.training.losses import last_step_mask

# --- sine: next-step prediction of a sum of waves ---------------------------------------------------
W_MIN, W_MAX = 0.15, 0.6       # angular frequency in rad per step: periods of 10 to 42 steps


def sine(T, B, rng):
    """s(t) = sum_k sin(w_k t + phi_k) / sqrt(K), K in {2, 3} waves per sequence; x_t = s(t),
    target_t = s(t + 1). Dividing by sqrt(K) keeps the variance at 1/2 whatever K."""
    K = rng.integers(2, 4, size=B)                              # (B,)
    w = rng.uniform(W_MIN, W_MAX, size=(3, B))                  # (3, B)
    phi = rng.uniform(0.0, 2.0 * np.pi, size=(3, B))            # (3, B)
    amp = (np.arange(3)[:, None] < K) / np.sqrt(K)              # (3, B): the third wave only if K = 3
    t = np.arange(T + 1)[:, None, None]                         # (T + 1, 1, 1)
    s = (amp * np.sin(w * t + phi)).sum(axis=1)                 # (T + 1, B)
    return s[:-1, :, None], s[1:, :, None], np.ones((T, B))


def sine_persistence():
    """Expected MSE of predicting s(t + 1) = s(t). Per wave, averaged over its random phase,
    (sin(a + w) - sin a)^2 has mean 1 - cos w; the waves' cross terms average to zero, so the loss is
    E[1 - cos w] = 1 - (sin W_MAX - sin W_MIN) / (W_MAX - W_MIN)."""
    return 1.0 - (np.sin(W_MAX) - np.sin(W_MIN)) / (W_MAX - W_MIN)


# --- adding problem (Hochreiter & Schmidhuber 1997) -------------------------------------------------
def adding_ranges(T):
    """First marker in [0, a), the first 10% of the sequence; second in [a, b), up to 50%."""
    a = max(1, T // 10)
    return a, max(a + 1, T // 2)


def adding(T, B, rng):
    """x_t = (v_t, m_t): a value v_t ~ U(0, 1) and a marker m_t in {0, 1} set at exactly two steps.
    The target, at the last step only, is the sum of the two marked values.

    Always predicting 1 scores Var(v + v') = 2/12 = 1/6: the bar a model must clear."""
    a, b = adding_ranges(T)
    cols = np.arange(B)
    t1 = rng.integers(0, a, size=B)                             # (B,)
    t2 = rng.integers(a, b, size=B)                             # (B,)
    v = rng.random((T, B))                                      # (T, B)
    x = np.zeros((T, B, 2))
    x[:, :, 0] = v
    x[t1, cols, 1] = 1.0
    x[t2, cols, 1] = 1.0
    target = np.zeros((T, B, 1))
    target[-1, :, 0] = v[t1, cols] + v[t2, cols]
    return x, target, last_step_mask(T, B)


# --- temporal order (Hochreiter & Schmidhuber 1997, experiment 6a) ----------------------------------
SYMBOLS = ("X", "Y", "a", "b", "c", "d", "B", "E")             # one-hot input channels
CLASSES = ("XX", "XY", "YX", "YY")                             # class = 2 * first + second
BEGIN, END = SYMBOLS.index("B"), SYMBOLS.index("E")


def order_ranges(T):
    """Inclusive ranges [lo1, hi1] ~ [10%, 20%] and [lo2, hi2] ~ [50%, 60%] of T for the two relevant
    symbols (the paper's [10, 20] and [50, 60] at T = 100), kept clear of B at 0 and E at T - 1."""
    lo1 = max(1, T // 10)
    hi1 = max(lo1, T // 5)
    lo2 = max(hi1 + 1, T // 2)
    return lo1, hi1, lo2, max(lo2, 6 * T // 10)


def temporal_order(T, B, rng):
    """B, then distractors a-d with X or Y at two random steps, then E; the class at the last step says
    which two appeared and in what order."""
    lo1, hi1, lo2, hi2 = order_ranges(T)
    cols = np.arange(B)
    sym = rng.integers(2, 6, size=(T, B))                       # (T, B) distractors a-d
    sym[0], sym[-1] = BEGIN, END
    first, second = rng.integers(0, 2, size=(2, B))             # 0 = X, 1 = Y
    sym[rng.integers(lo1, hi1 + 1, size=B), cols] = first
    sym[rng.integers(lo2, hi2 + 1, size=B), cols] = second
    labels = np.zeros((T, B), dtype=np.int64)
    labels[-1] = 2 * first + second
    return np.eye(len(SYMBOLS))[sym], labels, last_step_mask(T, B)


# --- copy the first symbol ------------------------------------------------------------------------
K_COPY = 4                     # symbols to remember; channels K and K + 1 are "blank" and "answer now"


def copy_first(T, B, rng):
    """One of K symbols at step 0, blanks in between, an "answer now" cue at the last step, where the
    class is the first symbol."""
    sym = np.full((T, B), K_COPY)                               # (T, B) blank
    sym[0] = rng.integers(0, K_COPY, size=B)
    sym[-1] = K_COPY + 1
    labels = np.zeros((T, B), dtype=np.int64)
    labels[-1] = sym[0]
    return np.eye(K_COPY + 2)[sym], labels, last_step_mask(T, B)
