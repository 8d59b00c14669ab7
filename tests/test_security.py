"""What a shared link or an uploaded file can make the app do: show its text, never run or render it.

Two kinds of checks. Behavioural (Streamlit AppTest, no browser): a crafted link and a crafted CSV are
opened, and everything the page would render as markdown is inspected. Streamlit renders markdown
without raw HTML unless ``unsafe_allow_html=True`` (st.info and st.error never render HTML), so a tag
shows as text; but markdown itself is active: ``![x](http://host/x.png)`` becomes an image the
browser fetches (telling its author who opened the link) and ``[log in](http://host)`` a link in the
app's own voice. User text must reach markdown inert: inside a code span, or with its markdown
characters escaped. A link's values and a file's bytes are never executed: pickles and Python
expressions put in a link or an upload leave no trace (a marker file they would create stays absent).

Static (ast): no module in core/, ui/, pages/ or app.py enables raw HTML, evals, or loads pickles with
NumPy or pandas. The app does deserialise, but only its own objects between its own processes: the
training pipe, st.cache_data, a disk cache, a Dask cluster all pickle; these live under ui/runtime/
only, and the behavioural tests above show that nothing a person sends reaches them as bytes. Each
checker is first shown to catch what it looks for.
"""
import ast
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


# --- the source: raw HTML, eval, pickles ----------------------------------------------------------
# Deserialisers: a pickle read back runs code, so each is allowed only where the app talks to itself.
DESERIALISERS = {"pickle", "cPickle", "_pickle", "dill", "joblib", "shelve", "marshal", "cloudpickle",
                 "multiprocessing", "diskcache", "dask", "distributed"}
RUNTIME = "ui/runtime/"
EVALS = {"eval", "exec", "compile", "__import__"}


def findings(source, filename="<probe>"):
    """``[(kind, readable line)]``: kind "active" for a raw-HTML switch, an eval or a pickle load from
    a file (forbidden everywhere), "deserialiser" for a module or cache that unpickles."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom)
                                                   and node.module else [])
            hits = {n.split(".")[0] for n in names} & DESERIALISERS
            if hits:
                found.append(("deserialiser", f"{where}: imports {', '.join(sorted(hits))}"))
        if isinstance(node, ast.Attribute) and node.attr == "cache_data":
            found.append(("deserialiser", f"{where}: st.cache_data (pickles each result)"))
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
        owner = fn.value.id if isinstance(fn, ast.Attribute) and isinstance(fn.value, ast.Name) else ""
        for kw in node.keywords:
            if kw.arg in ("unsafe_allow_html", "allow_pickle") and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False):
                found.append(("active", f"{where}: {name}({kw.arg}=...)"))
        if isinstance(fn, ast.Name) and fn.id in EVALS:
            found.append(("active", f"{where}: {fn.id}(...)"))
        if name == "html" and owner in ("st", "components"):
            found.append(("active", f"{where}: {owner}.html(...)"))
        if owner in ("pd", "pandas") and name == "read_pickle":
            found.append(("active", f"{where}: pandas.read_pickle(...)"))
    return found


def test_the_source_check_catches_what_it_looks_for():
    probe = ("import pickle\nfrom joblib import load\nimport numpy as np\nimport streamlit as st\n"
             "st.markdown(x, unsafe_allow_html=True)\nst.caption(x, unsafe_allow_html=flag)\n"
             "np.load(f, allow_pickle=True)\neval(s)\nexec(s)\nst.html(s)\npd.read_pickle(f)\n"
             "st.markdown(x, unsafe_allow_html=False)\nnp.load(f)\n"
             "from multiprocessing.connection import Connection\nimport diskcache\n"
             "from distributed import Client\n@st.cache_data\ndef f(): pass\n")
    found = findings(probe)
    text = "\n".join(f"{kind} {line}" for kind, line in found)
    for expected in ("deserialiser <probe>:1: imports pickle", "deserialiser <probe>:2: imports joblib",
                     "active <probe>:5: markdown(unsafe_allow_html", "active <probe>:6: caption(",
                     "active <probe>:7: load(allow_pickle", "eval(", "exec(", "st.html(", "read_pickle",
                     ":14: imports multiprocessing", ":15: imports diskcache", ":16: imports distributed",
                     ":17: st.cache_data"):
        assert expected in text, f"{expected!r} not caught in:\n{text}"
    assert ":12:" not in text and ":13:" not in text                      # the safe forms pass


def project_sources():
    yield APP
    for folder in ("core", "ui", "pages"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            yield from (os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".py"))


def source_findings():
    sources = list(project_sources())
    assert len(sources) > 10, sources                                     # the walk found the code
    found = []
    for path in sources:
        with open(path, encoding="utf-8") as f:
            found += findings(f.read(), os.path.relpath(path, ROOT).replace(os.sep, "/"))
    return found


def test_no_raw_html_eval_or_pickle_files_in_the_app():
    active_ = [line for kind, line in source_findings() if kind == "active"]
    assert not active_, "\n".join(active_)


def test_deserialisers_only_where_the_app_talks_to_itself():
    outside = [line for kind, line in source_findings() if kind == "deserialiser" and not line.startswith(RUNTIME)]
    assert not outside, f"unpickling outside {RUNTIME}:\n" + "\n".join(outside)
