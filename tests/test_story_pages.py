"""Every Learn page at its defaults tells its story, with the numbers it shows (Streamlit AppTest).

Each page's thesis is checked as a person reads it: the number in the chart's data, and the words
under the chart that state that number.
"""
import re

import numpy as np
import pytest

from apptest import open_page
from core.gradients.settings import BPTTSettings, CompareSettings, GatesSettings
from test_pages_learn import arr, captions, charts, z_of
from test_story_sweep import contradictions


def shown_number(text, before):
    """The first number in scientific notation after ``before`` in ``text``."""
    m = re.search(re.escape(before) + r"[^0-9]*?([0-9.]+e[+-]\d+)", text)
    assert m, f"no number after {before!r} in {text!r}"
    return float(m.group(1))


def test_compare_contract_lstm_reaches_back_far_more_than_the_rnn():
    at = open_page("compare")
    lines = charts(at)["profiles"]["data"]
    rnn = next(arr(d["y"]) for d in lines if "RNN" in d["name"])
    lstm = next(arr(d["y"]) for d in lines if "LSTM" in d["name"])
    rnn_share, lstm_share = rnn[0] / rnn[-1], lstm[0] / lstm[-1]
    assert lstm_share >= 1e-2 and lstm_share >= 1000 * rnn_share
    text = captions(at)
    assert shown_number(text, "the RNN's") == pytest.approx(rnn_share, rel=0.06)
    assert shown_number(text, "the LSTM's") == pytest.approx(lstm_share, rel=0.06)
    assert "The LSTM's keeps" in text and "open, near 1" in text
    assert "one shared" in text and at.radio(key="scale").value == CompareSettings.scale


def test_bptt_defaults_vanish_and_the_bound_says_it_must():
    at = open_page("bptt")
    c, text = charts(at), captions(at)
    measured, product, bound = (arr(d["y"]) for d in c["profile"]["data"][:3])
    share = measured[0] / measured[-1]
    assert share < 1e-6 and "**vanishes**" in text
    assert shown_number(text, "The gradient reaching t = 0 is") == pytest.approx(share, rel=0.06)
    rho = BPTTSettings.spectral_radius
    assert "must fade" in text and f"γ·σ_max = {rho:.3f} < 1" in text
    assert shown_number(text, "the bound") == pytest.approx(rho ** (len(measured) - 1), rel=0.06)
    assert np.all(measured <= product * (1 + 1e-9)) and np.all(product <= bound * (1 + 1e-9))
    assert "Measured ≤ product ≤ bound" in text
    heat = z_of(c["heatmap"])                                      # its own range, from the data
    assert c["heatmap"]["data"][0]["zmin"] <= np.nanmin(heat) and "this view's own" in text


def test_lstm_gates_defaults_open_the_gates_and_carry_the_gradient():
    at = open_page("lstm_gates")
    c, text = charts(at), captions(at)
    f = z_of(c["gate-f"])
    assert f.mean() >= 0.9 and f"mean f = {f.mean():.2f}" in text and "open, near 1" in text
    measured, product = (arr(d["y"]) for d in c["cell-path"]["data"][:2])
    assert product[0] >= 1e-2 and measured[0] >= 1e-2
    assert shown_number(text, "their product is") == pytest.approx(product[0], rel=0.06)
    assert shown_number(text, "keeps") == pytest.approx(measured[0], rel=0.06)
    assert text.count("**reaches back**") >= 2 and f"b_f = {GatesSettings.forget_bias:g}" in text


def test_forward_defaults_show_inputs_state_and_the_flat_share():
    at = open_page("forward")
    c, text = charts(at), captions(at)
    z = z_of(c["heatmap"])
    share = np.mean(np.abs(z) > 0.9)
    assert f"{share:.0%} of the cells are flat" in text or f"Most cells are flat: {share:.0%}" in text
    assert "inputs" in c and len(c["inputs"]["data"]) >= 1


def test_forward_adding_marks_the_two_numbers_and_their_sum():
    at = open_page("forward", task="adding")
    marked = next(d for d in charts(at)["inputs"]["data"] if d["name"] == "marked numbers")
    values = arr(marked["y"])
    assert len(values) == 2 and f"their sum, {values.sum():.2f}" in captions(at)


def test_start_picture_is_the_compare_pages_defaults():
    at = open_page("start")
    lines = charts(at)["start-picture"]["data"]
    rnn, lstm = (arr(d["y"]) for d in lines[:2])
    assert "RNN" in lines[0]["name"] and "LSTM" in lines[1]["name"]
    assert lstm[0] / lstm[-1] >= 1000 * rnn[0] / rnn[-1]
    text = captions(at)
    assert "The LSTM's keeps" in text and not contradictions(text)
    assert shown_number(text, "the RNN's") == pytest.approx(rnn[0] / rnn[-1], rel=0.06)


def test_projector_mode_hides_navigation_and_points_at_no_control():
    at = open_page("lstm_gates", controls="hidden", forget_bias=0)
    assert not at.sidebar.children or all(not getattr(b, "children", None) for b in at.sidebar.children.values())
    text = captions(at) + " ".join(e.value for e in at.error)
    assert "Raise" not in text and "choose **" not in text.lower() and "sidebar" not in text.lower()
    assert at.expander and at.expander[0].label.startswith("What this page shows")
