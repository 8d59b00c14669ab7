"""The controls of the gradient pages. Keys are GradientSetup's field names: the URL schema."""
from core.networks import rnn
from ui.controls.params import Choice, Slider

# Said once for every truncation slider. Truncation here zeroes the gradient at the cuts inside one full
# backward pass, so it saves no time (an implementation that ran short segments would).
TRUNCATE_HELP = ("No gradient crosses steps k, 2k, …: each loss's gradient is cut after at most k steps, "
                 "so longer dependencies go unseen. Same cost here: the backward pass still runs over "
                 "every step.")

TASK_LABELS = {"sine": "sum of sines", "lorenz": "Lorenz X, Y, Z (the seed text's example)",
               "adding": "adding problem"}
ACT_LABELS = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "ReLU", "linear": "linear (none)"}

task = Choice("task", "Input sequences", tuple(TASK_LABELS), "sine", TASK_LABELS,
              help="What the network reads. It is untrained here: the picture is about the gradient.")
seq_len = Slider("seq_len", "Sequence length T", 2, 1000, 100,
                 help="How many steps the gradient must travel back.")
activation = Choice("activation", "Activation φ", rnn.ACTIVATIONS, "tanh", ACT_LABELS)
spectral_radius = Slider("spectral_radius", "Spectral radius ρ(W_hh)", 0.05, 2.0, 0.9, 0.05,
                         help="The largest |eigenvalue| of the recurrent matrix, set exactly.")
hidden_size = Slider("hidden_size", "Hidden units H", 2, 128, 32)
batch_size = Slider("batch_size", "Sequences in the batch B", 1, 32, 8)
loss_at = Choice("loss_at", "Where the loss sits", ("last", "every"), "last",
                 {"last": "last step only", "every": "every step"},
                 help="A loss at the last step only shows the reach of one loss; at every step "
                      "the gradients of all losses add up.")
clip = Choice("clip", "Gradient clipping", ("none", "norm", "value"), "none",
              {"none": "none", "norm": "by global norm", "value": "by value (each entry)"})
clip_threshold = Slider("clip_threshold", "Clipping threshold", 0.01, 10.0, 1.0, 0.01)
truncate = Slider("truncate", "Truncate BPTT every k steps (0 = never)", 0, 200, 0,
                  help=TRUNCATE_HELP)
seed = Slider("seed", "Random seed", 0, 99, 0, help="Same seed, same numbers: part of the link.")
weight_scale = Slider("weight_scale", "Weight scale", 0.1, 3.0, 1.0, 0.05,
                      help="Scales every weight matrix of the LSTM.")
forget_bias = Slider("forget_bias", "Forget-gate bias b_f", -5.0, 5.0, 0.0, 0.25,
                     help="Practitioners set it to 1 or more: forget gates start near 1 (open).")
lstm_hidden = Slider("hidden_size", "Hidden units H", 2, 64, 16)
lstm_batch = Slider("batch_size", "Sequences in the batch B", 1, 16, 4)

FORWARD_CONTROLS = (task, seq_len, activation, spectral_radius, hidden_size, seed)
BPTT_CONTROLS = (task, seq_len, activation, spectral_radius, hidden_size, batch_size, loss_at, clip,
                 clip_threshold, truncate, seed)
LSTM_CONTROLS = (task, seq_len, forget_bias, weight_scale, lstm_hidden, lstm_batch, loss_at, truncate,
                 seed)
COMPARE_CONTROLS = (task, seq_len, spectral_radius, activation, forget_bias, lstm_hidden, lstm_batch,
                    loss_at, seed)
