"""The Dask scheduler and its workers, as deploy/local starts them: one single-threaded worker per core.

Every worker runs ``ui.runtime.worker_setup`` first (BLAS pinned to one thread) and reads
deploy/dask.yaml through DASK_CONFIG (the nanny's malloc trim threshold unset, one task per thread).
"""
import os
import sys
import time

DEPLOY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DASK_CONFIG = os.path.join(DEPLOY, "dask.yaml")


def dask_env(base, root):
    """The environment of the scheduler and workers: the checkout importable, deploy/dask.yaml read."""
    env = dict(base)
    env["DASK_CONFIG"] = DASK_CONFIG
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env.pop("MALLOC_TRIM_THRESHOLD_", None)      # inherited by a nanny's worker otherwise
    return env


def scheduler_argv(host, port):
    return [sys.executable, "-m", "dask", "scheduler", "--host", host, "--port", str(port), "--no-dashboard"]


def worker_argv(address, name, memory_limit):
    return [sys.executable, "-m", "dask", "worker", address, "--name", name, "--nthreads", "1",
            "--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard", "--memory-limit", memory_limit,
            "--preload", "ui.runtime.worker_setup"]


def wait_for_workers(address, n, timeout, alive):
    """Block until `n` workers are registered with the scheduler at `address`.

    `alive()` says whether to go on waiting (the scheduler and workers still run, no stop asked);
    raises RuntimeError when it says no, or after `timeout` seconds."""
    from distributed import Client      # imported here: only deploy/local's start needs it

    deadline = time.monotonic() + timeout
    client = None
    try:
        while True:
            if not alive():
                raise RuntimeError("the Dask scheduler or a worker exited (or a stop came) while starting")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{n} Dask workers did not register at {address} in {timeout:.0f} s")
            try:
                client = client or Client(address, timeout=3)
                if len(client.scheduler_info(n_workers=-1)["workers"]) >= n:
                    return
            except (OSError, TimeoutError):
                pass                    # the scheduler is not listening yet
            time.sleep(0.2)
    finally:
        if client is not None:
            client.close()
