"""Every page in a real browser, as a person uses it: it opens without an error, its charts draw,
moving its main slider with the keyboard redraws them, and a shared link opens the same view.

Tests wait on the app's own state (``data-test-script-state`` on the app root) and on the change they
expect in the DOM, never on sleeps. A full-page screenshot of each page lands in artifacts/screenshots/.
"""
import os
import re
import urllib.parse
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


# --- every page ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PAGES))
def test_page_opens_draws_and_redraws_when_its_slider_moves(name, page, app_url, watch, screenshot_dir):
    spec = PAGES[name]
    open_page(page, app_url, spec.path, spec.title, spec.charts)
    full_page_screenshot(page, os.path.join(screenshot_dir, f"{name}.png"))
    if spec.slider:
        before, after = move_slider(page, spec.slider, spec.keys, spec.chart)
        assert slider_value(page, spec.slider) == spec.value
        assert after[spec.chart] != before[spec.chart], f"chart {spec.chart} did not change"
        assert_no_exception(page)
    watch.check()


def test_start_page_preset_opens_bptt_already_set_up(page, app_url, watch):
    open_page(page, app_url, "", PAGES["start"].title)
    page.locator('[data-testid="stPageLink"] a[href*="spectral_radius=0.5"]').click()
    expect(page.locator("h1", has_text=PAGES["bptt"].title)).to_be_visible()
    wait_idle(page)
    page.wait_for_url("**/bptt**")          # the address bar follows the page (it may lag its title)
    expect(slider(page, "Spectral radius ρ(W_hh)")).to_have_value("0.5")
    assert_no_exception(page)
    watch.check()


def test_your_data_trains_on_an_uploaded_csv(page, app_url, watch):
    """The upload goes through the browser (multipart PUT with the XSRF cookie), then the page trains
    on it and draws the loss and one forecast per chosen column."""
    open_page(page, app_url, "your_data?source=upload&steps=50", PAGES["your_data"].title, charts=0)
    expect(page.locator(NOTICE, has_text="Upload a file")).to_be_visible()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "levels.csv", "mimeType": "text/csv", "buffer": small_csv()}])
    expect(page.locator(NOTICE, has_text="Choose one or more columns")).to_be_visible()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"levels\.csv.*120 rows.*level, flow"))).to_be_visible()
    columns = page.locator('[data-testid="stMultiSelect"]').get_by_role("combobox")
    columns.click()
    columns.fill("level")
    page.get_by_role("option", name="level", exact=True).click()
    expect(page.get_by_text("Forecast on the held-out rows")).to_be_visible()
    expect(page.locator(CHARTS)).to_have_count(2)              # the loss and the forecast of "level"
    wait_idle(page)
    assert_no_exception(page)
    watch.check()


def test_going_through_the_sidebar_opens_each_page_on_its_own_settings(page, app_url, watch):
    """The Training lab's ρ slider starts at 0 and its T at 20; RNN vs LSTM's ρ goes from 0.05 and
    its T is 100. Through the sidebar the second page used to inherit the first's values: its ρ
    slider raised (below its minimum) and the page showed an exception."""
    open_page(page, app_url, "training", PAGES["training"].title, PAGES["training"].charts)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(PAGES["compare"].title, exact=True).click()
    expect(page.locator("h1", has_text=PAGES["compare"].title)).to_be_visible()
    expect(page.locator(CHARTS).nth(PAGES["compare"].charts - 1)).to_be_visible()
    wait_idle(page)
    assert_no_exception(page)
    expect(slider(page, "Sequence length T")).to_have_value("100")
    expect(slider(page, "Spectral radius ρ(W_hh)")).to_have_value("0.9")
    watch.check()


# --- shared links --------------------------------------------------------------------------------
def test_shared_link_opens_the_same_view(page, app_url, watch):
    open_page(page, app_url, "bptt?seq_len=300&activation=linear&spectral_radius=1.5",
              PAGES["bptt"].title, 4)
    assert slider_value(page, "Sequence length T") == "300"
    assert slider_value(page, "Spectral radius ρ(W_hh)") == "1.5"
    assert last_step(page) == 299                                           # the heatmap's x axis
    expect(page.get_by_text("of the one at t = 299")).to_be_visible()
    expect(page.locator(NOTICE)).to_have_count(0)
    checked = [r.evaluate("e => e.labels[0]?.innerText ?? e.getAttribute('aria-label')")
               for r in page.get_by_role("radiogroup", name="Activation φ").get_by_role("radio").all()
               if r.is_checked()]
    assert len(checked) == 1 and checked[0].startswith("linear"), \
        f"activation=linear in the link was dropped: the page shows {checked}"
    watch.check()


