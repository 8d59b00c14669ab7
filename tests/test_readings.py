"""Every reading against the numbers it states: its words follow the named thresholds, nothing else."""
import numpy as np
import pytest

from ui.readings import cells, forward, reach, scales
from ui.readings import thresholds as th


@pytest.mark.parametrize("share, word", [
    (0.0, "vanishes"), (th.VANISHES / 2, "vanishes"), (th.VANISHES, "fades"), (th.KEEPS / 2, "fades"),
    (th.KEEPS, "reaches back"), (1.0, "reaches back"), (th.GROWS, "reaches back"), (th.GROWS * 2, "grows"),
    (th.EXPLODES * 2, "explodes"), (np.inf, "overflows"), (np.nan, "overflows")])
def test_share_words_follow_the_thresholds(share, word):
    assert reach.share_word(share) == word


def test_number_says_zero_and_overflow_for_what_they_are():
    assert reach.number(0.0).startswith("exactly 0") and "overflowed" in reach.number(np.inf)
    assert reach.number(2.9e-13) == "2.9e-13" and "overflowed" in reach.number(np.nan)


def test_a_zero_under_truncation_is_said_to_be_the_cut():
    text = reach.reach(0.0, 100, truncate=20)
    assert "truncation every 20 steps cuts the path" in text and "underflowed" not in text
    assert "underflowed" not in reach.bound(0.0, 0.0, 3e-5, truncate=20)
    assert "underflowed" in reach.reach(0.0, 100)
    cut = cells.measured_vs_product(0.0, 1e-3, 1e-3, 0.0, 1.0, truncate=20)
    assert "cuts the path" in cut and "vanishes" not in cut


def test_reach_states_its_number_and_its_word():
    assert "**2.2e-12** of the one at t = 99: it **vanishes**" in reach.reach(2.2e-12, 100)
    assert "overflowed from step 970" in reach.reach(np.nan, 1000, overflow_step=970)


def test_the_verdict_never_claims_more_than_the_bound():
    fade = reach.verdict(0.9, 100)
    assert "must fade" in fade and reach.number(0.9 ** 99) in fade
    grow = reach.verdict(1.561, 100)
    assert "allows" in grow and "does not say the gradient grows" in grow and "must" not in grow
    assert "overflowed" in reach.verdict(3.0, 1000)                  # 3^999 is past float64


def test_compare_says_who_keeps_more_and_by_how_much():
    text = reach.compare({"RNN": 2.9e-13, "LSTM": 1.2e-1})
    assert "the RNN's **2.9e-13** (vanishes)" in text and "the LSTM's **1.2e-01** (reaches back)" in text
    assert "The LSTM's keeps **4e+11× more**" in text
    assert "alike" in reach.compare({"RNN": 1e-3, "LSTM": 1e-4})
    assert "cannot be compared" in reach.compare({"RNN": np.inf, "LSTM": 0.1})


def test_bound_checks_the_order_it_states():
    assert "Measured ≤ product ≤ bound" in reach.bound(2.2e-12, 2.5e-5, 3.0e-5)
    assert "Measured ≤ product" not in reach.bound(1e-3, 1e-5, 3e-5)
    assert "product" not in reach.bound(1e-3, None, 3e-5)


def test_gates_are_open_only_from_near_one():
    assert cells.gates_open(th.NEAR_ONE) == "open, near 1"
    assert cells.gates_open(th.NEAR_ONE - 0.01).startswith("not near 1")
    assert "σ(b_f) = 0.98" in cells.forget_gate(0.97, 4.0)


def test_cell_path_says_near_one_is_not_one_over_a_long_distance():
    text = cells.cell_path(0.94, 1.3e-19, 1000)
    assert "open, near 1" in text and "**vanishes**" in text and "Near 1 is not 1" in text
    assert "**reaches back**" in cells.cell_path(0.97, 0.13, 100)
    assert "Raise" in cells.cell_path(0.5, 1e-29, 100, cells.weak_gates_hint(0.5, hidden=False))
    assert cells.weak_gates_hint(0.5, hidden=True) == "" and cells.weak_gates_hint(0.95, hidden=False) == ""


