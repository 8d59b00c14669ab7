"""The Learn pages as a person sees them (Streamlit AppTest): they run, their controls change the
charts, a bad link opens with defaults and a notice, and a teacher's link can hide the controls."""
import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from apptest import APP, open_page

MB2 = 2 * 1024 * 1024


def charts(at):
    """The Plotly figures on the page, by their key, as the JSON the browser receives."""
    return {e.key: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def arr(value):
    """A trace array from the figure JSON: a list, or Plotly's base64 typed array."""
    if isinstance(value, dict):
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.array(value, dtype=float)


def z_of(fig, n=0):
    return arr(fig["data"][n]["z"])


def captions(at):
    return " ".join(c.value for c in at.caption)


# --- forward -------------------------------------------------------------------------------------
def test_forward_defaults_show_the_state_the_scrubber_and_the_outputs():
    at = open_page("forward")
    c = charts(at)
    assert set(c) == {"heatmap", "bars", "inputs", "outputs"}
    z = z_of(c["heatmap"])
    assert z.shape == (32, 100) and np.nanmax(np.abs(z)) <= 1
    assert c["heatmap"]["layout"]["shapes"][0]["x0"] == 50                     # the scrubber's mark
    bars = arr(c["bars"]["data"][0]["y"])
    np.testing.assert_allclose(bars, z[:, 50], atol=1e-6)                     # h_t is that column
    assert "t = 50" in c["bars"]["layout"]["title"]["text"]
    assert "W_{hh}" in at.latex[0].value
    assert any("At step t = 50" in m.value for m in at.markdown)            # the equation's numbers


def test_forward_controls_change_the_charts():
    at = open_page("forward")
    before = z_of(charts(at)["heatmap"])
    at.slider(key="step").set_value(10).run()
    c = charts(at)
    assert c["heatmap"]["layout"]["shapes"][0]["x0"] == 10
    np.testing.assert_allclose(arr(c["bars"]["data"][0]["y"]), before[:, 10], atol=1e-6)
    at.slider(key="sequence").set_value(3).run()
    assert not np.allclose(z_of(charts(at)["heatmap"]), before)
    at.slider(key="hidden_size").set_value(8).run()
    assert z_of(charts(at)["heatmap"]).shape == (8, 100)
    at.radio(key="activation").set_value("relu").run()
    heat = charts(at)["heatmap"]["data"][0]
    assert "from the data" in heat["colorbar"]["title"]["text"] and z_of(charts(at)["heatmap"]).min() >= 0


def test_shortening_the_sequence_under_the_scrubber_resets_it_instead_of_failing():
    at = open_page("forward", step=80)
    at.slider(key="step").set_value(90).run()
    at.slider(key="seq_len").set_value(50).run()
    assert not at.exception
    assert at.slider(key="step").value == 25 and at.slider(key="step").max == 49
    assert charts(at)["heatmap"]["layout"]["shapes"][0]["x0"] == 25


def test_forward_at_the_largest_settings_bins_and_stays_small():
    at = open_page("forward", seq_len=1000, hidden_size=128, spectral_radius=2, step=999)
    at.radio(key="activation").set_value("linear").run()         # h grows like 2^t, up to 1e300
    c = charts(at)
    assert "mean of 3 steps" in c["heatmap"]["layout"]["title"]["text"]
    assert "from the data" in c["heatmap"]["data"][0]["colorbar"]["title"]["text"]
    assert c["heatmap"]["layout"]["shapes"][0]["x0"] == 999
    assert all(len(json.dumps(f)) < MB2 for f in c.values())


def test_an_exploding_state_is_shown_in_signed_log_so_every_step_is_visible():
    at = open_page("forward", seq_len=300, spectral_radius=1.5, activation="linear", step=150)
    c = charts(at)
    heat, bars = c["heatmap"]["data"][0], c["bars"]["data"][0]
    assert "signed log" in heat["colorbar"]["title"]["text"] and "signed log scale" in captions(at)
    h = arr(heat["customdata"])                                   # (H, T) the state itself
    assert np.nanmax(np.abs(h)) > 1e40                            # it explodes ...
    shown = np.abs(z_of(c["heatmap"]))
    assert np.nanmax(shown[:, 150]) > 0.4 * np.nanmax(shown)      # ... and the middle is not drawn as 0
    np.testing.assert_allclose(arr(bars["customdata"]), h[:, 150], rtol=1e-6)


# --- LSTM gates ----------------------------------------------------------------------------------
def test_lstm_gates_show_six_heatmaps_and_the_cell_path():
    c = charts(open_page("lstm_gates"))
    assert {f"gate-{n}" for n in "ifogch"} | {"cell-path"} == set(c)
    f = z_of(c["gate-f"])
    assert f.shape == (16, 100) and f.mean() > 0.9              # b_f = 4 opens them: the page's point
    measured, product = (arr(d["y"]) for d in c["cell-path"]["data"][:2])
    assert measured[-1] == pytest.approx(1) and product[-1] == pytest.approx(1)


def test_forget_bias_opens_the_gates_and_keeps_the_gradient():
    at = open_page("lstm_gates", forget_bias=0)
    product0 = arr(charts(at)["cell-path"]["data"][1]["y"])[0]
    at.slider(key="forget_bias").set_value(3.0).run()
    c = charts(at)
    assert z_of(c["gate-f"]).mean() > 0.9
    assert arr(c["cell-path"]["data"][1]["y"])[0] > 1e6 * product0
    assert "mean f = 0.9" in captions(at)


def test_lstm_gates_at_the_largest_settings():
    at = open_page("lstm_gates", seq_len=1000, forget_bias=5, hidden_size=64, batch_size=16,
                   weight_scale=3, sequence=15)
    c = charts(at)
    assert z_of(c["gate-h"]).shape == (64, 334)
    assert all(len(json.dumps(f)) < MB2 for f in c.values())


# --- RNN vs LSTM ---------------------------------------------------------------------------------
def test_compare_shares_one_colour_scale_and_tells_the_truth_about_forget_gates():
    at = open_page("compare", forget_bias=0)
    c = charts(at)
    rnn, lstm = c["heatmap-RNN"]["data"][0], c["heatmap-LSTM"]["data"][0]
    assert (rnn["zmin"], rnn["zmax"]) == (lstm["zmin"], lstm["zmax"])
    assert f"10<sup>{rnn['zmin']}</sup>" in c["heatmap-RNN"]["layout"]["title"]["subtitle"]["text"]
    assert [d["name"] for d in c["profiles"]["data"]][:2] == ["RNN: mean over the batch",
                                                              "LSTM: mean over the batch"]
    assert "the LSTM's **1.4e-18** (vanishes)" in captions(at) and "(mean 0.50)" in captions(at)
    lstm_before = arr(c["profiles"]["data"][1]["y"])
    at.slider(key="forget_bias").set_value(3.0).run()
    c = charts(at)
    lstm_after = arr(c["profiles"]["data"][1]["y"])
    assert lstm_after[0] / lstm_after[-1] > 1e6 * lstm_before[0] / lstm_before[-1]
    assert "The LSTM's keeps" in captions(at) and "open, near 1" in captions(at)
    rnn_before = arr(c["profiles"]["data"][0]["y"])
    at.slider(key="spectral_radius").set_value(0.5).run()
    assert arr(charts(at)["profiles"]["data"][0]["y"])[0] < rnn_before[0]


def test_compare_at_the_largest_settings_marks_underflow():
    at = open_page("compare", seq_len=1000, spectral_radius=2, hidden_size=64, batch_size=16,
                   forget_bias=-5)
    c = charts(at)
    assert any("underflow" in (d.get("name") or "") for d in c["heatmap-LSTM"]["data"])
    assert "exactly 0 (it underflowed" in captions(at)
    assert all(len(json.dumps(f)) < MB2 for f in c.values())


# --- BPTT (the reference page) -------------------------------------------------------------------
def test_bptt_page_runs_and_its_controls_change_the_charts():
    at = open_page("bptt")
    c = charts(at)
    assert {"heatmap", "profile", "transport", "contrib"} <= set(c)
    assert z_of(c["heatmap"]).shape == (8, 100)
    before = arr(c["profile"]["data"][0]["y"])
    at.slider(key="spectral_radius").set_value(1.5).run()
    assert arr(charts(at)["profile"]["data"][0]["y"])[0] > 10 * before[0]
    at.slider(key="seq_len").set_value(40).run()
    assert z_of(charts(at)["heatmap"]).shape == (8, 40)


# --- every page: a bad link, a teacher's link ----------------------------------------------------
PAGES = ("forward", "bptt", "lstm_gates", "compare")


@pytest.mark.parametrize("page", PAGES)
def test_a_bad_link_opens_with_defaults_and_a_notice(page):
    at = open_page(page, seq_len="abc", step="5000")
    notice = " ".join(i.value for i in at.info)
    assert "`seq_len`" in notice and "`abc` is not a number" in notice
    assert at.slider(key="seq_len").value == 100
    assert not at.error


@pytest.mark.parametrize("page", PAGES)
def test_a_teachers_link_hides_the_controls_but_keeps_its_settings(page):
    at = open_page(page, controls="hidden", seq_len=40)
    assert len(at.slider) == 0 and len(at.radio) == 0 and len(at.selectbox) == 0
    assert not at.info
    key = {"lstm_gates": "gate-h", "compare": "heatmap-RNN"}.get(page, "heatmap")
    assert z_of(charts(at)[key]).shape[-1] == 40


def test_choice_links_use_option_names_and_apply():
    """Streamlit writes a bound choice's displayed text into the URL; ours display option names,
    so ?activation=relu selects ReLU (no false notice) and the heatmap follows it."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/bptt.py")
    at.query_params.update(activation="linear", spectral_radius="1.5", task="lorenz")
    at.run()
    assert not at.exception and not at.info
    assert at.radio(key="activation").value == "linear"
    assert at.radio(key="task").value == "lorenz"
    assert any("grow" in c.value for c in at.caption)


# --- going from page to page ---------------------------------------------------------------------
JOURNEY = ["training", "compare", "bptt", "your_data", "forward", "lstm_gates", "training", "forward"]


def test_each_page_opens_on_its_own_defaults_whatever_page_came_before():
    """Pages share control keys (seq_len, task, spectral_radius...) with other ranges and defaults.
    Streamlit keeps a keyed widget's value from page to page: the RNN vs LSTM page, opened after the
    Training lab, showed the lab's T = 20 and b_f = 3, and in the browser its ρ slider raised on the
    lab's ρ = 0. Each page must open as it does on its own."""
    alone = {page: {s.key: s.value for s in open_page(page).slider} for page in set(JOURNEY)}
    at = AppTest.from_file(APP, default_timeout=120)
    for page in JOURNEY:
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, (page, at.exception)
        assert {s.key: s.value for s in at.slider} == alone[page], page
    at.slider(key="seq_len").set_value(300)          # a move on the page itself is kept
    at.run()
    assert at.slider(key="seq_len").value == 300


def test_a_link_to_a_page_sets_it_even_after_another_page():
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/training.py")
    at.run()
    at.switch_page("pages/compare.py")
    at.query_params.update(seq_len="300", forget_bias="1")
    at.run()
    assert not at.exception
    assert at.slider(key="seq_len").value == 300 and at.slider(key="forget_bias").value == 1.0
