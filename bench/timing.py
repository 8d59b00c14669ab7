"""Timing on a shared machine: interleaved rounds, ratios taken within a round, medians of ratios.

Each round runs every case once, in an order rotated from round to round. A ratio (ours / floor,
torch / ours) is taken between two cases of the same round, so a slow-down that hits the whole round
(another process waking up) cancels out of it; the table reports the median over rounds. Both the
wall time and this process's CPU time are kept: wall time is what a person waits, CPU time is less
disturbed by other processes.

``busy_neighbour()`` pins this process to one core and keeps another core busy with a NumPy loop
in a separate process, pinned there: the setting of a laptop running something else.
"""
import contextlib
import os
import subprocess
import sys
import time

import numpy as np

CLOCKS = ("wall", "cpu")
BURN = """
import numpy as np
from threadpoolctl import threadpool_limits
a = np.random.default_rng(1).standard_normal((256, 256)) / 16
with threadpool_limits(1):
    while True:
        a = np.tanh(a @ a)
"""


def run_rounds(cases, n_rounds, *, warmup=1):
    """``cases``: name -> callable. Returns name -> {"wall": [s, ...], "cpu": [s, ...]}, one entry
    per round; ``warmup`` rounds run first and are not kept."""
    names = list(cases)
    times = {name: {clock: [] for clock in CLOCKS} for name in names}
    for r in range(-warmup, n_rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            w0, c0 = time.perf_counter(), time.process_time()
            cases[name]()
            w1, c1 = time.perf_counter(), time.process_time()
            if r >= 0:
                times[name]["wall"].append(w1 - w0)
                times[name]["cpu"].append(c1 - c0)
    return times


def median(times, name, clock):
    return float(np.median(times[name][clock]))


def ratio(times, num, den, clock):
    """Median over rounds of time(num) / time(den) within each round."""
    return float(np.median(np.divide(times[num][clock], times[den][clock])))


@contextlib.contextmanager
def busy_neighbour():
    """This process on one core, a busy NumPy loop on another (both pinned when the OS allows)."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    burner = subprocess.Popen([sys.executable, "-c", BURN], env=env)
    try:
        if len(cores) >= 2:
            os.sched_setaffinity(0, {cores[0]})
            os.sched_setaffinity(burner.pid, {cores[1]})
        time.sleep(0.5)
        yield
    finally:
        burner.terminate()
        burner.wait(5)
        if len(cores) >= 2:
            os.sched_setaffinity(0, set(cores))


def table(rows, headers):
    """A plain-text table; every cell is already a string."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])
