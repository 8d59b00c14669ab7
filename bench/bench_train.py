"""A training step, ours against the same loop in PyTorch on one thread.

    OPENBLAS_NUM_THREADS=1 python bench/bench_train.py [--busy] [--quick]

Adding problem, T = 100, H = 64, B = 32, Adam, gradient norm clipped at 1 (issue 12's setting): our
train(), the app's own loop with its probes (two per run of STEP_RUN steps), against the same loop in
PyTorch (a fresh batch from the same generator, forward, MSE on the last step, backward,
clip_grad_norm_, Adam), in interleaved rounds (timing.py); goal: PyTorch / ours >= 1.5 for both
models. Whether each model learns the task, and how fast, is bench_longlag.py's, at the Training
lab's defaults.
"""
import argparse
import os
import sys
from contextlib import nullcontext

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import timing                                                    # noqa: E402
from core.data.tasks import make_batch                          # noqa: E402
from core.numerics.blas import pin_process_to_one_thread         # noqa: E402
from core.training.train import TrainConfig, train                   # noqa: E402

MODELS = ("lstm", "rnn")
STEP_RUN = 50                                 # training steps per timed run


def step_config(model):
    return TrainConfig(model=model, task="adding", seq_len=100, hidden_size=64, batch_size=32,
                       steps=STEP_RUN, lr=1e-2, optimizer="adam", clip="norm", clip_threshold=1.0,
                       activation="tanh", seed=0, probe_every=STEP_RUN)


def torch_steps(model):
    """The same loop in PyTorch on one thread: STEP_RUN steps."""
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    cfg = step_config(model)
    net = (torch.nn.LSTM if model == "lstm" else torch.nn.RNN)(2, cfg.hidden_size).double()
    head = torch.nn.Linear(cfg.hidden_size, 1).double()
    weights = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(weights, lr=cfg.lr)
    rng = np.random.default_rng(0)

    def run():
        for _ in range(STEP_RUN):
            batch = make_batch("adding", cfg.seq_len, cfg.batch_size, rng)
            x, target = torch.from_numpy(batch.x), torch.from_numpy(batch.target[-1])
            out, _ = net(x)
            loss = ((head(out[-1]) - target) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(weights, cfg.clip_threshold)
            opt.step()
    return run


def step_bench(quick, busy):
    pin_process_to_one_thread()
    cases = {}
    for model in MODELS:
        cases[model] = lambda model=model: train(step_config(model))
        cases[f"torch {model}"] = torch_steps(model)
    n_rounds = 3 if quick else 7
    print(f"One training step: adding, T=100, H=64, B=32, Adam, norm clipping; runs of "
          f"{STEP_RUN} steps, {n_rounds} interleaved rounds, "
          f"{'busy neighbour on the other core' if busy else 'quiet'}")
    with timing.busy_neighbour() if busy else nullcontext():
        times = timing.run_rounds(cases, n_rounds)
    rows = [[name] + [f"{timing.median(times, name, c) / STEP_RUN * 1e3:.2f}" for c in timing.CLOCKS]
            for name in cases]
    print(timing.table(rows, ["case", "wall ms/step", "cpu ms/step"]))
    rows = []
    for model in MODELS:
        r = [timing.ratio(times, f"torch {model}", model, c) for c in timing.CLOCKS]
        rows.append([f"torch {model} / {model}", *(f"{v:.2f}" for v in r), ">= 1.5",
                     "yes" if r[0] >= 1.5 else "no"])
    print()
    print(timing.table(rows, ["ratio (median of rounds)", "wall", "cpu", "goal", "met (wall)"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    ap.add_argument("--busy", action="store_true", help="keep the other core busy meanwhile")
    args = ap.parse_args()
    step_bench(args.quick, args.busy)


if __name__ == "__main__":
    main()
