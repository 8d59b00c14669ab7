"""One helper per concept, read off the source: one softmax, one whole-number check, one norm, one binner, one
non-finite overlay, one "clipping fired" rule, no private cross-imports, names that mean one thing.

Each test names the concept's one home; a second copy anywhere else in core/, ui/, pages/ or app.py
fails it with the place to fix."""
import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = sorted([ROOT / "app.py", *ROOT.glob("core/**/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("pages/*.py")])


def rel(path):
    return path.relative_to(ROOT).as_posix()


def text(path):
    return path.read_text(encoding="utf-8")


def trees():
    return [(rel(p), ast.parse(text(p))) for p in SOURCES]


def functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def lines_matching(pattern):
    """``[(file, line number, line)]`` of every code line (comments stripped) matching ``pattern``."""
    hits = []
    for p in SOURCES:
        for i, line in enumerate(text(p).splitlines(), 1):
            if re.search(pattern, line.split("#")[0]):
                hits.append((rel(p), i, line.strip()))
    return hits


def test_the_sources_are_found():
    names = {rel(p) for p in SOURCES}
    assert {"app.py", "core/training/losses.py", "core/data/bins.py", "pages/forward.py"} <= names


def test_one_softmax():
    defs = [(f, fn.name) for f, tree in trees() for fn in functions(tree) if "softmax" in fn.name
            and not fn.name.endswith("cross_entropy")]
    assert sorted(defs) == [("core/training/losses.py", "log_softmax"), ("core/training/losses.py", "softmax")]
    # exp(y - max y): the overflow-safe softmax written out again
    copies = [h for h in lines_matching(r"exp\([^#]*-[^#]*\.max\(") if h[0] != "core/training/losses.py"]
    assert copies == [], f"softmax computed outside core.training.losses: {copies}"


def test_one_whole_number_check():
    home = "core/numerics/validate.py"
    checks = [h for h in lines_matching(r"isinstance\([^)]*\(int, np\.integer\)") if h[0] != home]
    said = [h for h in lines_matching(r"must be[^\"']*a whole number") if h[0] != home]
    assert checks == [] and said == [], f"use core.numerics.validate.whole: {checks + said}"


def test_one_overflow_safe_norm():
    # np.linalg.norm squares first (inf past 1e154); the spectral norm of a matrix, ord 2, is another idea
    raw = [h for h in lines_matching(r"linalg\.norm\((?![^)]*,\s*2\))")
           if h[0] not in ("core/numerics/validate.py",) and not h[0].startswith("core/networks/")]
    assert raw == [], f"use core.numerics.validate.norm: {raw}"


def test_one_binner():
    home = "core/data/bins.py"
    defs = [(f, fn.name) for f, tree in trees() for fn in functions(tree)
            if re.search(r"(^|_)(bins?|thin)(_|$)", fn.name) and f != home]
    assert defs == [], f"bin with core.data.bins.bin_columns: {defs}"
    reshaped = [h for h in lines_matching(r"\.reshape\([^)]*width") if h[0] != home]
    assert reshaped == [], f"a bin of steps reshaped outside core.data.bins: {reshaped}"


def test_one_nonfinite_overlay_on_heatmaps_and_one_band_on_lines():
    painted = [h for h in lines_matching(r"colorscale=\[\[0, ") if h[0] != "ui/figures/heatmap.py"]
    assert painted == [], f"cells painted one colour outside ui.figures.heatmap.cell_overlay: {painted}"
    bands = [h for h in lines_matching(r"vrect\([^)]*NONFINITE_COLOR") if h[0] != "ui/figures/lines.py"]
    assert bands == [], f"an overflow band outside ui.figures.lines.nonfinite_band: {bands}"


def test_one_clipping_fired_rule():
    rules = [h for h in lines_matching(r"1e-6\)\s*<\s*1|> *(cfg\.|s\.|self\.)?clip_threshold")
             if h[0] != "core/training/optim.py"]
    assert rules == [], f"whether clipping fired is core.training.optim.clip's to say: {rules}"


def test_no_private_cross_imports():
    found = set()
    for f, tree in trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("core", "ui"):
                found |= {(f, a.name) for a in node.names if a.name.startswith("_")}
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and isinstance(node.value, ast.Name) and node.value.id not in ("self", "cls"):
                found.add((f, f"{node.value.id}.{node.attr}"))
    assert found == set()


# Outside the fast networks (core/networks, being rewritten for speed), each of these names meant two
# or three things: a trace, a transport, a module alias; a recorder; a count, an index; a truncation
# length, a bin width, a dict key, a power of ten. Each now has a name that says which.
AMBIGUOUS = {"tr", "rec", "n", "k"}


def bound_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.lineno, node.id
        elif isinstance(node, ast.arg):
            yield node.lineno, node.arg
        elif isinstance(node, ast.alias):
            yield node.lineno, node.asname or node.name.split(".")[0]


@pytest.mark.parametrize("path", [p for p in SOURCES if not rel(p).startswith("core/networks/")], ids=rel)
def test_names_that_mean_one_thing(path):
    bad = [(line, name) for line, name in bound_names(ast.parse(text(path))) if name in AMBIGUOUS]
    assert bad == [], f"{rel(path)}: rename {bad}"


def test_gates_is_the_tuple_of_lstm_gate_letters_only():
    homes = {}
    for f, tree in trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "GATES" for t in node.targets):
                homes[f] = ast.literal_eval(node.value)
    assert "core/reference/lstm.py" in homes
    assert all(v == ("i", "f", "o", "g") for v in homes.values()), homes
