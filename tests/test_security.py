"""What a shared link or an uploaded file can make the app do: show its text, never run or render it.

Two kinds of checks. Behavioural (Streamlit AppTest, no browser): a crafted link and a crafted CSV are
opened, and everything the page would render as markdown is inspected. Streamlit renders markdown
without raw HTML unless ``unsafe_allow_html=True`` (st.info and st.error never render HTML), so a tag
shows as text; but markdown itself is active: ``![x](http://host/x.png)`` becomes an image the
browser fetches (telling its author who opened the link) and ``[log in](http://host)`` a link in the
app's own voice. User text must reach markdown inert: inside a code span, or with its markdown
characters escaped. Static (ast): no module in core/, ui/, pages/ or app.py enables raw HTML or
unpickles, loads pickles with NumPy, or evals. Each checker is first shown to catch what it looks for.
"""
import ast
import os
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


# --- the source: raw HTML, pickles, eval ----------------------------------------------------------
PICKLERS = {"pickle", "cPickle", "_pickle", "dill", "joblib", "shelve", "marshal", "cloudpickle"}
EVALS = {"eval", "exec", "compile", "__import__"}


def findings(source, filename="<probe>"):
    """Every raw-HTML switch, unpickling path and eval in ``source``, as readable lines."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom)
                                                   and node.module else [])
            hits = {n.split(".")[0] for n in names} & PICKLERS
            if hits:
                found.append(f"{where}: imports {', '.join(sorted(hits))}")
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
        owner = fn.value.id if isinstance(fn, ast.Attribute) and isinstance(fn.value, ast.Name) else ""
        for kw in node.keywords:
            if kw.arg in ("unsafe_allow_html", "allow_pickle") and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False):
                found.append(f"{where}: {name}({kw.arg}=...)")
        if isinstance(fn, ast.Name) and fn.id in EVALS:
            found.append(f"{where}: {fn.id}(...)")
        if name == "html" and owner in ("st", "components"):
            found.append(f"{where}: {owner}.html(...)")
        if owner in ("pd", "pandas") and name == "read_pickle":
            found.append(f"{where}: pandas.read_pickle(...)")
    return found


def test_the_source_check_catches_what_it_looks_for():
    probe = ("import pickle\nfrom joblib import load\nimport numpy as np\nimport streamlit as st\n"
             "st.markdown(x, unsafe_allow_html=True)\nst.caption(x, unsafe_allow_html=flag)\n"
             "np.load(f, allow_pickle=True)\neval(s)\nexec(s)\nst.html(s)\npd.read_pickle(f)\n"
             "st.markdown(x, unsafe_allow_html=False)\nnp.load(f)\n")
    found = "\n".join(findings(probe))
    for expected in ("imports pickle", "imports joblib", "markdown(unsafe_allow_html", ":6: caption(",
                     "load(allow_pickle", "eval(", "exec(", "st.html(", "read_pickle"):
        assert expected in found, f"{expected!r} not caught in:\n{found}"
    assert ":12:" not in found and ":13:" not in found                    # the safe forms pass


def project_sources():
    yield APP
    for folder in ("core", "ui", "pages"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            yield from (os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".py"))


def test_no_raw_html_pickles_or_eval_in_the_app():
    sources = list(project_sources())
    assert len(sources) > 10, sources                                     # the walk found the code
    found = []
    for path in sources:
        with open(path, encoding="utf-8") as f:
            found += findings(f.read(), os.path.relpath(path, ROOT))
    assert not found, "\n".join(found)
