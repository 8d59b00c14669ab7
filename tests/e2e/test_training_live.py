"""The Training lab in Chromium while a run goes: the page answers at once, the loss chart redraws
while the run trains, the run ends drawn in full, and a moved control is said to differ from the run."""
import os

from playwright.sync_api import expect

from browsing import APP, CHART_SIGNATURES, CHARTS, assert_no_exception, full_page_screenshot, signatures, slider, wait_idle

PROGRESS = '[data-testid="stProgress"]'
WARNING = '[data-testid="stAlertContentWarning"]'
# long enough to watch: at T = 100 the LSTM needs over a thousand steps to solve (bench/bench_longlag.py),
# so the run cannot end before its chart has redrawn (at T = 20 it solved within seconds on a quiet machine)
LONG = "training?model=lstm&task=adding&seq_len=100&hidden_size=32&steps=1000&seed=41"


def test_the_training_lab_shows_its_run_live_and_then_in_full(page, app_url, watch, screenshot_dir):
    page.goto(f"{app_url}/{LONG}")
    expect(page.locator("h1", has_text="Training lab")).to_be_visible(timeout=180_000)
    expect(page.locator(PROGRESS).first).to_be_visible()                 # the run's state, at once
    expect(page.get_by_role("button", name="Train", exact=True)).to_be_in_viewport()
    expect(page.locator(CHARTS).first).to_be_visible(timeout=90_000)     # the loss so far
    first = signatures(page)[0]
    page.wait_for_function(f"(before) => document.querySelector('{PROGRESS}') !== null && "
                           f"({CHART_SIGNATURES})()[0] !== before", arg=first, timeout=60_000)
    expect(page.locator(PROGRESS).first).to_be_visible()                 # redrawn while still running
    full_page_screenshot(page, os.path.join(screenshot_dir, "training-live-running.png"))
    assert_no_exception(page)

    expect(page.locator(PROGRESS)).to_have_count(0, timeout=600_000)      # done: drawn in full
    expect(page.locator(CHARTS)).to_have_count(5)
    wait_idle(page)
    full_page_screenshot(page, os.path.join(screenshot_dir, "training-live-done.png"))

    thumb = slider(page, "Random seed")
    thumb.focus()
    thumb.press("ArrowRight")
    expect(page.locator(WARNING, has_text="Random seed 41 → 42")).to_be_visible()
    expect(page.locator(WARNING, has_text="Press Train to run them.")).to_be_visible()
    expect(page.locator(WARNING, has_text="Changed since the run shown")).to_be_visible()   # sidebar
    assert page.locator(APP).count() == 1
    assert_no_exception(page)
    watch.check()
