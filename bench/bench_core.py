"""Forward + backward through time of the NumPy core, against the product floor and against PyTorch.

    OPENBLAS_NUM_THREADS=1 python bench/bench_core.py            # quiet machine
    OPENBLAS_NUM_THREADS=1 python bench/bench_core.py --busy     # a busy neighbour on the other core
    ... --quick                                                   # 3 rounds instead of 7

B = 32, T = 1000, H = 128, float64, a loss on every step, everything recorded. The floor is the 2T
dependent products BPTT cannot avoid, (B, H) @ (H, n) forward and (B, n) @ (n, H) backward, n = 4H
for the LSTM and H for the RNN. PyTorch runs its fused nn.RNN / nn.LSTM on one thread, forward and
backward. Every ratio is taken within one round and the median over rounds is reported (timing.py).
Our passes take their large arrays from core.numerics.memory, which hands the previous pass's arrays
out again once nothing holds them; the row "lstm, fresh memory" runs the same pass on new arrays.
"""
import argparse
import os
import sys
import tracemalloc
from contextlib import nullcontext

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import timing                                                        # noqa: E402
from core.networks import lstm, rnn                                  # noqa: E402
from core.numerics import memory                                     # noqa: E402
from core.numerics.blas import pin_process_to_one_thread             # noqa: E402
from core.training.losses import mse                                 # noqa: E402

T, B, D, H, O = 1000, 32, 3, 128, 3
GOALS = {"lstm": 2.0, "rnn": 1.5}           # at most this many times the floor


def floor(n):
    """2T dependent products: h (B, H) @ (H, n), then g (B, n) @ (n, H); each feeds the next."""
    rng = np.random.default_rng(0)
    W = rng.standard_normal((H, n)) / np.sqrt(n)
    W[:, :H] = np.linalg.qr(rng.standard_normal((H, H)))[0]    # the fed-back block is orthogonal:
    W_T = np.ascontiguousarray(W.T)                               # no overflow, no denormals
    fwd = [np.full((B, n), 0.01), np.empty((B, n))]
    bwd = [np.full((B, n), 0.01), np.full((B, n), 0.01)]

    def run():
        fwd[0][:] = bwd[0][:] = bwd[1][:] = 0.01
        for t in range(T):
            np.matmul(fwd[t % 2][:, :H], W, out=fwd[(t + 1) % 2])
        for t in range(T):
            np.matmul(bwd[t % 2], W_T, out=bwd[(t + 1) % 2][:, :H])
        assert np.isfinite(fwd[0]).all() and np.isfinite(bwd[0]).all()
    return run


def ours(model):
    rng = np.random.default_rng(0)
    x, target = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, O))
    mod = rnn if model == "rnn" else lstm
    params = mod.init_params(D, H, O, seed=0)

    def run():
        trace = mod.forward(params, x)
        _, dy = mse(trace.y, target)
        return trace, mod.backward(params, trace, dy)
    return run


def without_reuse(run):
    """``run`` with every array from np.empty, as if core.numerics.memory kept none."""
    def go():
        kept, memory.empty = memory.empty, np.empty
        try:
            return run()
        finally:
            memory.empty = kept
    return go


def fresh_memory():
    """New arrays of the sizes one LSTM forward + backward records, written once: the page faults
    (and, on a virtual machine, the host's) that recording on new arrays pays for, alone."""
    shapes = [(T, 4 * H, B), (T, H, B), (T + 1, H + D + 1, B), (T, H, B), (T, H, B)]   # z c hx dh dc

    def run():
        for shape in shapes:
            np.empty(shape).fill(0.0)
    return run


def torch_case(model):
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = (torch.nn.RNN if model == "rnn" else torch.nn.LSTM)(D, H).double()
    head = torch.nn.Linear(H, O).double()
    x = torch.randn(T, B, D, dtype=torch.float64)
    target = torch.randn(T, B, O, dtype=torch.float64)

    def run():
        out, _ = net(x)
        loss = ((head(out) - target) ** 2).mean()
        net.zero_grad()
        head.zero_grad()
        loss.backward()
    return run


def lstm_memory():
    """Peak memory traced during one LSTM forward + backward on new arrays (reused ones are not new
    allocations, and tracemalloc would not see them), and what the recorded arrays take."""
    run = without_reuse(ours("lstm"))
    tracemalloc.start()
    trace, grads = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    recorded = sum(a.nbytes for a in (trace.h, trace.c, trace.i, trace.f, trace.o, trace.g,
                                      grads.dh, grads.dc))
    return peak, recorded


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    ap.add_argument("--busy", action="store_true", help="keep the other core busy meanwhile")
    args = ap.parse_args()
    pin_process_to_one_thread()
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
        print("(torch not installed: pip install -r requirements-dev.txt adds the PyTorch columns)")
    cases = {}
    for model, n in (("lstm", 4 * H), ("rnn", H)):
        cases[f"floor {model}"] = floor(n)
        cases[model] = ours(model)
        if model == "lstm":
            cases["lstm, fresh memory"] = without_reuse(ours(model))
        if have_torch:
            cases[f"torch {model}"] = torch_case(model)
    cases["fresh memory"] = fresh_memory()
    n_rounds = 3 if args.quick else 7
    setting = "busy neighbour on the other core" if args.busy else "quiet"
    print(f"T={T} B={B} D={D} H={H} O={O}, float64, forward + backward with full recording, "
          f"{n_rounds} interleaved rounds, {setting}")
    with timing.busy_neighbour() if args.busy else nullcontext():
        times = timing.run_rounds(cases, n_rounds)
    rows = [[name] + [f"{timing.median(times, name, c) * 1e3:.0f}" for c in timing.CLOCKS]
            for name in cases]
    print(timing.table(rows, ["case", "wall ms", "cpu ms"]))
    rows = []
    for model in ("lstm", "rnn"):
        r = [timing.ratio(times, model, f"floor {model}", c) for c in timing.CLOCKS]
        rows.append([f"{model} / floor", *(f"{v:.2f}" for v in r), f"<= {GOALS[model]}",
                     "yes" if r[0] <= GOALS[model] else "no"])
        if have_torch:
            r = [timing.ratio(times, f"torch {model}", model, c) for c in timing.CLOCKS]
            rows.append([f"torch {model} / {model}", *(f"{v:.2f}" for v in r), ">= 2",
                         "yes" if r[0] >= 2 else "no"])
    print()
    print(timing.table(rows, ["ratio (median of rounds)", "wall", "cpu", "goal", "met (wall)"]))
    fresh = np.array(times["fresh memory"]["wall"]) * 1e3
    print(f"\nfresh memory (new arrays the size of what the LSTM records, written once): median "
          f"{np.median(fresh):.0f} ms, max {fresh.max():.0f} ms; the lstm row reuses its arrays, the "
          f"row 'lstm, fresh memory' pays this at every pass")
    r = [timing.ratio(times, "lstm, fresh memory", "lstm", c) for c in timing.CLOCKS]
    print(f"lstm on fresh memory / lstm reusing its arrays: wall {r[0]:.2f}, cpu {r[1]:.2f}")
    peak, recorded = lstm_memory()
    print(f"\nLSTM memory: recorded arrays (h c i f o g dh dc) {recorded / 1e6:.0f} MB, "
          f"peak during forward + backward {peak / 1e6:.0f} MB; arrays nobody holds kept for reuse "
          f"{memory.kept_bytes()[0] / 1e6:.0f} MB (at most {memory.LIMIT_BYTES / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
