"""The app in a real browser: one Streamlit server for the session, Debian's Chromium driven by Playwright.

The server runs `streamlit run app.py` from the checkout on a free loopback port. The browser may only
talk to that server: every other request is aborted (and recorded, so a test can name it). When
Chromium or Playwright is missing the browser tests skip, saying how to get them.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--disable-quic"]
HOW_TO_ENABLE = ("browser tests need Debian's Chromium at /usr/bin/chromium and the playwright package: "
                 "`apt-get install chromium` and `pip install -r requirements-dev.txt` "
                 "(`playwright install` is not needed)")
SCREENSHOTS = os.path.join(ROOT, "artifacts", "screenshots")
LOOPBACK = ("http://127.0.0.1:", "http://localhost:", "ws://127.0.0.1:", "ws://localhost:")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script="app.py", timeout=90):
    """`streamlit run <script>` from the checkout on a free loopback port; returns (process, url, log).

    Waits until /_stcore/health answers; fails with the server's log if it dies or never answers."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{open(log.name).read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url, log.name
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"streamlit did not answer {url}/_stcore/health in {timeout} s:\n"
                               f"{open(log.name).read()}")
        time.sleep(0.2)      # polling a process that is starting: there is no app state to wait on yet


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def playwright_api():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not found; {HOW_TO_ENABLE}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(f"playwright is not installed; {HOW_TO_ENABLE}")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_api):
    b = playwright_api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


LOG_KEY = pytest.StashKey()


@pytest.fixture(scope="session")
def app_server(playwright_api):
    """The real app.py, served for the whole session (only started when a browser test runs)."""
    proc, url, log = start_server()
    yield url, log
    stop_server(proc)
    os.unlink(log)


@pytest.fixture
def app_url(app_server, request):
    url, log = app_server
    request.node.stash[LOG_KEY] = (log, os.path.getsize(log))
    return url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows what the server logged meanwhile: the page itself only says that
    an error happened (client.showErrorDetails = "none")."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and LOG_KEY in item.stash:
        log, start = item.stash[LOG_KEY]
        with open(log) as f:
            f.seek(start)
            text = f.read()[-20_000:]
        if text.strip():
            report.sections.append(("streamlit server log during this test", text))


class Watch:
    """What went wrong in the browser while a test ran: page errors, console errors, failed requests.

    Requests off the loopback are aborted and listed apart (``outside``). Streamlit's client first
    probes its endpoints under the page's path (/bptt/_stcore/health, .../host-config) and gets 404s
    before finding the root ones: those are expected. Console lines "Failed to load resource" are the
    browser's echo of a failed request, which is checked here request by request instead."""

    EXPECTED_404 = ("/_stcore/health", "/_stcore/host-config")

    def __init__(self):
        self.page_errors, self.console_errors, self.bad_responses, self.outside = [], [], [], []

    def on_console(self, msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.console_errors.append(msg.text)

    def on_response(self, response):
        path = response.url.split("?")[0]
        if response.status >= 400 and not (response.status == 404 and path.endswith(self.EXPECTED_404)):
            self.bad_responses.append(f"{response.status} {response.url}")

    def route(self, route):
        if route.request.url.startswith(LOOPBACK):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def check(self):
        assert not self.page_errors, f"browser page errors: {self.page_errors}"
        assert not self.console_errors, f"browser console errors: {self.console_errors}"
        assert not self.bad_responses, f"failed requests to the app: {self.bad_responses}"


@pytest.fixture
def watch():
    return Watch()


@pytest.fixture
def page(browser, watch):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", watch.route)
    context.set_default_timeout(60_000)
    p = context.new_page()
    p.on("pageerror", lambda err: watch.page_errors.append(str(err)))
    p.on("console", watch.on_console)
    p.on("response", watch.on_response)
    yield p
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir():
    os.makedirs(SCREENSHOTS, exist_ok=True)
    return SCREENSHOTS
