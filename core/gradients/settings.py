"""The settings of the gradient pages, one frozen dataclass per page, declared once.

Each field carries its default, the label a person sees beside its widget and what it allows
(``range`` for numbers, ``options`` for choices), in ``dataclasses.field(metadata=...)``. The page's
widgets, its URL schema, its tests and ``validate``'s messages all read them from here, so a default
or a label is written in one place. The defaults are chosen so that each page opens on its
phenomenon: the BPTT page's gradient fades and its bound says it must (W_hh is ρ times an orthogonal
matrix, so σ_max = ρ = 0.9); the LSTM pages open their forget gates (b_f = 4, σ(4) = 0.98).
"""
from dataclasses import dataclass, field, fields

import numpy as np

from core.data import tasks
from core.numerics.validate import whole

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear")
TASK_LABELS = {"sine": "sum of sines", "lorenz": "Lorenz X, Y, Z (the seed text's example)",
               "adding": "adding problem"}
ACT_LABELS = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "ReLU", "linear": "linear (none)"}
# Truncation here zeroes the gradient at the cuts inside one full backward pass, so it saves no time
# (an implementation that ran short segments would). Said once, for every truncation slider.
TRUNCATE_HELP = ("No gradient crosses steps k, 2k, …: each loss's gradient is cut after at most k steps, "
                 "so longer dependencies go unseen. Same cost here: the backward pass still runs over "
                 "every step.")
W_HH_LABELS = {"orthogonal": "ρ × orthogonal: σ_max = ρ", "gaussian": "Gaussian scaled to ρ: σ_max > ρ"}


def setting(default, label, range=None, options=None, *, step=1, labels=None, help=None):
    """A dataclass field that knows its label and what it allows: ``range (lo, hi)`` for a number
    (``hi`` None: no upper end; a third item "open": ``lo`` itself is not allowed), ``options`` for a choice."""
    meta = {"label": label, "range": range, "options": options, "step": step, "labels": labels,
            "help": help}
    return field(default=default, metadata=meta)


def validate(obj):
    """Check every field of a settings dataclass against its metadata; a ValueError names the field
    by its label, as the person sees it beside the widget. Numbers are stored as plain Python ones."""
    for f in fields(obj):
        m, value = f.metadata, getattr(obj, f.name)
        if isinstance(value, (np.integer, np.floating)):
            value = value.item()
        label = m.get("label", f.name)
        if m.get("options") is not None:
            if value not in m["options"]:
                raise ValueError(f"{label} must be one of {', '.join(m['options'])}; got {value!r}")
            continue
        lo, hi, *open_low = m.get("range") or (None, None)
        if isinstance(f.default, int) and not isinstance(f.default, bool):      # a whole-number field
            object.__setattr__(obj, f.name, whole(label, value, lo, hi))
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f"{label} must be a finite number; got {value!r}")
        value = float(value)
        below = lo is not None and (value <= lo if open_low else value < lo)
        if below or (hi is not None and value > hi):
            span = (f"above {lo:g}" if open_low else f"at least {lo:g}") + \
                (f" and at most {hi:g}" if hi is not None else "")
            raise ValueError(f"{label} must be {span}; got {value!r}")
        object.__setattr__(obj, f.name, value)


def defaults(cls):
    """``{field name: default}`` of a settings dataclass."""
    return {f.name: f.default for f in fields(cls)}


# --- the controls every page shares (each page's dataclass lists the ones it has) ----------------
def _task():
    return setting("sine", "Input sequences", options=tuple(TASK_LABELS), labels=TASK_LABELS,
                   help="What the network reads. It is untrained here: the picture is about the gradient.")


def _seq_len(default=100):
    return setting(default, "Sequence length T", (2, 1000),
                   help="How many steps the gradient must travel back.")


def _activation():
    return setting("tanh", "Activation φ", options=ACTIVATIONS, labels=ACT_LABELS)


def _rho(default=0.9):
    return setting(default, "Spectral radius ρ(W_hh)", (0.05, 2.0), step=0.05,
                   help="The largest |eigenvalue| of the recurrent matrix, set exactly.")


