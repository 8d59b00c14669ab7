import json

import numpy as np

from ui.figures.heatmap import LOG_RANGE, log_heatmap


def traces(fig):
    return json.loads(fig.to_json())["data"]


def test_log_heatmap_marks_nonfinite_and_zero_cells_and_states_its_range():
    z = np.array([[1e-3, 0.0, np.nan], [1e5, np.inf, 1e-30]])
    fig = log_heatmap(z, title="t", x_title="x", y_title="y", value_name="v")
    data = json.loads(fig.to_json())
    main = data["data"][0]
    assert (main["zmin"], main["zmax"]) == LOG_RANGE
    names = [t.get("name") for t in data["data"] if t["type"] == "scatter"]
    assert names == ["overflow: inf or NaN", "exactly zero"]
    assert "10<sup>-20</sup>" in data["layout"]["title"]["subtitle"]["text"]
    shown = fig.data[0].z
    assert np.isnan(shown[0, 1]) and np.isnan(shown[1, 1]) and shown[1, 2] == LOG_RANGE[0]
    assert shown[0, 0] == np.float32(-3)


def test_long_sequences_are_binned_and_said_so():
    fig = log_heatmap(np.ones((32, 1000)), title="Gradient", x_title="t", y_title="s", value_name="v")
    assert fig.data[0].z.shape == (32, 334)
    assert "largest of 3 steps" in fig.layout.title.text
    assert len(fig.to_json()) < 2_000_000
