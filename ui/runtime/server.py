"""Once per server process: what keeps many sessions' reruns cheap on 2 shared cores.

- One BLAS thread per call (core.numerics.blas): OpenBLAS's default, a thread per core, makes small products
  and LAPACK calls up to 100x slower whenever the other core is busy.
- ``gc.freeze()`` after the heavy imports. Streamlit runs a full garbage collection after every
  script run (``runner.postScriptGC``), holding the GIL: with pandas, Plotly, Altair and NumPy loaded
  that is ~140,000 objects and ~75 ms, at every rerun of every session. Frozen objects (the modules,
  never garbage) are skipped, so the collection only looks at what runs created: under 1 ms.
  Measured by ``python bench/bench_load.py``. The price: what the first run had alive when it froze
  (its session's objects) is never collected, once per process.
"""
import gc
import os
import threading
from functools import lru_cache

from core.numerics.blas import pin_process_to_one_thread


@lru_cache(maxsize=1)
def prepare_process():
    """app.py runs at every rerun; the cache makes this happen once per process."""
    pin_process_to_one_thread()
    gc.collect()      # what the imports left behind goes now, not frozen for ever
    gc.freeze()


@lru_cache(maxsize=1)
def start_engine():
    """Once per server process, in the background: bring up the training cluster and train the runs a
    class is likely to open first (ui.runtime.background), so they are done when it does. With
    BPTT_LENS_BACKGROUND=off neither: the cluster starts at the first request (without holding it)."""
    threading.Thread(target=_start_engine, name="bptt-lens-engine-start", daemon=True).start()


def _start_engine():
    if os.environ.get("BPTT_LENS_BACKGROUND", "").strip().lower() == "off":
        return                      # the cluster starts at the first Train press instead (tests)
    from ui.runtime import background, cluster
    try:
        cluster.client()
    except cluster.Unavailable:
        return                      # said on the training pages when a run is asked for
    background.precompute()