def test_a_link_copied_from_the_address_bar_reopens_what_was_on_screen(page, app_url, watch):
    """The promise on the Start page: copy the address bar to share exactly what you see, with or
    without the controls."""
    open_page(page, app_url, "bptt", PAGES["bptt"].title, 4)
    page.get_by_role("radiogroup", name="Activation φ").get_by_text("linear", exact=True).click()
    page.wait_for_url("**activation=**")
    wait_idle(page)
    move_slider(page, "Sequence length T", ("ArrowRight",))
    page.wait_for_url("**seq_len=101**")
    shown = signatures(page)
    link = page.url
    for suffix in ("", "&controls=hidden"):
        other = page.context.new_page()
        open_url(other, link + suffix, PAGES["bptt"].title, 4)
        notices = other.locator(NOTICE)
        assert notices.count() == 0, f"{link + suffix} says: {notices.first.inner_text()}"
        assert signatures(other) == shown, f"{link + suffix} draws other charts than the page it came from"
        other.close()
    watch.check()


@pytest.mark.parametrize("name", GRADIENT_PAGES)
def test_controls_hidden_link_shows_the_view_without_widgets(name, page, app_url, watch):
    spec = PAGES[name]
    open_page(page, app_url, f"{spec.path}?controls=hidden&seq_len=60", spec.title, spec.charts)
    expect(page.locator(SLIDERS)).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.locator(NOTICE)).to_have_count(0)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)   # projector mode: no sidebar
    expect(page.locator('[data-testid="stSidebar"]')).to_have_count(0)
    assert last_step(page) == 59                                            # T = 60, from the link
    watch.check()


def test_garbage_link_gets_a_notice_and_defaults(page, app_url, watch):
    open_page(page, app_url, "bptt?seq_len=abc&foo=1", PAGES["bptt"].title, 4)
    notice = page.locator(NOTICE)
    expect(notice).to_contain_text("could not be used")
    expect(notice).to_contain_text("abc is not a number")
    expect(notice).to_contain_text("foo")
    assert slider_value(page, "Sequence length T") == "100"
    assert last_step(page) == 99
    assert_no_exception(page)
    watch.check()


def test_overflow_is_said_and_drawn(page, app_url, watch):
    open_page(page, app_url, "bptt?activation=linear&spectral_radius=2&seq_len=1000",
              PAGES["bptt"].title, 4)
    error = page.locator(ERROR)
    expect(error).to_have_count(1)                                   # said once
    expect(error).to_contain_text(re.compile(r"overflowed at step \d+"))   # where, not "inf"
    marked = plotly(page, 0, "el.data.some(t => String(t.hovertemplate).includes('overflow: inf or NaN'))")
    assert marked, "the heatmap does not mark its non-finite cells"
    assert_no_exception(page)
    watch.check()


# --- what a crafted link or file can do ----------------------------------------------------------
EVIL = "http://evil.example"


def assert_nothing_from(page, watch, where):
    """No element of the app points at EVIL and the browser asked it for nothing."""
    planted = page.locator(f'{APP} img[src^="{EVIL}"], {APP} a[href^="{EVIL}"]')
    assert planted.count() == 0, (f"{where} put {planted.count()} image(s)/link(s) to {EVIL} on the page: "
                                  f"{planted.first.evaluate('e => e.outerHTML')}")
    assert not [u for u in watch.outside if u.startswith(EVIL)], f"{where} made the browser fetch {EVIL}"


def test_a_crafted_link_cannot_put_images_or_links_on_the_page(page, app_url, watch):
    """A link's values are shown back in the notice: as text, never as markup (an image from the
    link's author would tell them who opened it; a link would lend the app's voice to a phishing
    page)."""
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    query = urllib.parse.urlencode({"seq_len": f"![t]({EVIL}/t.png)",
                                    "activation": "<img src=x onerror=alert(1)>",
                                    f"x` [log in]({EVIL}/login) `": "1"})
    open_page(page, app_url, f"bptt?{query}", PAGES["bptt"].title, 4)
    expect(page.locator(NOTICE)).to_contain_text("could not be used")
    assert not dialogs and page.locator(f'{APP} img[src="x"]').count() == 0, "raw HTML from the link ran"
    assert_nothing_from(page, watch, "a crafted link")
    watch.check()


