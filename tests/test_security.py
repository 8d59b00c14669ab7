"""What a shared link or an uploaded file can make the app do: show its text, never run or render it.

Behavioural (Streamlit AppTest, no browser): a crafted link and a crafted CSV are opened, and
everything the page would render as markdown is inspected. Streamlit renders markdown
without raw HTML unless ``unsafe_allow_html=True`` (st.info and st.error never render HTML), so a tag
shows as text; but markdown itself is active: ``![x](http://host/x.png)`` becomes an image the
browser fetches (telling its author who opened the link) and ``[log in](http://host)`` a link in the
app's own voice. User text must reach markdown inert: inside a code span, or with its markdown
characters escaped. A link's values and a file's bytes are never executed: pickles and Python
expressions put in a link or an upload leave no trace (a marker file they would create stays absent).
The source itself is checked by test_source_scan.py.
"""
import base64
import os
import pickle
import re

import pytest
from streamlit.testing.v1 import AppTest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "app.py")
EVIL = "http://evil.example"
IMAGE = f"![t]({EVIL}/t.png)"
LINK = f"[log in]({EVIL}/login)"
TAG = "<img src=x onerror=alert(1)>"
BREAKOUT = f"x` {LINK} `"              # a key that closes the code span it is put in


# --- markdown: which text is active ---------------------------------------------------------------
def code_spans(md):
    """``[(start, end)]`` of CommonMark code spans in ``md`` (backtick runs of equal length; a
    backslash-escaped backtick opens none)."""
    spans, i = [], 0
    while i < len(md):
        if md[i] == "\\":
            i += 2
            continue
        if md[i] != "`":
            i += 1
            continue
        j = i
        while j < len(md) and md[j] == "`":
            j += 1
        run = j - i
        close = re.compile(r"(?<!`)`{%d}(?!`)" % run).search(md, j)
        if close is None:
            i = j                            # no closing run: these backticks are literal
            continue
        spans.append((i, close.end()))
        i = close.end()
    return spans


def active(md):
    """The text of ``md`` that markdown interprets: code spans blanked, escaped characters blanked."""
    chars = list(md)
    for a, b in code_spans(md):
        chars[a:b] = " " * (b - a)
    out, i = [], 0
    while i < len(chars):
        if chars[i] == "\\" and i + 1 < len(chars) and not chars[i + 1].isalnum():
            out += "  "
            i += 2
        else:
            out.append(chars[i])
            i += 1
    return "".join(out)


def test_the_markdown_check_tells_inert_from_active_text():
    assert IMAGE in active(f"bad value '{IMAGE}'")                         # plain: active
    assert LINK in active(f"`key` and {LINK}")
    assert IMAGE not in active(f"bad value `{IMAGE}`")                     # a code span: inert
    assert IMAGE not in active("bad value " + re.sub(r"([!\[\]()])", r"\\\1", IMAGE))   # escaped
    assert LINK in active(f"`{BREAKOUT}`")                                 # broken out of its span
    assert LINK not in active(f"`` {BREAKOUT} ``")                         # a longer fence holds it


# --- what a page renders --------------------------------------------------------------------------
def rendered(at):
    """``[(what, markdown, html_allowed)]`` for everything the page renders as markdown."""
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error",
                 "success", "toast"):
        for el in getattr(at, kind, []):
            p = el.proto
            body = getattr(p, "body", None) or getattr(el, "value", "")
            out.append((kind, str(body), bool(getattr(p, "allow_html", False))))
    for el in at.get("html"):
        out.append(("html", el.proto.body, True))
    return out


def assert_inert(at, payloads, where):
    texts = rendered(at)
    assert texts, f"{where}: the page rendered nothing to check"
    for kind, md, html in texts:
        for payload in payloads:
            if payload in md or TAG in md:
                assert not html, f"{where}: {kind} renders HTML and shows user text: {md[:300]}"
            assert payload not in active(md), \
                f"{where}: {kind} shows the user text {payload!r} as live markdown:\n{md[:500]}"


def test_the_page_check_catches_live_markdown():
    """assert_inert on a page that shows a link's value raw must fail."""
    at = AppTest.from_string(f"import streamlit as st\nst.info(st.query_params.get('v', ''))")
    at.query_params["v"] = IMAGE
    at.run()
    with pytest.raises(AssertionError, match="live markdown"):
        assert_inert(at, [IMAGE], "probe")
    at = AppTest.from_string("import streamlit as st\nst.markdown(st.query_params.get('v', ''), "
                             "unsafe_allow_html=True)")
    at.query_params["v"] = TAG
    at.run()
    with pytest.raises(AssertionError, match="renders HTML"):
        assert_inert(at, [IMAGE], "probe")


