"""What a crafted link or file can do in a real browser: nothing. No image or link planted on the page,
no request to another machine; and the watch that says so catches a browser error."""
import urllib.parse

import pytest

from browsing import APP, ERROR, NOTICE, PAGES, assert_no_exception, expect, open_page, small_csv, wait_idle


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
