"""The Start page's preset cards: each opens a page already set up, by link."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    title: str
    page: str               # file under pages/
    query: dict             # URL settings of that page
    text: str


PRESETS = (
    Preset("Vanishing", "pages/bptt.py", {"activation": "tanh", "spectral_radius": "0.5", "seq_len": "100"},
           "A tanh RNN with small recurrent weights: the gradient fades geometrically on its way back."),
    Preset("Exploding", "pages/bptt.py",
           {"activation": "linear", "spectral_radius": "1.5", "seq_len": "100"},
           "Spectral radius 1.5 with a linear activation: the gradient grows by ~1.5 per step. "
           "Switch to tanh and watch saturation tame it."),
    Preset("Clipping rescues it", "pages/training.py",
           {"model": "rnn", "task": "sine", "activation": "tanh", "spectral_radius": "1.5",
            "optimizer": "sgd", "lr": "0.5", "seq_len": "50", "hidden_size": "32", "steps": "500",
            "clip": "norm", "clip_threshold": "1", "compare": "clipping"},
           "Train an exploding RNN with and without gradient clipping, side by side."),
    Preset("The LSTM highway", "pages/compare.py", {"forget_bias": "4"},
           "Forget-gate bias 4 opens the forget gates: the cell state carries the gradient far back."),
    Preset("Truncated BPTT", "pages/bptt.py", {"truncate": "20", "loss_at": "last", "seq_len": "100"},
           "Detach the state every 20 steps: no gradient crosses the cuts, whatever the weights."),
)
