"""Opening a page of the app through app.py with Streamlit's AppTest, as the server runs it."""
import os

from streamlit.testing.v1 import AppTest

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")


def open_page(page, timeout=60, **query):
    """Run ``pages/<page>.py`` through app.py with ``query`` in the link; no exception allowed."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = str(value)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at
