"""Once per server process: what keeps many sessions' reruns cheap on 2 shared cores.

- One BLAS thread per call (core.numerics.blas): OpenBLAS's default, a thread per core, makes small products
  and LAPACK calls up to 100x slower whenever the other core is busy.
- ``gc.freeze()`` after the heavy imports. With pandas, Plotly, Altair and NumPy loaded that is
  ~140,000 objects, which every full collection would walk (~75 ms, holding the GIL); frozen objects
  (the modules, never garbage) are skipped. Streamlit's own full collection after every script run is
  off (``runner.postScriptGC`` in .streamlit/config.toml); Python's collector still runs. Measured by
  ``python bench/bench_load.py``. The price: what the first run had alive when it froze (its session's
  objects) is never collected, once per process.
- No Altair "debug mode": Altair checks every object it makes against the Vega-Lite schema as it makes
  it, a fifth of a chart's build (loss chart 14.5 -> 12 ms, a live chart 9.5 -> 7.5 ms), paid at every
  chart a class draws. The tests validate every chart's whole dict instead.
"""
import gc
import os
import threading
from functools import lru_cache

from altair.utils.schemapi import disable_debug_mode

from core.numerics.blas import pin_process_to_one_thread


@lru_cache(maxsize=1)
def prepare_process():
    """app.py runs at every rerun; the cache makes this happen once per process."""
    pin_process_to_one_thread()
    disable_debug_mode()
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