def test_a_crafted_csv_cannot_put_images_or_links_on_the_page(page, app_url, watch):
    """A file's name, header and cells are shown back (preview, readings, errors): as text only."""
    open_page(page, app_url, "your_data?source=upload&steps=50", PAGES["your_data"].title, charts=0)
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    header = ("day", f"![h]({EVIL}/h.png)", f"[log in]({EVIL}/login)")
    uploader.set_input_files(files=[{"name": f"![f]({EVIL}/f.png).csv", "mimeType": "text/csv",
                                     "buffer": small_csv(header)}])
    expect(page.locator(NOTICE, has_text="Choose one or more columns")).to_be_visible()
    wait_idle(page)
    assert_nothing_from(page, watch, "a crafted CSV's name and header")
    text_only = "a,b\n" + "".join(f"![c]({EVIL}/c{i}.png),x\n" for i in range(30))
    uploader.set_input_files(files=[{"name": "cells.csv", "mimeType": "text/csv",
                                     "buffer": text_only.encode()}])
    expect(page.locator(ERROR)).to_contain_text("cells.csv cannot be used")
    wait_idle(page)
    assert_nothing_from(page, watch, "a crafted CSV's cells, quoted in the error")
    assert_no_exception(page)


def test_the_pages_ask_for_nothing_off_this_machine(page, app_url, watch):
    """A class on a school network, or offline: the app's pages load everything from the app's server."""
    for name in ("start", "bptt"):
        open_page(page, app_url, PAGES[name].path, PAGES[name].title)
    assert not watch.outside, f"the pages asked for addresses off this machine: {sorted(set(watch.outside))}"


def test_the_watch_catches_a_browser_error(page, app_url, watch):
    """The checks above can fail: an uncaught error in the page is reported."""
    open_page(page, app_url, "bptt", PAGES["bptt"].title)
    with page.expect_event("pageerror"):
        page.evaluate("setTimeout(() => { throw new Error('boom from the test') }, 0)")
    with pytest.raises(AssertionError, match="boom from the test"):
        watch.check()


# --- a class opening the link at once, right after the server starts -----------------------------
def open_at_once(url, pages):
    """Open every page in its own session at the same instant over Streamlit's websocket protocol, as
    a class's browsers do; return per session (the page names its navigation lists, exceptions)."""
    import threading
    import urllib.request

    websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    barrier, results = threading.Barrier(len(pages)), {}

    def session(n, page):
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as r:
            cookie = r.headers["Set-Cookie"].split(";")[0]
        barrier.wait()
        ws = websocket.create_connection(url.replace("http", "ws") + "/_stcore/stream", timeout=90,
                                         subprotocols=["streamlit", cookie.split("=", 1)[1]],
                                         origin=url, cookie=cookie)
        msg = BackMsg()
        msg.rerun_script.page_name = page
        ws.send_binary(msg.SerializeToString())
        nav, exceptions = [], 0
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                nav = [p.page_name for p in fwd.navigation.app_pages]
            elif kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                exceptions += 1
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                break
        ws.close()
        results[n] = (nav, exceptions)

    threads = [threading.Thread(target=session, args=(n, p)) for n, p in enumerate(pages)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return [results.get(n) for n in range(len(pages))]


def test_a_class_opening_links_on_a_fresh_server_gets_the_app(playwright_api):
    """Right after a (re)start, eight sessions open pages at once. Each must run through app.py (its
    navigation lists the page titles, not file names) and show no exception. Streamlit treats a
    `pages/` folder beside the entry point as old-style multipage until the first st.navigation call
    ends, so sessions that start before that run their page without app.py."""
    from conftest import start_server, stop_server

    proc, url, log = start_server()
    try:
        pages = ["bptt", "compare", "forward", "lstm_gates", "", "bptt", "compare", "forward"]
        got = open_at_once(url, pages)
    finally:
        stop_server(proc)
    with open(log) as f:
        server_log = f.read()
    os.unlink(log)
    assert all(got), f"a session did not finish: {got}"
    wrong = [(p or "start", nav[:3]) for p, (nav, _) in zip(pages, got) if "Start here" not in nav]
    assert not wrong, f"sessions ran their page without app.py (file-name navigation): {wrong}"
    broken = sum(e for _, e in got)
    assert broken == 0, f"{broken} sessions showed an exception; the server logged:\n{server_log[-3000:]}"
