"""Every page in a real browser, as a person uses it: it opens without an error, its charts draw,
moving its main slider with the keyboard redraws them, the sidebar opens each page on its own settings,
and a shared link opens the same view. A full-page screenshot of each page lands in
artifacts/screenshots/. Shared pieces: browsing.py."""
import os
import re

import pytest

from browsing import (CHARTS, ERROR, GRADIENT_PAGES, NOTICE, PAGES, SLIDERS, assert_no_exception, expect,
                      full_page_screenshot, last_step, move_slider, open_page, open_url, plotly, signatures,
                      slider, slider_value, small_csv, wait_idle)

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
