"""Every Learn page over a grid of settings: each slider at its min, default and max, every choice,
the Start page's presets. At each: the page runs, no chart is blank, no text prints inf or nan, and
no reading contradicts the numbers it states (its words follow ui.readings.thresholds).

The grid is read off each page's settings dataclass, so a new control is swept without editing this.
"""
import re
from dataclasses import fields
from urllib.parse import urlencode

import numpy as np
import plotly.graph_objects as go
import pytest

from apptest import open_page
from core.gradients.settings import PAGES
from test_pages_learn import arr, charts
from ui.controls.presets import PRESETS
from ui.readings import thresholds as th
from ui.readings.reach import share_word

NUM = r"([0-9.]+e[+-]\d+|exactly 0)"


def grid(page):
    """(query) dicts: defaults, each slider at min and max, each other option, this page's presets."""
    cls = PAGES[page]
    out = [{}]
    for f in fields(cls):
        m = f.metadata
        values = [o for o in m["options"] if o != f.default] if m["options"] else \
            [v for v in m["range"][:2] if v != f.default]
        out += [{f.name: v} for v in values]
    out += [dict(p.query) for p in PRESETS if p.page == f"pages/{page}.py"]
    return out


# The settings issue 9 found contradicting themselves, beyond the one-control-at-a-time grid
ISSUE = [("compare", dict(forget_bias=2, seq_len=1000)), ("lstm_gates", dict(forget_bias=3, seq_len=1000)),
         ("lstm_gates", dict(forget_bias=5, seq_len=1000)),
         ("compare", dict(activation="linear", spectral_radius=1.5, seq_len=300)),
         ("bptt", dict(spectral_radius=2, seq_len=1000)),
         ("bptt", dict(activation="linear", spectral_radius=2, seq_len=1000)),
         ("bptt", dict(activation="linear", spectral_radius=1.5, seq_len=600, clip="norm")),
         ("forward", dict(activation="linear", spectral_radius=2, seq_len=1000, step=10))]
CASES = [(page, q) for page in PAGES for q in grid(page)] + ISSUE


def value(text):
    return 0.0 if text == "exactly 0" else float(text)


def word_fits(v, word):
    """The word is what the thresholds say for ``v`` or for a value within its printed rounding."""
    return word in {share_word(v * k) for k in (0.95, 1.0, 1.05)}


def contradictions(text):
    """Every stated number whose word does not fit it, and every verdict its number does not support."""
    bad = []
    for pattern in (NUM + r"\*\* \((vanishes|fades|reaches back|grows|explodes)\)",
                    r"of the one at t = \d+: it \*\*(vanishes|fades|reaches back|grows|explodes)\*\*",
                    r"product is " + NUM + r" \(mean over units\), so along the cell path alone the "
                                           r"gradient \*\*(vanishes|fades|reaches back|grows|explodes)\*\*",
                    r"keeps " + NUM + r" of its last value: it \*\*(vanishes|fades|reaches back|grows|explodes)\*\*"):
        for m in re.finditer(pattern, text):
            if m.lastindex == 2 and not word_fits(value(m.group(1)), m.group(2)):
                bad.append(m.group(0))
    for m in re.finditer(r"is \*\*" + NUM + r"\*\* of the one at t = \d+: it \*\*([\w ]+)\*\*", text):
        if not word_fits(value(m.group(1)), m.group(2)):
            bad.append(m.group(0))
    for m in re.finditer(r"(open, near 1|not near 1, below [0-9.]+) \(mean ([0-9.]+)\)", text):
        f = float(m.group(2))
        if (m.group(1).startswith("open") and f < th.NEAR_ONE - 0.005) or \
                (m.group(1).startswith("not") and f >= th.NEAR_ONE + 0.005):
            bad.append(m.group(0))
    for m in re.finditer(r"γ·σ_max = ([0-9.]+) (<|≥) 1, so the bound (\*\*must fade\*\*|\*\*allows\*\*)", text):
        rate = float(m.group(1))
        if (m.group(2) == "<") != (rate < 1) or (m.group(2) == "<") != ("must" in m.group(3)):
            bad.append(m.group(0))
    m = re.search(r"measured " + NUM + r", the step Jacobians' product allows " + NUM + r", the bound " + NUM, text)
    if m and "Measured ≤ product ≤ bound" in text:
        a, b, c = (value(g) for g in m.groups())
        if not a <= b * 1.06 <= c * 1.12:
            bad.append(m.group(0))
    m = re.search(r"the (\w+)'s \*\*" + NUM + r"\*\*.*?the (\w+)'s \*\*" + NUM + r"\*\*.*?The (\w+)'s keeps", text)
    if m:
        higher = m.group(1) if value(m.group(2)) >= value(m.group(4)) else m.group(3)
        if m.group(5) != higher:
            bad.append(m.group(0))
    return bad


def blank(fig):
    """A chart with no finite value to draw and no overflow band that says why."""
    if any("overflow" in (n.get("text") or "") for n in fig.get("layout", {}).get("annotations", [])):
        return False
    for trace in fig["data"]:
        for key in ("z", "y"):
            if key in trace and trace[key] is not None:
                try:
                    a = arr(trace[key]).astype(float)
                except (TypeError, ValueError):
                    continue
                if np.isfinite(a).any():
                    return False
    return True


@pytest.mark.parametrize("page, query", CASES, ids=[f"{p}?{urlencode(q)}" for p, q in CASES])
def test_no_reading_contradicts_its_numbers(page, query):
    at = open_page(page, timeout=120, **query)
    texts = [c.value for c in at.caption] + [e.value for e in at.error] + [m.value for m in at.metric] \
        + [str(m.label) for m in at.metric] + [i.value for i in at.info]
    text = " ".join(texts)
    assert not re.search(r"\b(nan|inf|NaN)\b(?! or NaN)", text.replace("inf or NaN", "")), text
    assert not contradictions(text), contradictions(text)
    blanks = [k for k, fig in charts(at).items() if blank(fig)]
    assert not blanks, blanks
    for fig in charts(at).values():     # the pages build figures unvalidated (ui/figures/layout.py):
        go.Figure(fig)                  # Plotly's validation raises on any property it does not know


def test_the_checker_catches_each_kind_of_contradiction():
    assert contradictions("the LSTM's **1.4e-48** (reaches back)")
    assert contradictions("is **2.2e-12** of the one at t = 99: it **reaches back**")
    assert contradictions("product is 1.3e-19 (mean over units), so along the cell path alone the gradient "
                          "**reaches back**")
    assert contradictions("keeps 7.3e-06 of its last value: it **reaches back**")
    assert contradictions("The forget gates are open, near 1 (mean 0.75)")
    assert contradictions("γ·σ_max = 1.561 < 1, so the bound **must fade**")
    assert contradictions("measured 1.0e-03, the step Jacobians' product allows 1.0e-05, the bound 3.0e-05. "
                          "Measured ≤ product ≤ bound")
    assert contradictions("the RNN's **2.9e-13** (vanishes), the LSTM's **1.2e-01** (reaches back). "
                          "The RNN's keeps")
    assert not contradictions("the RNN's **2.9e-13** (vanishes), the LSTM's **1.2e-01** (reaches back). "
                              "The LSTM's keeps")
    assert blank({"data": [{"y": [None, None]}]}) and not blank({"data": [{"y": [1.0]}]})
