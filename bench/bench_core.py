"""Forward + backward speed and memory of the NumPy core, as ratios to the BPTT floor.

    python bench/bench_core.py            # quiet, then with a busy neighbour on the other core
    python bench/bench_core.py --quick    # fewer repeats

The floor is the 2T dependent (B, H) @ (H, H) products (H, 4H for the LSTM) that BPTT cannot avoid,
timed in the same run. Times are the median of the repeats; the machine is shared, so compare ratios.
"""
import argparse
import multiprocessing as mp
import os
import sys
import time
import tracemalloc

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from core.networks import lstm, rnn                                  # noqa: E402
from core.numerics.blas import single_thread                         # noqa: E402
from core.training.losses import mse                                 # noqa: E402

T, B, D, H, O = 1000, 32, 3, 128, 3


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def floor(width):
    """2T dependent products (B, H) @ (H, width): the forward and backward chains of BPTT."""
    rng = np.random.default_rng(0)
    W = rng.standard_normal((H, width)) / np.sqrt(H)
    W_T = np.ascontiguousarray(W.T)
    a = rng.standard_normal((B, H)) * 0.1
    out = np.empty((B, width))
    back = np.empty((B, H))
    g = rng.standard_normal((B, width)) * 0.1

    def run():
        with single_thread():
            for _ in range(T):
                np.matmul(a, W, out=out)
            for _ in range(T):
                np.matmul(g, W_T, out=back)
    return run


def make_case(model):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, D))
    target = rng.standard_normal((T, B, O))
    mod = rnn if model == "rnn" else lstm
    params = mod.init_params(D, H, O, seed=0)

    def run():
        trace = mod.forward(params, x)
        _, dy = mse(trace.y, target)                 # a loss on every step
        return trace, mod.backward(params, trace, dy)
    return run


def make_torch(model):
    import torch
    torch.manual_seed(0)
    cls = torch.nn.RNN if model == "rnn" else torch.nn.LSTM
    net = cls(D, H).double()
    head = torch.nn.Linear(H, O).double()
    x = torch.randn(T, B, D, dtype=torch.float64)
    target = torch.randn(T, B, O, dtype=torch.float64)

    def run():
        out, _ = net(x)
        loss = ((head(out) - target) ** 2).mean()
        net.zero_grad()
        loss.backward()
    return run


def burn(stop):
    """A busy neighbour: keep one core fully loaded."""
    a = np.random.default_rng(1).standard_normal((256, 256))
    with threadpool_limits(1, "blas"):
        while not stop.is_set():
            a = np.tanh(a @ a)


def timings(repeats, with_torch):
    out = {}
    out["floor rnn"] = median_time(floor(H), repeats)
    out["floor lstm"] = median_time(floor(4 * H), repeats)
    out["rnn"] = median_time(make_case("rnn"), repeats)
    out["lstm"] = median_time(make_case("lstm"), repeats)
    if with_torch:
        import torch
        torch.set_num_threads(1)
        out["torch rnn"] = median_time(make_torch("rnn"), repeats)
        out["torch lstm"] = median_time(make_torch("lstm"), repeats)
    return out


def default_threads_time(repeats):
    """The same RNN run with BLAS left at its default thread count, to show why we pin it."""
    run = make_case("rnn")
    from core.numerics import blas
    saved = blas.single_thread
    blas_mods = (rnn, lstm)
    try:
        from contextlib import nullcontext
        for m in blas_mods:
            m.single_thread = nullcontext
        with threadpool_limits(os.cpu_count(), "blas"):
            return median_time(run, repeats)
    finally:
        for m in blas_mods:
            m.single_thread = saved


def memory():
    run = make_case("lstm")
    tracemalloc.start()
    trace, grads = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    recorded = sum(a.nbytes for a in (trace.h, trace.c, trace.i, trace.f, trace.o, trace.g,
                                      grads.dh, grads.dc))
    return peak, recorded


def report(label, t):
    print(f"\n{label}")
    print(f"  floor rnn  {t['floor rnn'] * 1e3:8.1f} ms   floor lstm {t['floor lstm'] * 1e3:8.1f} ms")
    print(f"  rnn        {t['rnn'] * 1e3:8.1f} ms   = {t['rnn'] / t['floor rnn']:.2f} x floor (goal <= 1.5)")
    print(f"  lstm       {t['lstm'] * 1e3:8.1f} ms   = {t['lstm'] / t['floor lstm']:.2f} x floor (goal <= 2)")
    for m in ("rnn", "lstm"):
        if f"torch {m}" in t:
            print(f"  torch {m:4s} {t[f'torch {m}'] * 1e3:8.1f} ms   ours is "
                  f"{t[f'torch {m}'] / t[m]:.2f} x faster (goal >= 2)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    repeats = 3 if args.quick else 7
    try:
        import torch  # noqa: F401
        with_torch = True
    except ImportError:
        with_torch = False
        print("(torch not installed: `pip install torch==2.13.0` adds the PyTorch comparison)")

    blas = [f"{i['internal_api']} {i['version']} threads={i['num_threads']}"
            for i in threadpool_info() if i["user_api"] == "blas"]
    print(f"T={T} B={B} D={D} H={H} O={O}, float64, forward + backward with full recording, "
          f"mse on every step; {repeats} repeats, median; BLAS: {blas}")
    quiet = timings(repeats, with_torch)
    report("quiet machine", quiet)

    stop = mp.Event()
    neighbour = mp.Process(target=burn, args=(stop,), daemon=True)
    neighbour.start()
    try:
        time.sleep(0.5)
        busy = timings(repeats, with_torch)
        report("busy neighbour on the other core", busy)
        default = default_threads_time(max(1, repeats // 2))
    finally:
        stop.set()
        neighbour.join(5)
    print(f"  rnn with BLAS at its default {os.cpu_count()} threads: {default * 1e3:8.1f} ms = "
          f"{default / busy['rnn']:.1f} x the pinned single thread")
    print(f"\nslow-down from the busy neighbour: rnn {busy['rnn'] / quiet['rnn']:.2f} x, "
          f"lstm {busy['lstm'] / quiet['lstm']:.2f} x")

    peak, recorded = memory()
    print(f"\nLSTM memory: recorded arrays (h c i f o g dh dc) {recorded / 1e6:.0f} MB, "
          f"peak during forward + backward {peak / 1e6:.0f} MB (goal < 400)")


if __name__ == "__main__":
    main()
