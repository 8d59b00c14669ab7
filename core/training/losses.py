"""Losses over a sequence of outputs, each returning ``(loss, dy)`` with ``dy = dL/dy``.

A ``mask (T, B)`` says which steps carry a loss: all of them for sequence-to-sequence prediction,
only the last for the sequence-to-scalar case. The loss is the mean over the masked steps; a mask
between 0 and 1 weighs each step's loss (linearly) in that mean.
"""
import numpy as np


def _mask(mask, T, B):
    if mask is None:
        return np.ones((T, B))
    m = np.asarray(mask, dtype=np.float64)
    if m.shape != (T, B):
        raise ValueError(f"mask must have shape (T, B) = {(T, B)}; got {m.shape}")
    if m.sum() == 0:
        raise ValueError("mask selects no step: at least one step must carry a loss")
    return m


def last_step_mask(T, B):
    """A mask that puts the loss on the final step only."""
    m = np.zeros((T, B))
    m[-1] = 1.0
    return m


def log_softmax(y, axis=-1):
    """log softmax(y) along ``axis``: log p_k = z_k - log sum_j exp(z_j), with z = y - max(y) so that
    no exp overflows (logits of 1000 are fine)."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        z = y - y.max(axis=axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def softmax(y, axis=-1):
    """p_k = exp(y_k) / sum_j exp(y_j) along ``axis``: the class probabilities of logits ``y``."""
    return np.exp(log_softmax(y, axis))


def mse(y, target, mask=None):
    """L = sum_{t,b} m_tb * mean_o (y - target)^2 / sum m;  y, target (T, B, O).

    Linear in each weight m_tb (the mask weighs a step's squared error, not its error), so
    dL/dy = 2 m (y - target) / (O sum m), and a step of weight 0.5 counts half.
    """
    y = np.asarray(y, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if y.shape != target.shape:
        raise ValueError(f"target must have the shape of y, {y.shape}; got {target.shape}")
    T, B, O = y.shape
    m = _mask(mask, T, B)
    count = m.sum() * O                 # the masked steps times the outputs: L is their mean
    with np.errstate(all="ignore"):
        diff = y - target
        loss = float(np.sum(m[:, :, None] * diff * diff) / count)
        return loss, m[:, :, None] * diff * (2.0 / count)


def softmax_cross_entropy(y, labels, mask=None):
    """L = -sum_{t,b} m_tb log softmax(y_tb)[label_tb] / sum m;  y (T, B, C), labels (T, B) ints."""
    y = np.asarray(y, dtype=np.float64)
    T, B, C = y.shape
    labels = np.asarray(labels)
    if labels.shape != (T, B):
        raise ValueError(f"labels must have shape (T, B) = {(T, B)}; got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= C:
        raise ValueError(f"labels must be whole numbers in [0, {C - 1}]; got values "
                         f"{labels.min()} to {labels.max()}")
    m = _mask(mask, T, B)
    logp = log_softmax(y, axis=2)
    with np.errstate(all="ignore"):
        picked = np.take_along_axis(logp, labels[:, :, None], axis=2)[:, :, 0]
        count = m.sum()
        loss = float(-(picked * m).sum() / count)
        dy = np.exp(logp)
        np.put_along_axis(dy, labels[:, :, None],
                          np.take_along_axis(dy, labels[:, :, None], axis=2) - 1.0, axis=2)
        dy *= (m / count)[:, :, None]
    return loss, dy
