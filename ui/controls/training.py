"""The controls of the Training lab and Your data pages. Keys are TrainConfig's field names (plus
``compare`` and ``source``): the URL schema. At the largest settings an LSTM run takes a few minutes
(a progress bar says how long is left); a run stops once it has solved its task."""
from dataclasses import replace

import streamlit as st

from core.training.config import TrainConfig
from core.networks.rnn import ACTIVATIONS
from core.data.tasks import TASKS
from ui.controls.gradients import TRUNCATE_HELP
from ui.controls.params import Choice, Slider, controls_hidden

# Choices show their option names, which are exactly what TrainConfig, the URL and the presets take
# (a bound widget writes its shown text into the link); the help says what each one means.
TASK_HELP = ("sine: next value of a sum of sines; lorenz: next point of the Lorenz attractor; adding: "
             "the sum of two marked numbers; temporal_order: which of X, Y came early, in what order "
             "(4 classes); copy_first: recall the first symbol; weather: Seattle's next day; "
             "seattle_temps: Seattle's next hour.")
assert all(t in TASK_HELP for t in TASKS), "a task of core.data.tasks is not described here"
# Learning rates a step of ~3 apart: Adam wants 1e-3..1e-2, plain SGD on these tasks 1e-2..0.5.
LRS = ("0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "0.5", "1")

D = TrainConfig()      # the lab's defaults are the dataclass's: one source
model = Choice("model", "Model", ("rnn", "lstm"), D.model, help="rnn: a plain (Elman) RNN; lstm: an LSTM.")
task = Choice("task", "Task", TASKS, D.task, help=TASK_HELP)
seq_len = Slider("seq_len", "Sequence length T", 2, 200, D.seq_len,
                 help="How many steps each training sequence has: how far back BPTT must reach.")
hidden_size = Slider("hidden_size", "Hidden units H", 2, 128, D.hidden_size)
steps = Slider("steps", "Training steps", 50, 5000, D.steps, 50,
               help=f"At most: a run stops once it has solved its task. One step: a fresh batch of "
                    f"{D.batch_size} sequences, BPTT, clipping, one update.")
lr = Choice("lr", "Learning rate η", LRS, f"{D.lr:g}")
optimizer = Choice("optimizer", "Optimizer", ("adam", "sgd"), D.optimizer,
                   help="adam: Adam (per-weight step sizes); sgd: plain gradient descent.")
clip = Choice("clip", "Gradient clipping", ("none", "norm", "value"), D.clip,
              help="norm: rescale the whole gradient when its global norm passes the threshold (the "
                   "direction is kept); value: cut every entry to ±threshold (the direction can turn).")
clip_threshold = Slider("clip_threshold", "Clipping threshold c", 0.1, 10.0, D.clip_threshold, 0.1)
truncate = Slider("truncate", "Truncate BPTT every k steps (0 = never)", 0, 200, D.truncate,
                  help=TRUNCATE_HELP)
activation = Choice("activation", "Activation φ (RNN only)", ACTIVATIONS, D.activation)
spectral_radius = Slider("spectral_radius", "Initial spectral radius ρ(W_hh), RNN only (0 = plain init)",
                         0.0, 2.0, D.spectral_radius, 0.05,
                         help="Sets the largest |eigenvalue| of the recurrent matrix at the start. "
                              "Above 1 with tanh or linear, gradients can explode.")
forget_bias = Slider("forget_bias", "Initial forget-gate bias b_f (LSTM only)", -5.0, 5.0, D.forget_bias,
                     0.25, help="1 opens the forget gates (f ≈ 0.73), 3 opens them wide (f ≈ 0.95): "
                                "the cell state carries the gradient far back.")
seed = Slider("seed", "Random seed", 0, 99, D.seed, help="Same seed, same run: part of the link.")
compare = Choice("compare", "Side by side", ("none", "clipping", "models"), "none",
                 help="none: one run; clipping: the same run with clipping off and on; models: the "
                      "plain RNN and the LSTM with the same settings.")

TRAIN_CONTROLS = (model, task, seq_len, hidden_size, steps, lr, optimizer, clip, clip_threshold,
                  truncate, activation, spectral_radius, forget_bias, seed, compare)

source = Choice("source", "Data", ("upload", "seattle-weather", "seattle-temps"), "seattle-weather",
                help="upload: your own CSV file; seattle-weather: daily weather 2012-2015; "
                     "seattle-temps: hourly temperature, 2010 (both ship with the app).")
DATA_CONTROLS = (source, model, Slider("seq_len", "Window length T (rows)", 2, 100, 24),
                 Slider("hidden_size", "Hidden units H", 2, 64, 16),
                 Slider("steps", "Training steps", 50, 2000, 300, 50), lr, clip, clip_threshold, seed)

PAGE_KEYS = {"compare", "source"}        # page settings that are not TrainConfig fields


def probe_every(n_steps):
    """About 40 probes per run: enough rows for the heatmap, ~2.5% of the training's cost."""
    return max(1, n_steps // 40)


def train_config(values):
    """The TrainConfig of the page's values (a ValueError names a bad combination)."""
    fields = {key: v for key, v in values.items() if key not in PAGE_KEYS}
    fields["lr"] = float(fields["lr"])
    return TrainConfig(probe_every=probe_every(fields["steps"]), **fields)


def clip_words(cfg):
    """Which clipping is applied, in words."""
    c = cfg.clip_threshold
    return {"none": "no clipping: every update uses the raw gradient",
            "norm": f"norm clipping: when the gradient's global norm passes {c:g}, the whole gradient "
                    f"is scaled down to norm {c:g} (its direction is kept)",
            "value": f"value clipping: every gradient entry is cut to ±{c:g} (the direction can "
                     "change)"}[cfg.clip]


def run_label(cfg):
    """A short name for a run: model, and its clipping."""
    rho = f", ρ₀ = {cfg.spectral_radius:g}" if cfg.spectral_radius else ""
    name = f"RNN ({cfg.activation}{rho})" if cfg.model == "rnn" else f"LSTM (b_f = {cfg.forget_bias:g})"
    clipping = {"none": "no clipping", "norm": f"norm clip {cfg.clip_threshold:g}",
                "value": f"value clip ±{cfg.clip_threshold:g}"}[cfg.clip]
    return f"{name}, {clipping}"


def runs_to_compare(cfg, compare):
    """The configs to train side by side: ``compare`` changes one thing only.

    "clipping": the same run without clipping and with it (norm clipping if none was chosen);
    "models": the plain RNN and the LSTM with the same task, size, rate and clipping."""
    if compare == "clipping":
        on = cfg if cfg.clip != "none" else replace(cfg, clip="norm")
        return [replace(cfg, clip="none"), on]
    if compare == "models":
        return [replace(cfg, model="rnn"), replace(cfg, model="lstm")]
    return [cfg]


def labels(specs):
    """Field name -> the control's label, for saying which settings changed."""
    return {s.key: s.label for s in specs}


PRESSED = "train-pressed"


def _press():
    st.session_state[PRESSED] = True


def train_button(label="Train"):
    """The Train button, at the top of the sidebar (under the page list): True when pressed. Below it,
    a place for saying that the controls differ from the run shown.

    The press is kept through a callback, not the button's return value: a run that reruns before
    reaching the button (ui.runtime.router) would lose a button's one-run "pressed"."""
    if controls_hidden():                # a teacher's link: its settings train as they are
        return False, None
    st.sidebar.button(label, type="primary", use_container_width=True, key="train-button",
                      on_click=_press,
                      help="Train with the settings below. Until you press it, moving a setting "
                           "trains nothing.")
    return st.session_state.pop(PRESSED, False), st.sidebar.empty()


CHANGED = "Changed since the run shown: press Train to run these settings."


def say_differs(place, words):
    """``words`` (ui.readings.training.differs_words) above the runs, and a short note under the
    Train button (``place``), which may have scrolled out of sight while a slider moved."""
    if not words or place is None:
        return
    place.warning(CHANGED, icon=":material/edit:")
    st.warning(words, icon=":material/edit:")
