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
"""
import numpy  # noqa: F401  (BLAS must be loaded before it can be pinned)

from distributed.diagnostics.plugin import WorkerPlugin

from core.numerics.blas import pin_process_to_one_thread


def pre_spawn_environ():
    """The nanny's environment for new workers: no malloc trim threshold (Dask's default is 65536)."""
    return {"distributed.nanny.pre-spawn-environ": {"MALLOC_TRIM_THRESHOLD_": None}}


def prepare_worker():
    pin_process_to_one_thread()


class WorkerSetup(WorkerPlugin):
    """Worker plugin for clusters the app starts itself."""

    name = "bptt-lens-worker-setup"

    def setup(self, worker):
        prepare_worker()


def dask_setup(worker):
    """Called by ``dask worker --preload ui.runtime.worker_setup``."""
    prepare_worker()
