"""What the browser tests share: Playwright's expect, the app's selectors, the pages and their main
sliders, and helpers that wait on the app's own state (``data-test-script-state`` on the app root) and
on the change a test expects in the DOM, never on sleeps."""
from dataclasses import dataclass

import numpy as np
import pytest

from core.training.config import TrainConfig

pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: "
                         "`pip install -r requirements-dev.txt` and `apt-get install chromium`")
expect = pw.expect
expect.set_options(timeout=60_000)      # a training run on a busy 2-core machine takes seconds

APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
PLOTS = '.js-plotly-plot'
CHARTS = '[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"]'
SLIDERS = '[data-testid="stSlider"]'
NOTICE = '[data-testid="stAlertContentInfo"]'
ERROR = '[data-testid="stAlertContentError"]'

# One string per chart, in page order: a hash of what it draws (Plotly: its data, shapes, annotations
# and title; Vega: its SVG or canvas). Two equal strings mean the chart did not change. A chart the
# last rerun left stale (greyed, about to be removed) is not counted.
CHART_SIGNATURES = """() => {
  const h = s => { let x = 2166136261;
    for (let i = 0; i < s.length; i++) { x ^= s.charCodeAt(i); x = Math.imul(x, 16777619); }
    return (x >>> 0).toString(16) + '/' + s.length; };
  return [...document.querySelectorAll('.js-plotly-plot, [data-testid="stVegaLiteChart"]')]
      .filter(el => !el.closest('[data-stale="true"]')).map(el => {
    if (el.classList.contains('js-plotly-plot'))
      return h(JSON.stringify([el.data, el.layout.shapes, el.layout.annotations, el.layout.title]));
    const c = el.querySelector('canvas');
    return h(c ? c.toDataURL() : el.innerHTML);
  });
}"""
IDLE = f"document.querySelector('{APP}').dataset.testScriptState === 'notRunning'"


@dataclass(frozen=True)
class Page:
    path: str            # URL path under the app's root ("" is the default page)
    title: str           # the page's h1
    charts: int          # how many charts it draws at least
    slider: str = None   # its main slider's label
    keys: tuple = ()     # what to press on it
    value: str = None    # the slider's value after that
    chart: int = 0       # which chart (page order) the move must change


PAGES = {
    "start": Page("", "See backpropagation through time", 1),
    "forward": Page("forward", "RNN forward pass", 3, "Step t", ("End",), "99"),
    "bptt": Page("bptt", "Backpropagation through time", 4, "Sequence length T", ("ArrowRight",), "101"),
    "lstm_gates": Page("lstm_gates", "LSTM gates", 7, "Forget-gate bias b_f", ("ArrowRight",), "4.25"),
    "compare": Page("compare", "RNN vs LSTM", 3, "Forget-gate bias b_f", ("End",), "5", chart=1),
    # a run stops once solved, so a longer budget can draw the same curves: the seed changes the run
    "training": Page("training", "Training lab", 5, "Random seed", ("ArrowRight",), str(TrainConfig.seed + 1)),
    "your_data": Page("your_data", "Your data", 3, "Window length T (rows)", ("ArrowRight",), "25"),
}
GRADIENT_PAGES = ("forward", "bptt", "lstm_gates", "compare")       # their first chart's x axis is t


# --- helpers -------------------------------------------------------------------------------------
def wait_idle(page):
    expect(page.locator(APP)).to_have_attribute("data-test-script-state", "notRunning")


def open_page(page, app_url, path, title, charts=1):
    """Go to the page, wait for its title, the end of its script run and its charts to be on screen."""
    open_url(page, f"{app_url}/{path}", title, charts)


def open_url(page, url, title, charts=1):
    page.goto(url)
    expect(page.locator("h1", has_text=title)).to_be_visible()
    if charts:
        expect(page.locator(CHARTS).nth(charts - 1)).to_be_visible()
    wait_idle(page)
    for chart in page.locator(CHARTS).all():
        expect(chart).to_be_visible()
    assert_no_exception(page)


def assert_no_exception(page):
    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, f"exception on the page: {boxes.first.inner_text()[:2000]}"


def signatures(page):
    return page.evaluate(CHART_SIGNATURES)


def slider(page, label):
    """The slider's thumb (an <input type="range">, role "slider") under the label `label`."""
    label = page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
    return page.locator(SLIDERS).filter(has=label).get_by_role("slider")


def slider_value(page, label):
    return slider(page, label).input_value()


def move_slider(page, label, keys, chart=None):
    """Focus the slider and press keys; return the chart signatures before and after, once a chart
    changed, every chart that was there is drawn again (a training page draws its live charts while
    the run goes, then all of them) and the rerun has finished."""
    before = signatures(page)
    thumb = slider(page, label)
    thumb.focus()
    for key in keys:
        thumb.press(key)
    train = page.get_by_role("button", name="Train", exact=True)
    if train.count():                   # the training pages train on a press
        train.click()
    # The signatures are read in the same evaluation that sees the page idle and redrawn: a training
    # page's live view reruns the whole page when its run ends, and a later read could fall into it.
    # ``chart``: wait for that one to change (Vega draws a chart after the page is idle).
    after = page.wait_for_function(
        f"([before, chart]) => {{ const now = ({CHART_SIGNATURES})(); return {IDLE} && JSON.stringify(now) "
        f"!== JSON.stringify(before) && document.querySelectorAll('{CHARTS}').length >= before.length "
        "&& now.length >= before.length && (chart === null || now[chart] !== before[chart]) && now; }",
        arg=[before, chart], timeout=180_000).json_value()
    wait_idle(page)
    return before, after


def plotly(page, n, expression):
    """Evaluate `expression` on the n-th Plotly chart (`el` is its graph div)."""
    return page.locator(PLOTS).nth(n).evaluate(f"el => {expression}")


def last_step(page):
    """The last time step the first Plotly chart reaches (its x axis ends half a cell after it)."""
    return plotly(page, 0, "el._fullLayout.xaxis.range[1]") - 0.5


def full_page_screenshot(page, path):
    """Streamlit scrolls inside its main block, so grow the viewport to the content, then shoot."""
    height = page.evaluate("""() => Math.max(900, ...['stMain', 'stSidebarContent'].map(id => {
        const e = document.querySelector(`[data-testid="${id}"]`); return e ? e.scrollHeight : 0; }))""")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(height, 16000)})
    wait_idle(page)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)


def small_csv(header=("day", "level", "flow"), n=120):
    """A table a person might upload: a date column and two smooth numeric series."""
    t = np.arange(n)
    rows = [f"2024-01-{1 + i % 28:02d},{np.sin(i / 6):.4f},{np.cos(i / 9) + 2:.4f}" for i in t]
    return ("\n".join([",".join(header)] + rows) + "\n").encode()
