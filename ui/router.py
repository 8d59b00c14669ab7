"""Every page runs through app.py, even when a shared link is the server's first visitor.

Streamlit treats a ``pages/`` folder beside the main script as a legacy (v1) multipage app until
``st.navigation`` is first called in the process. A fresh server whose first visitor opens a deep
link (``/bptt?...``) would run that page file alone, without app.py's navigation and page config, and
keep doing so for everyone until someone opens ``/``. A page that finds itself in that state turns
the legacy mode off and reruns: the rerun goes through app.py, with the same page and link.

Pages call this before their other imports, so that in that state nothing heavy is imported outside
app.py's ordered imports (concurrent first imports of pandas race; see app.py). This module imports
only Streamlit.
"""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def through_app():
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
