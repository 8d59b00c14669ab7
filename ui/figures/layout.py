"""Plotly layouts as plain dicts, handed to ``go.Figure(traces, layout=...)`` in one piece.

Why not ``fig.update_layout(xaxis_title=...)``, ``fig.add_vline(...)``: each such call goes through
Plotly's update machinery and parses its magic-underscore paths, ~3 ms a call, while the constructor
validates the same layout in ~0.2 ms. A page draws up to seven figures at every slider move, for
every person in a class, in one server process.

Nor does the figure validate its traces and layout property by property at every rerun (``figure``,
``trace``): that was the largest part of a Learn page's rerun under a class's load. The tests validate
instead: tests/test_story_sweep.py builds a validated go.Figure from every figure the pages draw.
"""
from functools import lru_cache

import plotly.graph_objects as go
from _plotly_utils.utils import convert_to_base64
from plotly.colors import get_colorscale


def figure(traces, layout, **more):
    """``go.Figure(traces, layout=layout)``, not validated (see above). Settings that are None, and
    sections left empty by them, are left out, as validation would."""
    return Figure(traces, layout=_set_only(layout), _validate=False, **more)


class Figure(go.Figure):
    """A go.Figure whose ``to_dict`` (what st.plotly_chart sends) copies the figure's dicts and lists
    but not its arrays: Plotly's own deep-copies every array first, a tenth of a Learn page's rerun.
    The arrays are not changed: the base64 encoding replaces them in the copied dicts."""

    def to_dict(self):
        if self.frames:                         # an animation: Plotly's own way
            return super().to_dict()
        res = {"data": _containers(self._data), "layout": _containers(self._layout)}
        convert_to_base64(res)
        return res


def _containers(value):
    if isinstance(value, dict):
        return {key: _containers(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_containers(v) for v in value]
    return value


def _set_only(d):
    """``d`` without its None settings and the sections left empty by them."""
    out = {}
    for key, value in d.items():
        value = _set_only(value) if isinstance(value, dict) else value
        if value is not None and value != {}:
            out[key] = value
    return out


def trace(kind, **props):
    """A trace as the dict Plotly validation would have made of ``go.<Kind>(**props)``: its type, and
    every property that is not None."""
    return {"type": kind, **{key: value for key, value in props.items() if value is not None}}


@lru_cache(maxsize=None)
def named_scale(name):
    """A named colour scale as its stops. An unvalidated figure would pass the name to plotly.js,
    where some names mean other colours ("RdBu" runs blue to red there, red to blue in Plotly)."""
    return tuple(tuple(stop) for stop in get_colorscale(name))


def merge(base, extra):
    """``base`` updated by ``extra``, nested dicts merged key by key (as update_layout does)."""
    out = dict(base)
    for key, value in (extra or {}).items():
        old = out.get(key)
        out[key] = merge(old, value) if isinstance(value, dict) and isinstance(old, dict) else value
    return out


def frame(*, title, height, x_title, y_title, legend_y, margin=None):
    """What every figure of the app has: a title, its height, margins, axis titles, a legend below."""
    return {"title": title if isinstance(title, dict) else {"text": title}, "height": height,
            "margin": margin or {"l": 60, "r": 20, "t": 60, "b": 50},
            "xaxis": {"title": {"text": x_title}}, "yaxis": {"title": {"text": y_title}},
            "legend": {"orientation": "h", "y": legend_y, "x": 0}}


def vline(x, line, text=None):
    """A vertical line at ``x`` across the plot (and its label above it): (shapes, annotations)."""
    shape = {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
             "line": line}
    notes = [] if text is None else [{"showarrow": False, "text": text, "x": x, "xanchor": "center",
                                      "xref": "x", "y": 1, "yanchor": "bottom", "yref": "y domain"}]
    return [shape], notes


def vrect(x0, x1, color, text, left=False):
    """A translucent band from ``x0`` to ``x1`` across the plot, its label at the top right (or left)
    inside it: (shapes, annotations)."""
    shape = {"type": "rect", "x0": x0, "x1": x1, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
             "fillcolor": color, "opacity": 0.25, "line": {"width": 0}}
    note = {"showarrow": False, "text": text, "x": x0 if left else x1,
            "xanchor": "left" if left else "right", "xref": "x", "y": 1, "yanchor": "top",
            "yref": "y domain"}
    return [shape], [note]
