"""ui.figures.layout builds in one dict what Plotly's update calls would: the same figure, key for key."""
import plotly.graph_objects as go

from ui.figures.layout import frame, merge, vline, vrect

LINE = dict(color="black", width=2, dash="dash")


def test_merge_updates_nested_dicts_key_by_key_and_leaves_its_inputs_alone():
    base = {"yaxis": {"title": {"text": "y"}}, "height": 300}
    assert merge(base, {"yaxis": {"type": "log"}, "height": 400}) == \
        {"yaxis": {"title": {"text": "y"}, "type": "log"}, "height": 400}
    assert base == {"yaxis": {"title": {"text": "y"}}, "height": 300}
    assert merge(base, None) == base


def test_a_frame_is_what_update_layout_makes_of_the_same_words():
    ours = go.Figure(layout=frame(title="T", height=300, x_title="x", y_title="y", legend_y=-0.3))
    theirs = go.Figure()
    theirs.update_layout(title=dict(text="T"), height=300, margin=dict(l=60, r=20, t=60, b=50),
                         xaxis_title="x", yaxis_title="y", legend=dict(orientation="h", y=-0.3, x=0))
    assert ours.to_dict() == theirs.to_dict()


def test_lines_and_bands_are_what_add_vline_and_add_vrect_make():
    shapes, notes = vline(7, LINE, text="t = 7")
    band, band_notes = vrect(2, 5, "#e7298a", "overflow", left=True)
    right, right_notes = vrect(2, 5, "#e7298a", "overflow")
    ours = go.Figure(go.Scatter(x=[0, 9], y=[0, 1]),
                     layout={"shapes": shapes + band + right, "annotations": notes + band_notes + right_notes})
    theirs = go.Figure(go.Scatter(x=[0, 9], y=[0, 1]))
    theirs.add_vline(x=7, line=LINE, annotation_text="t = 7", annotation_position="top")
    theirs.add_vrect(x0=2, x1=5, fillcolor="#e7298a", opacity=0.25, line_width=0, annotation_text="overflow",
                     annotation_position="top left")
    theirs.add_vrect(x0=2, x1=5, fillcolor="#e7298a", opacity=0.25, line_width=0, annotation_text="overflow")
    assert ours.to_dict() == theirs.to_dict()


def test_a_figure_sends_what_plotly_would_and_keeps_its_arrays():
    """ui.figures.layout.Figure.to_dict copies no array; the figure must come out unchanged, and its
    dict be Plotly's own."""
    import json

    import numpy as np
    import plotly.graph_objects as go
    import plotly.io as pio

    from ui.figures.layout import figure, trace
    z = np.arange(12.0).reshape(3, 4)
    fig = figure([trace("heatmap", z=z, colorscale=[[0, "#000"], [1, "#fff"]])],
                 {"title": {"text": "t"}, "yaxis": {"range": None}})
    first = fig.to_dict()
    assert isinstance(fig.data[0].z, np.ndarray) and np.array_equal(fig.data[0].z, z)  # not replaced
    assert json.dumps(first, sort_keys=True) == json.dumps(fig.to_dict(), sort_keys=True)
    theirs = go.Figure(fig.to_dict())                                           # validated by Plotly
    assert json.loads(pio.to_json(fig, validate=False)) == json.loads(pio.to_json(theirs, validate=False))
