"""The guided lesson: nine steps, in order, each a live view with its settings, one sentence of what to
notice (computed: ui.readings.lesson) and one question for the class. Data only: pages/lesson.py draws
them, and ``?step=k`` (1 to 9) opens step k.

``setup`` is a step's GradientSetup (as keyword arguments, core.gradients.experiment), ``views`` the
pictures it shows: "unrolled" (ui.figures.unrolled), "stepthrough" (ui.figures.stepthrough),
"heatmap" and "profile" (ui.figures.gradients), "states" (the forward pass's ‖h_t‖), "compare" (the
RNN's and the LSTM's reach side by side; ``other`` is the RNN's setup). ``page`` and ``query`` open the
full page at the same settings.
"""
from dataclasses import dataclass, field

RNN_H = r"h_t=\tanh(x_t W_{xh}+h_{t-1}W_{hh}+b_h),\qquad y_t=h_t W_{hq}+b_q"
RNN_BACK = (r"\frac{\partial L}{\partial h_t}=\frac{\partial L}{\partial y_t}W_{hq}^{\top}+"
            r"\Big(\frac{\partial L}{\partial h_{t+1}}\odot\phi'(a_{t+1})\Big)W_{hh}^{\top}")
LSTM_C = (r"c_t=f_t\odot c_{t-1}+i_t\odot g_t,\qquad h_t=o_t\odot\tanh(c_t),\qquad"
          r"\frac{\partial L}{\partial c_{t-1}}\Big|_{\text{cell path}}=\frac{\partial L}{\partial c_t}\odot f_t")


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    intro: str
    equation: str
    setup: dict
    views: tuple
    question: str
    page: str
    query: dict = field(default_factory=dict)
    other: dict | None = None


_RNN = dict(model="rnn", task="adding", activation="tanh", hidden_size=16, batch_size=8)

STEPS = (
    Step("unrolled", "The unrolled RNN",
         "A recurrent network applies the same cell at every time step. Drawn unrolled, it is a deep "
         "feed-forward network with one layer per step, all layers sharing the weights W_hh. Here an "
         "untrained tanh RNN reads 6 steps of the adding problem; the loss sits at the last step, and "
         "each state is labelled with the size of the loss's gradient there.",
         RNN_H, dict(_RNN, seq_len=6, spectral_radius=0.9), ("unrolled",),
         "If the network reads 100 steps instead of 6, how many copies of W_hh lie between the loss "
         "and h_0?", "pages/forward.py", {"seq_len": "6"}),
    Step("forward", "The forward pass",
         "Forward, each state h_t is computed from the input x_t and the previous state h_{t−1}. The "
         "chart shows the size of h_t and the input values over 20 steps of one sequence.",
         RNN_H, dict(_RNN, seq_len=20, spectral_radius=0.9), ("states",),
         "Why can a tanh RNN's state never blow up, even when its weights are large?",
         "pages/forward.py", {"seq_len": "20"}),
    Step("backward", "The gradient going back",
         "Backward, the gradient starts at the loss and is carried to each earlier state by the same "
         "matrix W_hh (times tanh′). Press Play: each frame is one more step back, computed by BPTT.",
         RNN_BACK, dict(_RNN, seq_len=30, spectral_radius=0.9), ("stepthrough", "unrolled"),
         "Each step back multiplies by roughly the same factor. What happens to a number multiplied by "
         "0.9 thirty times? By 1.1?", "pages/bptt.py", {"seq_len": "30", "task": "adding"}),
    Step("vanishing", "Vanishing gradients",
         "With small recurrent weights (spectral radius 0.5) every step back shrinks the gradient.",
         RNN_BACK + r",\qquad\Big\|\frac{\partial h_s}{\partial h_t}\Big\|\le(\gamma\,\sigma_{\max})^{s-t}",
         dict(_RNN, seq_len=50, spectral_radius=0.5), ("stepthrough", "profile"),
         "The loss depends on an input 40 steps back. What does the gradient tell the weights that "
         "read that input?", "pages/bptt.py", {"seq_len": "50", "spectral_radius": "0.5", "task": "adding"}),
    Step("exploding", "Exploding gradients",
         "With a linear activation and spectral radius 1.5, every step back multiplies the gradient "
         "by about 1.5.",
         RNN_BACK, dict(_RNN, seq_len=50, spectral_radius=1.5, activation="linear"),
         ("stepthrough", "profile"),
         "What would one gradient-descent step of this size do to the weights?",
         "pages/bptt.py", {"seq_len": "50", "spectral_radius": "1.5", "activation": "linear",
                           "task": "adding"}),
    Step("clipping", "Clipping",
         "The same exploding network, with the gradient's global norm clipped at 1 before the update. "
         "Clipping rescales the update; it does not change backpropagation.",
         r"g\leftarrow g\cdot\min\Big(1,\frac{c}{\|g\|}\Big)",
         dict(_RNN, seq_len=50, spectral_radius=1.5, activation="linear", clip="norm",
              clip_threshold=1.0), ("profile",),
         "Clipping fixes the size of the step. Does it help the network learn a dependency 40 steps "
         "back?", "pages/training.py",
         {"model": "rnn", "task": "sine", "spectral_radius": "1.5", "optimizer": "sgd", "lr": "0.5",
          "seq_len": "50", "hidden_size": "32", "steps": "500", "compare": "clipping"}),
    Step("truncation", "Truncated BPTT",
         "Truncated BPTT cuts the backward pass every k = 20 steps: no gradient crosses a cut, so each "
         "loss's gradient stops after at most k steps, blind beyond them. Same cost here as full BPTT.",
         RNN_BACK, dict(_RNN, seq_len=60, spectral_radius=1.0, truncate=20), ("heatmap", "profile"),
         "A task whose answer depends on the first step of 60: can truncation at 20 ever learn it?",
         "pages/bptt.py", {"seq_len": "60", "truncate": "20", "spectral_radius": "1", "task": "adding"}),
    Step("cell", "The LSTM's cell path",
         "The LSTM adds a cell state c_t. Going back along the cell path, the gradient is multiplied "
         "only by the forget gates f_t. With forget-gate bias 3 they start near 0.95.",
         LSTM_C, dict(model="lstm", task="adding", seq_len=30, hidden_size=16, batch_size=8,
                      forget_bias=3.0), ("unrolled", "stepthrough"),
         "What would the cell's gradient at t = 0 be if every forget gate were 0.5?",
         "pages/lstm_gates.py", {"forget_bias": "3", "seq_len": "30", "task": "adding"}),
    Step("long_lag", "The LSTM learns the long lag",
         "The adding problem at T = 100: the answer depends on a number marked in the first 10 steps. "
         "At the start of training the plain RNN's gradient no longer reaches those steps; the LSTM's "
         "does. The link below opens the Training lab, which trains both side by side at T = 100 at "
         "once: watch which one solves it.",
         LSTM_C, dict(model="lstm", task="adding", seq_len=100, hidden_size=16, batch_size=8,
                      forget_bias=3.0), ("compare",),
         "If the gradient never reaches the marked number, can any learning rate teach the RNN to use it?",
         "pages/training.py", {"task": "adding", "seq_len": "100", "compare": "models"},
         other=dict(_RNN, seq_len=100, spectral_radius=0.9)),
)


def step_number(raw, last=len(STEPS)):
    """The 1-based step of a link's ``?step=`` value, or None when it is not a step number."""
    try:
        number = int(str(raw))
    except ValueError:
        return None
    return number if 1 <= number <= last else None
