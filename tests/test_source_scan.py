"""The source, read statically (ast): no module in core/, ui/, pages/ or app.py enables raw HTML,
evals, or loads pickles with NumPy or pandas. The app does deserialise, but only its own objects between
its own processes: the training pipe, st.cache_data, a disk cache, a Dask cluster all pickle; these live
under ui/runtime/ only, and test_security.py shows that nothing a person sends reaches them as bytes.
Each checker is first shown to catch what it looks for.
"""
import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "app.py")


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
