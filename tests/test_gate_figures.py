"""The figure builders of the forward, LSTM-gates and compare pages: what the traces hold."""
import numpy as np
import pytest

from core.gradients import experiment, theory
from ui.figures import gates as gf
from ui.figures import states as sv
from ui.figures.heatmap import NONFINITE_COLOR

MB2 = 2 * 1024 * 1024


def _legend(fig):
    return [t.name for t in fig.data if t.showlegend is not False and t.name]


def test_state_heatmap_shows_the_values_on_a_fixed_stated_range():
    z = np.random.default_rng(0).uniform(-1, 1, (5, 30))
    fig = sv.state_heatmap(z, title="The state", value_name="h", marker=7)
    hm = fig.data[0]
    np.testing.assert_allclose(hm.z, z, atol=1e-6)
    assert (hm.zmin, hm.zmax) == (-1.0, 1.0) and hm.colorscale[0][1] == "rgb(103,0,31)"   # RdBu
    assert "fixed range -1 to 1" in hm.colorbar.title.text
    assert fig.layout.title.text == "The state"
    assert fig.layout.xaxis.title.text == "time step t" and fig.layout.yaxis.title.text == "hidden unit"
    [line] = fig.layout.shapes
    assert line.x0 == line.x1 == 7
    assert len(fig.data) == 1                          # nothing to mark


def test_state_heatmap_marks_non_finite_cells_in_magenta_with_a_legend():
    z = np.zeros((3, 10))
    z[1, 6:] = np.inf
    z[2, 9] = np.nan
    fig = sv.state_heatmap(z, title="t", value_name="h")
    assert np.isnan(fig.data[0].z[1, 6:]).all() and np.isnan(fig.data[0].z[2, 9])
    overlay = fig.data[1]
    assert overlay.colorscale[0][1] == NONFINITE_COLOR
    assert np.array_equal(np.isfinite(overlay.z), ~np.isfinite(z))
    assert "overflow: inf or NaN" in _legend(fig) and fig.layout.showlegend   # a legend of one shows


def test_state_heatmap_bins_past_the_column_cap_and_says_so():
    z = np.ones((4, 1000))
    fig = sv.state_heatmap(z, title="Long", value_name="h", marker=999)
    assert fig.data[0].z.shape == (4, 334) and len(fig.data[0].x) == 334
    assert "each column is the mean of 3 steps" in fig.layout.title.text
    assert "binned by 3, mean" in fig.layout.xaxis.title.text
    assert fig.data[0].x[-1] == 999 and fig.layout.shapes[0].x0 == 999


def test_symmetric_range_covers_the_data_and_ignores_overflow():
    lo, hi = gf.symmetric_range(np.array([0.0, 2.34, -1.0, np.inf]))
    assert lo == -hi and 2.34 <= hi <= 2.5
    assert gf.symmetric_range(np.array([np.nan, 0.0])) == (-1.0, 1.0)


def test_relu_heatmap_states_its_range_from_the_data():
    z = np.abs(np.random.default_rng(1).normal(size=(4, 20))) * 3
    zr = gf.symmetric_range(z)
    hm = sv.state_heatmap(z, title="t", value_name="h", zrange=zr, from_data=True).data[0]
    assert (hm.zmin, hm.zmax) == zr and "from the data" in hm.colorbar.title.text


def test_state_bars_keep_the_heatmap_range_and_mark_overflowed_units():
    h = np.array([0.5, -0.2, np.nan, np.inf])
    fig = sv.state_bars(h, t=12)
    assert list(fig.layout.yaxis.range) == [-1.0, 1.0]
    assert "t = 12" in fig.layout.title.text
    np.testing.assert_allclose(fig.data[0].y[:2], [0.5, -0.2])
    marks = fig.data[1]
    assert list(marks.x) == [2, 3] and marks.marker.color == NONFINITE_COLOR


def test_output_lines_regression_dense_and_sparse_targets():
    T = 20
    y, target = np.zeros((T, 3)), np.ones((T, 3))
    fig = sv.output_lines(y, target, np.ones(T), kind="regression", names=("X", "Y", "Z"), t=4)
    assert [t.name for t in fig.data] == ["output: X", "target: X", "output: Y", "target: Y",
                                          "output: Z", "target: Z"]
    assert fig.data[1].mode == "lines" and len(fig.data[1].x) == T
    mask = np.zeros(T)
    mask[-1] = 1
    sparse = sv.output_lines(y[:, :1], target[:, :1], mask, kind="regression", names=("y",))
    assert sparse.data[1].mode == "markers" and list(sparse.data[1].x) == [T - 1]


def test_output_lines_classification_shows_probabilities_and_marks_overflow():
    T = 6
    y = np.zeros((T, 4))
    y[3] = np.nan
    fig = sv.output_lines(y, np.full(T, 2), np.ones(T), kind="classification",
                          names=[f"class {k}" for k in range(4)])
    np.testing.assert_allclose(fig.data[0].y[[0, 1, 2, 4, 5]], 0.25)
    np.testing.assert_allclose(fig.data[5].y, 1.0)          # target of class 2: one-hot
    assert fig.layout.yaxis.title.text == "probability of the class"
    assert any(s.fillcolor == NONFINITE_COLOR for s in fig.layout.shapes)


