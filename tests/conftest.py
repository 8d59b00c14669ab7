import os
import sys

# Tests import the project's packages (core, ui) from the checkout, installed or not.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The training engine (ui/runtime/engine.py) in tests: no background training at app start, and a
# store of finished runs of this test session's own (a run must really train to be tested).
import tempfile  # noqa: E402

os.environ.setdefault("BPTT_LENS_BACKGROUND", "off")
os.environ.setdefault("BPTT_LENS_STORE", tempfile.mkdtemp(prefix="bptt-lens-test-store-"))

import pytest

# Under CI=true nothing may skip: a missing chromium, haproxy or torch is a failed run, not a quiet
# pass. On a laptop without them the same tests skip, each saying how to enable it.
CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _fail_skip(report, where):
    reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped under CI=true ({where}), which CI does not allow: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped:
        _fail_skip(report, "test")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped:
        _fail_skip(report, "module")
