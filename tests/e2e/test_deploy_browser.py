"""The app in Chromium through deploy/local's HAProxy (2 replicas): the page renders, a slider move
redraws its chart over the balanced websocket, and every answer the browser got came from the one
replica its SERVERID cookie names. A screenshot lands in artifacts/screenshots/deploy_start.png.
"""
import os
import shutil
import sys

import pytest

pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: "
                         "`pip install -r requirements-dev.txt` and `apt-get install chromium`")
expect = pw.expect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from load_processes import start_deploy, stop  # noqa: E402

APP = '[data-testid="stApp"]'
CHARTS = '[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"]'
EXCEPTION = '[data-testid="stException"]'
TIMEOUT = 90_000


@pytest.fixture(scope="module")
def balancer(playwright_api, tmp_path_factory):
    if shutil.which("haproxy") is None and not os.path.exists("/usr/sbin/haproxy"):
        pytest.skip("deploy/local needs HAProxy: `apt-get install haproxy`")
    log = str(tmp_path_factory.mktemp("deploy-browser") / "deploy-local.out")
    try:
        proc, url, _ = start_deploy(log, replicas=2, workers=1, timeout=240)
    except SystemExit as err:
        pytest.fail(f"{err}\n{open(log).read()[-5000:]}")
    yield url
    stop(proc, timeout=60)


def test_a_page_renders_through_the_balancer_and_stays_on_one_replica(page, watch, balancer, screenshot_dir):
    served = []
    page.on("response", lambda r: served.append(r.headers.get("x-served-by")) if r.url.startswith(balancer)
            else None)
    page.goto(f"{balancer}/bptt", timeout=TIMEOUT)
    expect(page.locator("h1", has_text="Backpropagation through time")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(APP)).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT)
    expect(page.locator(CHARTS).first).to_be_visible(timeout=TIMEOUT)
    assert page.locator(EXCEPTION).count() == 0

    # A slider move goes over the websocket through HAProxy, and the chart follows.
    label = page.locator('[data-testid="stWidgetLabel"]').get_by_text("Sequence length T", exact=True)
    thumb = page.locator('[data-testid="stSlider"]').filter(has=label).get_by_role("slider")
    before = thumb.input_value()
    thumb.focus()
    thumb.press("ArrowRight")
    expect(thumb).not_to_have_value(before, timeout=TIMEOUT)
    page.wait_for_function(f"document.querySelector('{APP}').dataset.testScriptState === 'notRunning'",
                           timeout=TIMEOUT)
    assert page.locator(EXCEPTION).count() == 0

    cookie = {c["name"]: c["value"] for c in page.context.cookies()}.get("SERVERID")
    assert cookie in ("r1", "r2")
    answered = [s for s in served if s]
    assert answered and set(answered) == {cookie}, served
    page.screenshot(path=os.path.join(screenshot_dir, "deploy_bptt.png"), full_page=True)
    watch.check()