def open_page(page, **query):
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", ["bptt", "forward", "training"])
def test_a_crafted_link_is_shown_as_text(page):
    """Bad values and unknown keys are named in the notice; none of them turns into markup."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"seq_len": IMAGE, "seed": LINK, "task": TAG, BREAKOUT: "1"}.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    notice = " ".join(el.value for el in at.info)
    assert "could not be used" in notice and "evil.example" in notice     # the person is told which
    assert_inert(at, [IMAGE, LINK], f"{page} with a crafted link")


def upload(at, name, data):
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception


def test_a_crafted_csv_is_shown_as_text():
    """A file's name, its header and its cells are shown back (readings, options, errors)."""
    at = open_page("your_data", source="upload")
    rows = "".join(f"{i},{i % 7}.5,{i % 5}\n" for i in range(60))
    upload(at, f"{IMAGE}.csv", f"day,{IMAGE},{LINK}\n{rows}".encode())
    assert any("evil.example" in md for _, md, _ in rendered(at)), "the header is not shown back"
    assert_inert(at, [IMAGE, LINK], "your_data with a crafted name and header")

    text = "a,b\n" + "".join(f"{IMAGE},{LINK}\n" for _ in range(30))
    upload(at, "cells.csv", text.encode())
    assert at.error, "a file of text cells gets no error"
    assert_inert(at, [IMAGE, LINK], "your_data's error on crafted cells")


# --- nothing sent is executed: pickles and expressions in links and uploads ------------------------
class _Creates:
    """Unpickling this opens ``path`` for writing, creating the file: proof that it was unpickled."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def payloads(marker):
    """A pickle (raw and in base64) and a Python expression (no comma: it stays one CSV cell), each of
    which creates ``marker`` if run."""
    raw = pickle.dumps(_Creates(str(marker)))
    return raw, base64.b64encode(raw).decode(), f"__import__('pathlib').Path({str(marker)!r}).touch()"


def test_the_payloads_do_create_the_marker_when_run(tmp_path):
    marker = tmp_path / "ran"
    raw, b64, expr = payloads(marker)
    for run in (lambda: pickle.loads(raw).close(), lambda: pickle.loads(base64.b64decode(b64)).close(),
                lambda: eval(expr)):     # noqa: S307  (the probe must run it once)
        run()
        assert marker.exists()
        marker.unlink()


@pytest.mark.parametrize("page", ["bptt", "training"])
def test_pickles_and_expressions_in_a_link_are_never_run(page, tmp_path):
    marker = tmp_path / "ran"
    _, b64, expr = payloads(marker)
    at = open_page(page, seq_len=expr, seed=b64, task=expr, **{expr: b64, "run": b64})
    assert not marker.exists(), f"{page}: a value of the link was executed"
    notice = " ".join(el.value for el in at.info)
    assert "could not be used" in notice and "__import__" in notice          # said, as text
    assert_inert(at, [expr], f"{page} with expressions in the link")


def test_pickles_and_expressions_in_an_upload_are_never_run(tmp_path):
    marker = tmp_path / "ran"
    raw, b64, expr = payloads(marker)
    at = open_page("your_data", source="upload")
    upload(at, "data.csv", raw)                                    # a pickle, named as a CSV
    assert at.error and not marker.exists()
    upload(at, "data.csv", b64.encode())                           # the same pickle as text
    assert not marker.exists()
    rows = "".join(f"{i},{i % 7}.5,{expr}\n" for i in range(40))  # a column of expressions
    upload(at, "exprs.csv", f"day,temp,code\n{rows}".encode())
    assert not marker.exists()
    assert set(at.dataframe[0].value["code"]) == {expr}, "the cells are not shown back as text"
    assert_inert(at, [expr], "your_data with expressions in its cells")
    rows = "".join(f"{i},2+2\n" for i in range(40))               # arithmetic is text, not 4
    upload(at, "sums.csv", f"day,total\n{rows}".encode())
    assert set(at.dataframe[0].value["total"]) == {"2+2"}
    assert "columns of numbers: `day`." in " ".join(el.value for el in at.caption)
