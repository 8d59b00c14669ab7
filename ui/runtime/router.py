"""Every page runs through app.py, even when a shared link is the server's first visitor.

Streamlit treats a ``pages/`` folder beside the main script as a legacy (v1) multipage app until
``st.navigation`` is first called in the process. On a fresh server, the first visitors' runs can
start in that mode and run a linked page file (``/bptt?...``) alone: without app.py's navigation,
page config and ordered imports (concurrent first imports of pandas race; see app.py). app.py marks
the runs it routes; a page run without that mark turns the legacy mode off and reruns, which goes
through app.py with the same page and link. Pages call this before their other imports, and this
module imports only Streamlit.
"""
import threading

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

_run = threading.local()        # each script run has its own thread
_PAGE = "_router_page"          # session state: the page of the session's last routed run


def navigation(pages):
    """``st.navigation(pages)``; in projector mode (a link with ``controls=hidden``) the navigation is
    hidden too, so that with no widgets drawn the whole sidebar is gone."""
    hidden = st.query_params.get("controls") == "hidden"
    return st.navigation(pages, position="hidden" if hidden else "sidebar")


def routed(page):
    """Run ``page`` (an st.Page) as a run routed by app.py."""
    came_from = st.session_state.get(_PAGE)
    st.session_state[_PAGE] = page.url_path
    _run.routed, _run.arrived = True, came_from != page.url_path
    try:
        page.run()
    finally:
        _run.routed = _run.arrived = False


def arrived():
    """Is this the page's first run since the person came to it (from another page, a link, or a
    fresh tab)? Pages share control keys (``seq_len``, ``task``...) with different ranges and defaults,
    and Streamlit keeps a keyed widget's value across pages: without a fresh start, the RNN vs LSTM page
    opened after the Training lab showed the lab's T = 20, and its ρ slider raised on the lab's ρ = 0."""
    return getattr(_run, "arrived", False)


def through_app():
    if getattr(_run, "routed", False):
        st.session_state["_router_retries"] = 0
        return
    PagesManager.uses_pages_directory = False
    retries = st.session_state.get("_router_retries", 0)
    if retries < 2:
        st.session_state["_router_retries"] = retries + 1
        st.rerun()
    st.error("This page is part of an app: start it with `streamlit run app.py`.")
    st.stop()
