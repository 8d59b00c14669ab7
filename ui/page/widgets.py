"""Small pieces every page shares: the plain-words reading under a chart, where the code lives,
downloads, and errors said to a person."""
import inspect
import io
import re

import numpy as np
import streamlit as st

from ui.controls.params import controls_hidden
from ui.page.text import plain
from ui.readings.scales import overflow


def reading(text):
    """One line under a chart: what it shows, in plain words."""
    st.caption(text)


def preamble():
    """Where a page's introduction and equations go: on the page, or, in projector mode (a link with
    ``controls=hidden``), folded into an expander so that the pictures come first."""
    return st.expander("What this page shows, and its equations") if controls_hidden() else st.container()


def hint(text):
    """Advice that points at a control: nothing where the controls are hidden (projector mode)."""
    return "" if controls_hidden() else text


def source(*functions):
    """Name the code that made the picture, so an engineer finds it in one step."""
    with st.expander("Where this comes from in the code"):
        for fn in functions:
            doc = (inspect.getdoc(fn) or "").split("\n\n")[0].replace("\n", " ")
            st.markdown(f"`{fn.__module__}.{fn.__qualname__}`: {doc}")


def say_error(err, what_to_do=""):
    """A ValueError from the core, as a message. Its text is written for people and may quote what a
    person supplied (a column name, a cell), so it is shown as plain text, never as markdown."""
    st.error(plain(f"{err} {what_to_do}".strip()), icon=":material/error:")


def settings_or_stop(make):
    """``make()`` (a settings dataclass), or its ValueError said to the person and the page stopped."""
    try:
        return make()
    except ValueError as err:
        say_error(err)
        st.stop()


def overflow_notice(run, advice, name="", backward=True):
    """Say once where a gradient run's numbers first stopped being finite (ui.readings.scales.overflow),
    and what to change (``advice`` names controls: left out where they are hidden)."""
    said = overflow(run.trace.nonfinite_step, run.grads.nonfinite_step if backward else None)
    if said is not None:
        st.error(f"{name}{said}: those cells are drawn in magenta. {hint(advice)}".strip())


def _npz(arrays):
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _csv(arrays):
    """Every array in long form: its name, the entry's indices, and the value."""
    out = io.StringIO()
    out.write("array,index,value\n")
    for name, a in arrays.items():
        a = np.atleast_1d(np.asarray(a, dtype=np.float64))
        index = [" ".join(map(str, ix)) for ix in np.ndindex(a.shape)] if a.ndim > 1 \
            else [str(i) for i in range(a.size)]
        out.writelines(f"{name},{i},{v!r}\n" for i, v in zip(index, a.ravel().tolist()))
    return out.getvalue()


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def downloads(name, arrays, figures=(), *, key):
    """Download buttons for the arrays of the current view (NPZ and CSV) and figures (HTML).

    Files are built only when clicked: a rerun pays nothing for them."""
    cols = st.columns(2 + len(figures))
    cols[0].download_button("Arrays (.npz)", lambda: _npz(arrays), f"{_slug(name)}.npz",
                            mime="application/octet-stream", on_click="ignore", key=f"{key}-npz")
    cols[1].download_button("Arrays (.csv)", lambda: _csv(arrays), f"{_slug(name)}.csv",
                            mime="text/csv", on_click="ignore", key=f"{key}-csv")
    for col, (title, fig) in zip(cols[2:], figures):
        col.download_button(f"{title} (.html)", lambda fig=fig: fig.to_html(include_plotlyjs=True),
                            f"{_slug(title)}.html", mime="text/html", on_click="ignore",
                            key=f"{key}-{_slug(title)}")
