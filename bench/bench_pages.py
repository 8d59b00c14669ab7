"""Server time of each page: first run, then reruns at the defaults, and a run at extreme settings.

    python bench/bench_pages.py

Runs every page through app.py with Streamlit's AppTest (the page script as the server runs it, no
browser). Goals (issue 4): a rerun at the defaults <= 0.3 s after the first; no control at any extreme
> 5 s (long training shows a progress bar instead, so the training pages are measured at their
defaults and at the extremes of their non-training controls).
"""
import os
import statistics
import sys
import time

from streamlit.testing.v1 import AppTest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "app.py")

EXTREMES = {
    "start": {},
    "forward": {"seq_len": "1000", "hidden_size": "128", "spectral_radius": "2", "activation": "relu"},
    "bptt": {"seq_len": "1000", "hidden_size": "128", "batch_size": "32", "spectral_radius": "2",
             "activation": "linear", "loss_at": "every", "clip": "value", "clip_threshold": "0.01"},
    "lstm_gates": {"seq_len": "1000", "hidden_size": "64", "batch_size": "16", "forget_bias": "5",
                   "weight_scale": "3"},
    "compare": {"seq_len": "1000", "hidden_size": "64", "batch_size": "16", "spectral_radius": "2",
                "forget_bias": "5"},
    "training": {"steps": "100"},
    "your_data": {"steps": "100"},
}


def timed_run(at):
    t0 = time.perf_counter()
    at.run()
    return time.perf_counter() - t0


def page_times(page, query, reruns=5):
    at = AppTest.from_file(APP, default_timeout=600)
    at.switch_page(f"pages/{page}.py")
    at.query_params.update(query)
    first = timed_run(at)
    again = [timed_run(at) for _ in range(reruns)]
    problems = [e.value for e in at.exception]
    return first, statistics.median(again), problems


def main():
    print(f"{'page':12s} {'first (s)':>10s} {'rerun (s)':>10s} {'extreme first (s)':>18s} "
          f"{'extreme rerun (s)':>18s}  goals: rerun <= 0.3, extreme <= 5")
    worst_rerun = worst_extreme = 0.0
    for page, extreme in EXTREMES.items():
        first, rerun, bad = page_times(page, {})
        x_first, x_rerun, x_bad = page_times(page, extreme, reruns=2) if extreme else (first, rerun, [])
        worst_rerun, worst_extreme = max(worst_rerun, rerun), max(worst_extreme, x_first)
        flag = "  EXCEPTION: " + "; ".join(bad + x_bad) if bad or x_bad else ""
        print(f"{page:12s} {first:10.3f} {rerun:10.3f} {x_first:18.3f} {x_rerun:18.3f}{flag}")
    print(f"\nworst rerun at defaults {worst_rerun:.3f} s (goal <= 0.3); "
          f"worst first run at an extreme {worst_extreme:.3f} s (goal <= 5)")


if __name__ == "__main__":
    sys.exit(main())
