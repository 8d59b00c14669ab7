"""What every Dask worker process does once, before it trains anything.

Used two ways, so that an embedded cluster and a real one behave the same:
- ``dask worker ... --preload ui.runtime.worker_setup`` (deploy/local, Kubernetes): Dask calls
  ``dask_setup(worker)`` in the worker process;
- the embedded LocalCluster (ui/runtime/cluster.py) registers ``WorkerSetup`` as a worker plugin.

Two measured pitfalls are undone here:
- OpenBLAS starts one thread per core. Two training runs side by side then fight over both cores:
  one BLAS thread per worker, pinned after NumPy is imported (threadpoolctl only sees loaded libraries).
- The nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` in every worker, which made the training loop ~45%
  slower; ``pre_spawn_environ()`` is the Dask configuration that unsets it (applied by the cluster).

And one choice: a worker trains at nice NICENESS. On a machine that also serves the pages (the
embedded cluster, deploy/local) a slider move's rerun then takes the core before a training step:
a person waits on a page, nobody waits on a run's next step.
"""
import os

import numpy  # noqa: F401  (BLAS must be loaded before it can be pinned)

from distributed.diagnostics.plugin import WorkerPlugin

from core.numerics.blas import pin_process_to_one_thread

NICENESS = 10               # added to the worker's nice value, once (a lower priority than the pages')


def pre_spawn_environ():
    """The nanny's environment for new workers: no malloc trim threshold (Dask's default is 65536)."""
    return {"distributed.nanny.pre-spawn-environ": {"MALLOC_TRIM_THRESHOLD_": None}}


def prepare_worker():
    pin_process_to_one_thread()
    _lower_priority()


_lowered = False


def _lower_priority():
    """Every thread of this process, now: on Linux a nice value belongs to a thread, and threads
    started later (the task's) inherit it from the thread that starts them."""
    global _lowered
    if _lowered:                # a plugin and a preload in one worker must not lower it twice
        return
    _lowered = True
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:             # not Linux: the process's nice value is all there is
        os.nice(NICENESS)
        return
    for tid in threads:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICENESS)
        except OSError:         # a thread that ended meanwhile
            pass


class WorkerSetup(WorkerPlugin):
    """Worker plugin for clusters the app starts itself."""

    name = "bptt-lens-worker-setup"

    def setup(self, worker):
        prepare_worker()


def dask_setup(worker):
    """Called by ``dask worker --preload ui.runtime.worker_setup``."""
    prepare_worker()


def priorities():
    """The nice values of the calling thread and of all this process's threads (run it as a task to
    see a worker's: tests/test_engine.py)."""
    import threading
    tids = [int(tid) for tid in os.listdir("/proc/self/task")]
    return (os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
            {os.getpriority(os.PRIO_PROCESS, tid) for tid in tids})
