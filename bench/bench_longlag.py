"""The long lag at the Training lab's defaults: with only task = adding and the length T changed, how
many seeds does each model solve, in how many steps, and how long does it take?

    python bench/bench_longlag.py                                  # RNN and LSTM, T 50/100/200, seeds 0-2
    python bench/bench_longlag.py --lengths 100 --seeds 0,1,2      # the claim alone
    python bench/bench_longlag.py --models lstm --steps 5000

Every run is TrainConfig() (the lab's defaults) with model, task = "adding", seq_len and seed set; it
stops once solved (core.training.solved: the mean loss of the last 100 steps below 0.01), so failures
cost the whole step budget. The claim (issue 10): at T = 100 the LSTM solves at least 2 of seeds 0, 1, 2
and the tanh RNN none; the median LSTM wall time to solve, goal <= 30 s. The machine is shared: compare
times within one run only. Each run's line is printed as it finishes, then the table.
"""
import argparse
import os
import sys
import time
from dataclasses import replace

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from core.numerics.blas import pin_process_to_one_thread             # noqa: E402
from core.training.train import TrainConfig, train                   # noqa: E402


def one_run(model, T, seed, steps):
    """(solved_at or None, steps done, wall seconds)."""
    cfg = replace(TrainConfig(), model=model, task="adding", seq_len=T, seed=seed,
                  steps=steps or TrainConfig.steps)
    t0 = time.perf_counter()
    h = train(cfg)
    return h.solved_at, len(h.loss), time.perf_counter() - t0


def row(model, T, results):
    solved = [r for r in results if r[0] is not None]
    steps = ", ".join(str(r[0]) if r[0] is not None else f"-({r[1]})" for r in results)
    median = f"{np.median([r[2] for r in solved]):7.1f}" if solved else "      -"
    return (f"{model:>5} {T:>5} {len(solved)}/{len(results)}   {median}   "
            f"{sum(r[2] for r in results):8.1f}   {steps}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="rnn,lstm")
    ap.add_argument("--lengths", default="50,100,200")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--steps", type=int, default=0, help="step budget per run (default: TrainConfig's)")
    args = ap.parse_args()
    pin_process_to_one_thread()
    models = args.models.split(",")
    lengths = [int(t) for t in args.lengths.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"adding problem, TrainConfig defaults otherwise: H={TrainConfig.hidden_size}, "
          f"lr={TrainConfig.lr:g} ({TrainConfig.optimizer}), b_f={TrainConfig.forget_bias:g}, "
          f"clip {TrainConfig.clip} {TrainConfig.clip_threshold:g}, batch {TrainConfig.batch_size}, "
          f"budget {args.steps or TrainConfig.steps} steps", flush=True)
    rows = []
    for T in lengths:
        for model in models:
            results = []
            for seed in seeds:
                results.append(one_run(model, T, seed, args.steps))
                r = results[-1]
                print(f"  {model} T={T} seed={seed}: "
                      + (f"solved at step {r[0]}" if r[0] is not None else f"not solved in {r[1]} steps")
                      + f", {r[2]:.1f} s", flush=True)
            rows.append(row(model, T, results))
    print("\nmodel     T solved  median s (solved)  total s   steps to solve (-(n): not solved in n)")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