def _w_hh():
    return setting("orthogonal", "Recurrent matrix W_hh", options=tuple(W_HH_LABELS), labels=W_HH_LABELS,
                   help="ρ times an orthogonal matrix has every singular value equal to ρ, so the "
                        "theory's bound is tight; a Gaussian matrix's σ_max exceeds its ρ.")


def _hidden(hi=128, default=32):
    return setting(default, "Hidden units H", (2, hi))


def _batch(hi=32, default=8):
    return setting(default, "Sequences in the batch B", (1, hi))


def _loss_at(default="last"):
    return setting(default, "Where the loss sits", options=("last", "every"),
                   labels={"last": "last step only", "every": "every step"},
                   help="A loss at the last step only shows the reach of one loss; at every step "
                        "the gradients of all losses add up.")


def _truncate(hi=200):
    return setting(0, "Truncate BPTT every k steps (0 = never)", (0, hi), help=TRUNCATE_HELP)


def _seed():
    return setting(0, "Random seed", (0, 99), help="Same seed, same numbers: part of the link.")


def _forget_bias(default=4.0):
    return setting(default, "Forget-gate bias b_f", (-5.0, 5.0), step=0.25,
                   help="Practitioners set it to 1 or more: forget gates start near 1 (open).")


def _scale(default):
    return setting(default, "Colour scale", options=("own", "shared"),
                   labels={"own": "this view's own range", "shared": "shared range"},
                   help="Each view's own range shows its detail; a shared range makes equal colours "
                        "mean equal sizes across views.")


@dataclass(frozen=True)
class ForwardSettings:
    task: str = _task()
    seq_len: int = _seq_len()
    activation: str = _activation()
    spectral_radius: float = _rho()
    hidden_size: int = _hidden()
    seed: int = _seed()

    def __post_init__(self):
        validate(self)


@dataclass(frozen=True)
class BPTTSettings:
    task: str = _task()
    seq_len: int = _seq_len()
    activation: str = _activation()
    spectral_radius: float = _rho()
    w_hh: str = _w_hh()
    hidden_size: int = _hidden()
    batch_size: int = _batch()
    loss_at: str = _loss_at()
    clip: str = setting("none", "Gradient clipping", options=("none", "norm", "value"),
                        labels={"none": "none", "norm": "by global norm", "value": "by value (each entry)"})
    clip_threshold: float = setting(1.0, "Clipping threshold c", (0.01, 10.0), step=0.01)
    truncate: int = _truncate()
    scale: str = _scale("own")
    seed: int = _seed()

    def __post_init__(self):
        validate(self)


@dataclass(frozen=True)
class GatesSettings:
    task: str = _task()
    seq_len: int = _seq_len()
    forget_bias: float = _forget_bias()
    weight_scale: float = setting(1.0, "Weight scale", (0.1, 3.0), step=0.05,
                                  help="Scales every weight matrix of the LSTM.")
    hidden_size: int = _hidden(64, 16)
    batch_size: int = _batch(16, 4)
    loss_at: str = _loss_at()
    truncate: int = _truncate()
    seed: int = _seed()

    def __post_init__(self):
        validate(self)


@dataclass(frozen=True)
class CompareSettings:
    task: str = _task()
    seq_len: int = _seq_len()
    spectral_radius: float = _rho()
    activation: str = _activation()
    forget_bias: float = _forget_bias()
    hidden_size: int = _hidden(64, 16)
    batch_size: int = _batch(16, 4)
    loss_at: str = _loss_at()
    scale: str = _scale("shared")
    seed: int = _seed()

    def __post_init__(self):
        validate(self)


PAGES = {"forward": ForwardSettings, "bptt": BPTTSettings, "lstm_gates": GatesSettings,
         "compare": CompareSettings}


def check_task_length(task, seq_len):
    """A task that cannot make sequences of this length, said with the slider's label."""
    try:
        tasks.check_seq_len(task, seq_len)
    except ValueError as err:
        raise ValueError(f"Sequence length T: {err}") from None
