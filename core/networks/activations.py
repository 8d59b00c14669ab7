"""Activations applied in place, and their derivatives written through the output.

In place, because the recurrent loops call them once per time step on small arrays, where a fresh
array per call costs more than the arithmetic.
"""
import numpy as np

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear")


def check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    return activation


def act_(name, a):
    """Apply the activation to ``a`` in place."""
    if name == "tanh":
        tanh_(a, out=a)
    elif name == "sigmoid":
        sigmoid_(a)
    elif name == "relu":
        np.maximum(a, 0.0, out=a)
    # linear: nothing to do


def act_grad(name, h, out):
    """out <- act'(a), written through the output h = act(a) so that no pre-activation is kept;
    returns ``out``."""
    if name == "tanh":                       # 1 - h^2
        np.multiply(h, h, out=out)
        np.subtract(1.0, out, out=out)
    elif name == "sigmoid":                  # h (1 - h)
        np.subtract(1.0, h, out=out)
        out *= h
    elif name == "relu":                     # 1 where h > 0
        np.greater(h, 0.0, out=out)
    else:                                    # linear
        out.fill(1.0)
    return out


def sigmoid_(a):
    """In-place logistic sigmoid 1 / (1 + exp(-a)); exp(-a) = inf for a < -709 gives the right 0."""
    with np.errstate(over="ignore"):
        np.negative(a, out=a)
        np.exp(a, out=a)
    a += 1.0
    np.reciprocal(a, out=a)
    return a


def sigmoid_of_negated_(e):
    """``e`` holds -a on entry and sigmoid(a) = 1 / (1 + exp(-a)) on exit: whoever computes the
    pre-activation with negated weights saves the negation. exp overflows to inf for a < -709, and
    1 / inf = 0 is the right limit."""
    np.exp(e, out=e)
    e += 1.0
    np.reciprocal(e, out=e)
    return e


def tanh_from_sigmoid_(s):
    """tanh(a) = 2 sigmoid(2a) - 1, in place: ``s`` holds sigmoid(2a) on entry. One exp over all four
    gates' pre-activations serves both kinds of gate (not an exp and a tanh); the absolute error is a
    few 1e-16."""
    s *= 2.0
    s -= 1.0
    return s


def tanh_(a, out):
    """out <- tanh(a) = 2 / (1 + exp(-2a)) - 1, through exp; returns ``out``. Right limits at both
    ends: exp(-2a) = inf gives -1, exp(-2a) = 0 gives 1.

    NumPy 2.4's own np.tanh is no slower over a whole pass, and differs from this by ~3e-16. It is not
    used because training is chaotic: with it, the Training lab's LSTM at T = 100 solved seeds 0, 2 at
    steps 2585, 3954 instead of 1809, 2233 (seed 2 past the 3000-step budget), and the lab's measured
    claim (bench/bench_longlag.py) was computed with this arithmetic."""
    np.multiply(a, -2.0, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0
    return out