def test_gate_heatmaps_use_the_gate_scale_and_the_cell_a_range_from_the_data():
    f = gf.gate_heatmap("f", np.full((3, 10), 0.7)).data[0]
    assert (f.zmin, f.zmax) == (0.0, 1.0) and "fixed range 0 to 1" in f.colorbar.title.text
    assert f.colorscale[0][1] == "#00224e"                   # Cividis starts dark blue
    c = gf.gate_heatmap("c", np.linspace(-4, 3, 30).reshape(3, 10)).data[0]
    assert c.zmax == -c.zmin >= 4 and "from the data" in c.colorbar.title.text


def test_cell_path_figure_is_relative_to_the_last_step():
    fprod = np.array([0.125, 0.25, 0.5, 1.0])
    dc = np.array([0.3, 1.0, 2.0, 4.0])
    fig = gf.cell_path_figure(fprod, dc)
    np.testing.assert_allclose(fig.data[0].y, [0.075, 0.25, 0.5, 1.0])
    np.testing.assert_allclose(fig.data[1].y, fprod)
    assert fig.layout.yaxis.type == "log"
    assert np.isnan(gf.relative_to_last(np.array([1.0, 0.0]))).all()


def test_open_forget_gates_keep_the_cell_gradient():
    """On a real LSTM: with b_f = 4 both curves stay far above their b_f = 0 values at t = 0."""
    reach = {}
    for bias in (0.0, 4.0):
        run = experiment.run(experiment.GradientSetup(model="lstm", seq_len=60, forget_bias=bias,
                                                      hidden_size=8, batch_size=2))
        fprod = np.mean(theory.forget_product(run.trace.f[:, 0]), axis=1)
        fig = gf.cell_path_figure(fprod, run.dc_norm[0])
        reach[bias] = (fig.data[0].y[0], fig.data[1].y[0])
    assert reach[4.0][0] > 1e3 * reach[0.0][0] and reach[4.0][1] > 1e3 * reach[0.0][1]


def test_shared_log_range_covers_both_and_is_capped():
    a, b = np.array([[1e-3, 5.0]]), np.array([[2e-7, 0.0, np.inf]])
    assert gf.shared_log_range(a, b) == (-7, 1)
    assert gf.shared_log_range(np.array([1e-40, 10.0])) == (-23, 1)       # 24 decades at most
    assert gf.shared_log_range(np.array([0.0, np.nan])) == (-12, 2)


def test_compare_heatmap_uses_the_shared_range_and_names_underflow():
    dh = np.array([[0.0, 1e-30, 1e-3, 1.0]])
    fig = gf.compare_heatmap(dh, model="LSTM", zrange=(-8, 1))
    assert (fig.data[0].zmin, fig.data[0].zmax) == (-8, 1)
    np.testing.assert_allclose(fig.data[0].z[0, 1:], [-8, -3, 0])          # clipped to the range
    assert "underflow" in " ".join(_legend(fig)) and fig.layout.showlegend
    assert fig.layout.title.text.startswith("LSTM")
    long = gf.compare_heatmap(np.ones((2, 1000)), model="RNN", zrange=(-8, 1))
    assert " — " not in long.layout.title.text and "3 steps" in long.layout.title.subtitle.text
    assert gf.pow10(-12) == "10⁻¹²"


def test_profiles_figure_draws_each_models_mean():
    a, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1e-3, 1.0]])
    fig = gf.profiles_figure([("RNN", a), ("LSTM", b)])
    assert [t.name for t in fig.data] == ["RNN", "LSTM"]
    np.testing.assert_allclose(fig.data[0].y, [2.0, 3.0])
    assert fig.layout.yaxis.type == "log"


@pytest.mark.parametrize("rows", [128, 64])
def test_largest_heatmaps_stay_under_2_mb_even_when_half_overflowed(rows):
    z = np.random.default_rng(0).uniform(-1, 1, (rows, 1000))
    z[:, 500:] = np.inf
    assert len(sv.state_heatmap(z, title="t", value_name="h", marker=10).to_json()) < MB2
    assert len(gf.gate_heatmap("c", z).to_json()) < MB2
    assert len(sv.output_lines(z[:3].T, z[:3].T, np.ones(1000), kind="regression",
                               names="XYZ").to_json()) < MB2


def test_an_exploding_state_is_drawn_in_signed_log_with_its_values_on_hover():
    z = np.outer([1.0, -1.0], 10.0 ** np.arange(0, 60, 3))           # (2, 20): up to ±1e57
    zr = gf.symmetric_range(z)
    fig = sv.state_heatmap(z, title="t", value_name="h", zrange=zr, from_data=True, log=True)
    hm = fig.data[0]
    np.testing.assert_allclose(hm.z, np.sign(z) * np.log10(1 + np.abs(z)))
    np.testing.assert_array_equal(hm.customdata, z)                   # the hover shows h itself
    assert (hm.zmin, hm.zmax) == (-57, 57) and "customdata" in hm.hovertemplate     # 1e57 at the top
    assert "signed log" in hm.colorbar.title.text
    ticks = dict(zip(hm.colorbar.tickvals, hm.colorbar.ticktext))
    assert ticks[0] == "0" and ticks[14] == "10<sup>14</sup>" and ticks[-14] == "−10<sup>14</sup>"
    assert max(ticks) <= 57 and list(ticks) == sorted(ticks)
    bars = sv.state_bars(z[:, 10], t=10, zrange=zr, from_data=True, log=True)
    np.testing.assert_allclose(bars.data[0].y, [30.0, -30.0], atol=1e-9)
    assert list(bars.layout.yaxis.range) == [-57, 57] and "signed log" in bars.layout.yaxis.title.text
    np.testing.assert_array_equal(bars.data[0].customdata, z[:, 10])