def test_a_misleading_mean_product_is_said_with_what_happens():
    text = cells.measured_vs_product(7.3e-6, 4.4e-3, 4.9e-4, 0.62, 54.0)
    assert "misleads" in text and "62% of the cells end saturated" in text and "|c| up to 54" in text
    assert "keeps 4.9e-04" in text and "cancels part" in text
    assert "misleads" not in cells.measured_vs_product(1e-1, 1.3e-1, 1.2e-1, 0.0, 2.0)
    above = cells.measured_vs_product(20.8, 1.3e-19, 1e-19, 0.0, 2.9)
    assert "above the mean product" in above and "carries it back" in above
    assert "carries" not in cells.measured_vs_product(1.9e-18, 1.4e-29, 1e-29, 0.0, 2.6)


def test_cell_state_mentions_saturation_only_past_the_threshold():
    assert "flat" not in cells.cell_state(2.6, 0.0)
    assert "56% of the cells" in cells.cell_state(17.0, 0.56)
    assert "no cell is there" in cells.cell_state(9.1, 0.0)


def test_colour_scale_says_which_scale_and_flags_a_sliver():
    own = scales.colour_scale("own", {"RNN": (-20, 0), "LSTM": (-4, 0)})
    assert "this view's own" in own and "not across them" in own and "shared range" in own
    shared = scales.colour_scale("shared", {"RNN": (82, 106), "LSTM": (-4, 0)}, (82, 106))
    assert "one shared" in shared and "The LSTM values fill less than" in shared
    assert "LSTM values" not in scales.colour_scale("shared", {"RNN": (-20, 0), "LSTM": (-4, 0)}, (-20, 0))
    assert "choose" not in scales.colour_scale("shared", {"RNN": (82, 106), "LSTM": (-4, 0)}, (82, 106),
                                               hint=False)
    assert scales.filled_share((-4, 0), (-20, 0)) == pytest.approx(0.2)
    assert "sliver" in scales.fixed_scale((-20, 20), (1, 3)) and "end colours" in scales.fixed_scale((-20, 20), (18, 25))


def test_metric_and_overflow_never_print_inf_or_nan():
    assert scales.metric(4.482162e213) == "4.482e+213"
    assert scales.metric(np.nan, 970) == "overflowed at step 970" and "inf" not in scales.metric(np.inf)
    assert scales.overflow(None, None) is None
    assert "step 12 (forward" in scales.overflow(12, 970) and "step 970 (backward" in scales.overflow(None, 970)
    assert scales.cut("bound", None) == "" and "t = 5" in scales.cut("bound", 5)
    assert scales.power(-12) == "10⁻¹²"


def test_flat_mask_and_its_share():
    h = np.array([[0.95, 0.1], [-0.99, 0.5]])
    np.testing.assert_array_equal(forward.flat_mask("tanh", h), [[True, False], [True, False]])
    assert "50% of the cells are flat" in forward.state_heatmap("tanh", 2, 2, (-1, 1), False, forward.flat_mask("tanh", h))
    assert "Most cells are flat: 75%" in forward.state_heatmap("tanh", 2, 2, (-1, 1), False, np.array([1, 1, 1, 0]))
    assert "never flattens" in forward.state_heatmap("linear", 2, 2, (-5, 5), False, np.zeros(4, bool))
    assert forward.flat_mask("relu", np.array([0.0, 1.0])).tolist() == [True, False]


def test_state_bars_take_their_own_range_only_when_the_heatmaps_would_leave_them_blank():
    own, text = forward.state_bars(np.array([17.0, -3.0]), 3.2e300, 10)
    assert own and "±17" in text
    own, _ = forward.state_bars(np.array([1e20, -3.0]), 1e40, 10, log=True)       # half the log axis
    assert not own
    assert forward.state_bars(np.array([0.5]), 1.0, 3)[0] is False


def test_inputs_name_the_two_marked_numbers_and_their_sum():
    x = np.zeros((20, 2))
    x[:, 0] = np.linspace(0, 0.95, 20)
    text = forward.inputs("adding", x, np.array([2, 9]), x[2, 0] + x[9, 0])
    assert "t = 2 and t = 9: 0.10 and 0.45" in text and "their sum, 0.55" in text
