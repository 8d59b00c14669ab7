"""The guided lesson and the success-against-length page in a real browser, as a student uses them: walk
every step with Next, play the step-through (the browser animates it by itself), and run a small sweep to
completion. A screenshot of every step and of the finished sweep lands in artifacts/screenshots/."""
import os

import pytest

from browsing import APP, CHARTS, assert_no_exception, expect, full_page_screenshot, wait_idle
from ui.lesson.steps import STEPS

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

TITLE = "A guided lesson: backpropagation through time"
FIRST = 240_000     # ms: a step's first opening builds its runs and frames, on a shared 2-core machine


def open_url(page, url, title):
    page.goto(url)
    expect(page.locator("h1", has_text=title)).to_be_visible(timeout=FIRST)
    expect(page.locator(CHARTS).first).to_be_visible(timeout=FIRST)
    wait_idle(page)
    assert_no_exception(page)


def header(page):
    return page.locator("h2").first.inner_text()


def test_walk_the_whole_lesson_and_play_the_step_through(page, app_url, watch, screenshot_dir):
    open_url(page, f"{app_url}/lesson", TITLE)
    for k, step in enumerate(STEPS, start=1):
        expect(page.locator("h2", has_text=f"{k}. {step.title}")).to_be_visible()
        expect(page.locator(CHARTS).nth(len(step.views) - 1)).to_be_visible(timeout=FIRST)
        wait_idle(page)
        assert_no_exception(page)
        expect(page.get_by_text("What to notice.")).to_be_visible()
        assert f"step={k}" in page.url or k == 1
        full_page_screenshot(page, os.path.join(screenshot_dir, f"lesson-{k}.png"))
        if step.key == "backward":
            play_the_step_through(page, step.setup["seq_len"])
        if k < len(STEPS):
            page.get_by_role("button", name="Next →").first.click()
    expect(page.get_by_role("button", name="Next →").first).to_be_disabled()
    watch.check()


def play_the_step_through(page, T):
    """Press Play: the browser moves the gradient back frame by frame with no rerun of the script."""
    plot = page.locator(".js-plotly-plot").first
    reached = "el => el.data[1].x.length"          # the strip's coloured steps: those reached
    assert plot.evaluate(reached) == 1                       # only the loss step at first
    plot.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function("(n) => document.querySelectorAll('.js-plotly-plot')[0].data[1].x.length >= n",
                           arg=5)
    # mid-animation the script is idle: the frames came with the figure
    assert page.evaluate(f"() => document.querySelector('{APP}').dataset.testScriptState") == "notRunning"
    # played to the end, every step is reached. (Pause is not pressed here: plotly.js rejects the
    # interrupted animation's promise unhandled, which the page-error watch would count.)
    page.wait_for_function("(n) => document.querySelectorAll('.js-plotly-plot')[0].data[1].x.length === n",
                           arg=T)
    assert plot.evaluate("el => el.data[2].x.length") == 0     # no step left unreached
    wait_idle(page)


def test_a_link_opens_step_k(page, app_url, watch):
    open_url(page, f"{app_url}/lesson?step=7", TITLE)
    expect(page.locator("h2", has_text=f"7. {STEPS[6].title}")).to_be_visible()
    watch.check()


def test_the_sweep_runs_to_completion_and_fills_the_chart(page, app_url, watch, screenshot_dir):
    open_url(page, f"{app_url}/long_lag?longest=20&seeds=1&steps=300", "Success against length")
    expect(page.get_by_text("4 of 4 runs finished.")).to_be_visible(timeout=240_000)
    wait_idle(page)
    assert_no_exception(page)
    names = page.locator(".js-plotly-plot").first.evaluate(
        "el => el.data.filter(d => d.name).map(d => [d.name, d.x.length])")
    assert sorted(names) == [["LSTM", 2], ["plain RNN (tanh)", 2]]
    full_page_screenshot(page, os.path.join(screenshot_dir, "long-lag.png"))
    watch.check()
