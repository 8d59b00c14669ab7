"""Training on the adding problem: can the LSTM and the tanh RNN learn it, and how fast is a run?

    python bench/bench_train.py            # the T = 20 run, then success vs length (~10 minutes)
    python bench/bench_train.py --quick    # the T = 20 run, then a smaller table (~2 minutes)
    OPENBLAS_NUM_THREADS=1 python bench/bench_train.py --step [--busy] [--quick]
                                           # one training step, ours against PyTorch on one thread

1. T = 20, H = 32, batch 32, 2000 Adam steps at lr 1e-2, gradient norm clipped at 1 (the TrainConfig
   defaults): the mean loss of the last 100 steps for each model, and the LSTM run's wall time.
2. Success vs sequence length, as in Pascanu, Mikolov & Bengio (2013): the same settings for growing T
   and three seeds, up to 5000 steps per run. Success: the mean loss of 100 consecutive steps drops
   below 0.01, far under the 1/6 of always predicting 1; a run stops there, so successes are cheap and
   failures cost the whole budget. Longer sequences are not tried once both models fail every seed,
   or when a row could overrun the 10-minute budget. The machine is shared: times are indicative.
3. --step: a training step (adding, T = 100, H = 64, B = 32, Adam, norm clipping at 1): our train()
   against the same loop in PyTorch on one thread (a fresh batch from the same generator, forward,
   MSE on the last step, backward, clip_grad_norm_, Adam), in interleaved rounds (timing.py). Our side
   is the app's own train(), probes included (two per run of STEP_RUN steps).
"""
import argparse
import os
from contextlib import nullcontext
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import timing                                                    # noqa: E402
from core.data.tasks import make_batch, task_info               # noqa: E402
from core.numerics.blas import pin_process_to_one_thread         # noqa: E402
from core.training.train import TrainConfig, train                   # noqa: E402

SUCCESS = 0.01
MODELS = ("lstm", "rnn")


class Solved(Exception):
    """Raised from on_step once the last 100 losses average below SUCCESS: the run has succeeded."""


def config(model, T, seed, steps):
    return TrainConfig(model=model, task="adding", seq_len=T, hidden_size=32, batch_size=32,
                       steps=steps, lr=1e-2, optimizer="adam", clip="norm", clip_threshold=1.0,
                       activation="tanh", seed=seed)


def run(model, T, seed, steps):
    """(mean loss of the last 100 steps, wall time in s, stopped_at) of a full run."""
    t0 = time.perf_counter()
    h = train(config(model, T, seed, steps))
    seconds = time.perf_counter() - t0
    last = float(np.mean(h.loss[-100:])) if h.stopped_at is None else float("nan")
    return last, seconds, h.stopped_at


def steps_to_success(model, T, seed, steps):
    """The step at which the last-100 mean loss first drops below SUCCESS, or None and the final
    last-100 mean: a run stops as soon as it has succeeded."""
    def watch(step, hist):
        if step >= 99 and hist.loss[-100:].mean() < SUCCESS:
            raise Solved(step + 1)
    try:
        h = train(config(model, T, seed, steps), on_step=watch)
    except Solved as done:
        return done.args[0], None
    return None, float(np.mean(h.loss[-100:])) if h.stopped_at is None else float("nan")


def part1(steps):
    # ---- 1. the T = 20 run --------------------------------------------------------------------------
    print(f"== 1. Adding problem: T=20, H=32, batch 32, {steps} Adam steps at lr 1e-2, "
          "norm clipping at 1, seed 0 ==")
    print(f"baseline (always predict 1): {task_info('adding').baseline:.4f}")
    for model, goal in (("lstm", "< 0.01"), ("rnn", "> 0.1")):
        last, seconds, stopped = run(model, 20, 0, steps)
        name = "lstm" if model == "lstm" else "rnn (tanh)"
        print(f"{name:<11} mean loss of the last 100 steps: {last:.5f}  (goal {goal})   "
              f"wall time {seconds:.1f} s" + ("  (goal <= 10 s)" if model == "lstm" else "")
              + (f"  STOPPED at {stopped}" if stopped is not None else ""))


def part2(lengths, seeds, steps, budget):
    # ---- 2. success vs length -----------------------------------------------------------------------
    print(f"\n== 2. Success vs length, adding problem: up to {steps} steps per run, seeds "
          f"{', '.join(map(str, seeds))}, settings as in 1 ==")
    print(f"success: the mean loss of 100 consecutive steps drops below {SUCCESS} (a run stops there);"
          f" time budget {budget / 60:.0f} min")
    print("each cell: successes/seeds, then per seed the step of success, or 'fail' and the last-100 loss")
    print(f"{'T':>5}  {'lstm':<44}{'rnn (tanh)':<44}{'time':>6}")
    start, cost = time.perf_counter(), {m: [0.0, 0] for m in MODELS}    # seconds, steps x T
    for T in lengths:
        elapsed = time.perf_counter() - start
        worst = sum(c[0] / max(c[1], 1) * T * steps * len(seeds) for c in cost.values())
        if cost["lstm"][1] and elapsed + worst > budget:
            print(f"T = {T} not run: if every seed failed it would take ~{worst:.0f} s, beyond the "
                  f"{budget:.0f} s budget ({elapsed:.0f} s spent)")
            return
        t0, cells, any_success = time.perf_counter(), [], False
        for model in MODELS:
            outcomes = []
            for seed in seeds:
                s0 = time.perf_counter()
                at, last = steps_to_success(model, T, seed, steps)
                cost[model][0] += time.perf_counter() - s0
                cost[model][1] += (at or steps) * T
                outcomes.append(f"{at}" if at else f"fail {last:.3f}")
            wins = sum(not o.startswith("fail") for o in outcomes)
            any_success |= wins > 0
            cells.append(f"{wins}/{len(seeds)}: " + ", ".join(outcomes))
        print(f"{T:>5}  {cells[0]:<44}{cells[1]:<44}{time.perf_counter() - t0:>5.0f}s", flush=True)
        if not any_success:
            print(f"both models fail every seed at T = {T}: longer sequences are not tried")
            return


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
    print(f"== 3. One training step: adding, T=100, H=64, B=32, Adam, norm clipping; runs of "
          f"{STEP_RUN} steps, {n_rounds} interleaved rounds, "
          f"{'busy neighbour on the other core' if busy else 'quiet'} ==")
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
    ap.add_argument("--quick", action="store_true", help="a smaller table (~2 minutes); with --step, "
                    "3 rounds instead of 7")
    ap.add_argument("--step", action="store_true", help="time one training step against PyTorch")
    ap.add_argument("--busy", action="store_true", help="with --step: keep the other core busy")
    args = ap.parse_args()
    if args.step:
        step_bench(args.quick, args.busy)
        return
    part1(2000)
    if args.quick:
        part2((10, 20, 50), seeds=(0,), steps=2000, budget=120)
    else:
        part2((10, 20, 50, 100, 200), seeds=(0, 1, 2), steps=5000, budget=600)


if __name__ == "__main__":
    main()
