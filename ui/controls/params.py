"""A page's controls, declared once: the widgets, the URL schema and the validation of a shared link.

Each control is a spec (key, label, range or options, default). ``controls(specs)`` draws the widgets
bound to the URL (Streamlit's ``bind="query-params"``), so a copied link reopens the same view. Streamlit
silently drops URL values it cannot use; ``url_notices`` tells the person which ones and why, and a
teacher's link with ``controls=hidden`` shows the view without the widgets.
"""
from dataclasses import dataclass

import streamlit as st

from ui.page.text import inert
from ui.runtime.router import arrived

HIDE_KEY = "controls"          # ?controls=hidden: a teacher's focused link
RESERVED = {HIDE_KEY, "embed", "embed_options"}


@dataclass(frozen=True)
class Slider:
    key: str
    label: str
    min: float
    max: float
    default: float
    step: float = 1
    help: str | None = None

    @property
    def integer(self):
        return all(float(v).is_integer() for v in (self.min, self.max, self.default, self.step))

    def parse(self, raw):
        # The reasons quote no user text: url_notices shows the value itself, fenced.
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError("is not a number") from None
        if not self.min <= value <= self.max:
            raise ValueError(f"is outside {self.min:g} to {self.max:g}")
        if self.integer:
            if not value.is_integer():
                raise ValueError("is not a whole number")
            return int(value)
        return value


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    options: tuple
    default: str
    labels: dict | None = None     # option -> words shown to the person
    help: str | None = None

    def parse(self, raw):
        if raw not in self.options:
            raise ValueError(f"is not one of {', '.join(self.options)}")
        return raw


def url_notices(specs, query_params):
    """Plain-words notes on the link's parameters that this page cannot use (they get defaults)."""
    known = {s.key: s for s in specs}
    notes = []
    for key in query_params:
        if key in RESERVED:
            continue
        spec = known.get(key)
        if spec is None:
            notes.append(f"{inert(key)} is not a setting of this page")
            continue
        try:
            spec.parse(query_params[key])
        except ValueError as err:
            notes.append(f"{spec.label} (`{key}`): {inert(query_params[key])} {err}; "
                         f"using {spec.default}")
    return notes


def from_url(specs, query_params):
    """Each spec's value from the link, or its default where the link has none or a bad one."""
    values = {}
    for s in specs:
        try:
            values[s.key] = s.parse(query_params[s.key]) if s.key in query_params else s.default
        except ValueError:
            values[s.key] = s.default
    return values


def controls_hidden():
    return st.query_params.get(HIDE_KEY) == "hidden"


def controls(specs, derived=(), container=None, submit=None):
    """Draw the widgets (bound to the URL) and return ``{key: value}``.

    With ``submit`` (a button label) the widgets sit in a form: moving them costs nothing until the
    person presses the button (training pages: a slider move must not start a run).

    ``derived`` are functions of the values that return a further spec (or None), e.g. a time
    scrubber whose range follows T: the link is checked against them too, and the page draws them
    where it wants. A link that hides the controls still sets every value; a link with values this
    page cannot use opens with defaults and one notice that says which.
    """
    query = st.query_params.to_dict()
    from_link = from_url(specs, query)
    extra = [s for s in (fn(from_link) for fn in derived) if s is not None]
    if arrived():         # a page opens on its link or its defaults, not another page's same-named values
        for s in (*specs, *extra):
            st.session_state.pop(s.key, None)
    notes = url_notices(tuple(specs) + tuple(extra), query)
    if notes:
        st.info("Some settings in this link could not be used and were reset:\n\n- " + "\n- ".join(notes))
    if controls_hidden():
        return from_link
    where = container or st.sidebar
    if submit:
        where = where.form("controls", border=False)
    values = {}
    with where:
        for s in specs:
            values[s.key] = widget(s)
        if submit:
            st.form_submit_button(submit, type="primary", use_container_width=True)
    return values


def widget(s):
    """One spec's widget, bound to the URL under its key.

    Streamlit writes a choice's *displayed* text into the URL, so choices show their option names
    (clean links: ``?activation=relu``) and put the plain words in captions.
    """
    if isinstance(s, Choice):
        index = s.options.index(s.default)
        if len(s.options) <= 4:
            # a caption only where the plain words say more than the option's name
            captions = [s.labels.get(o, "") if s.labels.get(o, o) != o else ""
                        for o in s.options] if s.labels else None
            return st.radio(s.label, s.options, index=index, captions=captions, key=s.key,
                            help=s.help, horizontal=captions is None, bind="query-params")
        return st.selectbox(s.label, s.options, index=index, key=s.key, help=s.help,
                            bind="query-params")
    if s.integer:
        return st.slider(s.label, int(s.min), int(s.max), int(s.default), int(s.step), key=s.key,
                         help=s.help, bind="query-params")
    return st.slider(s.label, float(s.min), float(s.max), float(s.default), float(s.step), key=s.key,
                     help=s.help, bind="query-params")
