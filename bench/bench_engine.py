"""The training engine's two goals (issue 11), on this machine:

1. 10 different training runs finish >= 1.7x faster on 2 workers than on 1 (same runs, same order).
2. 30 students opening the same run at once cause one computation (counted by the workers' start
   events), and all 30 get its History.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_engine.py [--runs 10] [--steps 500]

Each cluster is ui.runtime.cluster's embedded one (``python -m ui.runtime.cluster N``), with a fresh
store, so nothing is found done. Times are wall clock on a shared machine: compare the ratio.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ["BPTT_LENS_STORE"] = tempfile.mkdtemp(prefix="bench-engine-store-")
os.environ["BPTT_LENS_BACKGROUND"] = "off"

from distributed import Client  # noqa: E402

from core.training.config import TrainConfig  # noqa: E402
from ui.runtime import cluster, engine, job  # noqa: E402


def start(n_workers):
    proc = subprocess.Popen([sys.executable, "-m", "ui.runtime.cluster", str(n_workers)], cwd=ROOT,
                            text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    return proc, proc.stdout.readline().strip()


def stop(proc):
    proc.stdin.close()
    proc.wait(60)


def configs(n, steps):
    # T = 50: an LSTM needs over a thousand steps to solve it (bench_longlag.py), so every run does all
    # its steps and the two clusters do the same work (a run stops once solved)
    return [TrainConfig(model="lstm", task="adding", seq_len=50, hidden_size=32, steps=steps,
                        probe_every=max(1, steps // 40), seed=seed) for seed in range(n)]


def timed_runs(n_workers, cfgs, tag):
    proc, address = start(n_workers)
    try:
        with Client(address, set_as_default=False) as client:
            client.submit(job.run, cfgs[0], None, key=f"warm-{tag}", pure=False).result()   # imports
            t0 = time.perf_counter()
            futures = [client.submit(job.run, cfg, None, key=f"bench-{tag}-{i}", pure=False)
                       for i, cfg in enumerate(cfgs)]
            histories = client.gather(futures)
            elapsed = time.perf_counter() - t0
            assert all(len(h.loss) == cfg.steps and h.solved_at is None for h, cfg in zip(histories, cfgs))
            return elapsed
    finally:
        stop(proc)


def shared_lesson_run(students, steps):
    proc, address = start(2)
    os.environ["BPTT_LENS_SCHEDULER"] = address
    try:
        cfg = TrainConfig(model="lstm", task="adding", seq_len=50, hidden_size=32, steps=steps,
                          probe_every=max(1, steps // 40), forget_bias=3.0, seed=0)
        got, barrier = [], threading.Barrier(students)

        def student():
            barrier.wait()                          # all press at once
            key = engine.submit(cfg)
            deadline = time.monotonic() + 600
            while engine.status(key).state in ("queued", "running") and time.monotonic() < deadline:
                time.sleep(0.25)
            got.append(engine.status(key))

        threads = [threading.Thread(target=student) for _ in range(students)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        key = engine.run_key(cfg)
        starts = sum(1 for _, msg in cluster.client().get_events(job.TOPIC)
                     if msg["key"] == key and msg["step"] == 0)
        return elapsed, starts, sum(s.state == "done" for s in got)
    finally:
        cluster.close()
        stop(proc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--students", type=int, default=30)
    args = parser.parse_args()
    cfgs = configs(args.runs, args.steps)
    one = timed_runs(1, cfgs, "one")
    two = timed_runs(2, cfgs, "two")
    c = cfgs[0]
    print(f"{args.runs} different runs ({c.model.upper()}, {c.task}, T {c.seq_len}, H {c.hidden_size}, "
          f"{args.steps} steps): 1 worker {one:.1f} s, "
          f"2 workers {two:.1f} s, speed-up {one / two:.2f}x (goal >= 1.7x)")
    elapsed, starts, done = shared_lesson_run(args.students, args.steps)
    print(f"{args.students} students asking for the same run at once: {starts} computation(s), "
          f"{done} of {args.students} got the finished run, in {elapsed:.1f} s (goal: 1 computation)")


if __name__ == "__main__":
    main()
