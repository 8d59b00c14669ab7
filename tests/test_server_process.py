"""Once-per-process set-up of the server (ui.runtime.server): what the post-run garbage collection still
has to look at after app.py's imports is a small part of the heap."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBE = """
import gc
import pandas, altair, numpy, plotly.graph_objects, core.gradients.experiment   # app.py's imports
from ui.runtime.server import prepare_process
before = len(gc.get_objects())
prepare_process()
prepare_process()                                   # a rerun: nothing happens twice
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_the_imported_modules_are_frozen_out_of_every_collection():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    before, frozen, tracked = map(int, out.stdout.split())
    assert frozen > 0.9 * before > 50_000, (before, frozen)
    assert tracked < 0.01 * frozen, f"{tracked} objects still scanned at every run"
