"""A class opening its links at the same instant, right after the server starts: every session gets
the app (its navigation, no exception), not a half-started page."""
import os

import pytest


def open_at_once(url, pages):
    """Open every page in its own session at the same instant over Streamlit's websocket protocol, as
    a class's browsers do; return per session (the page names its navigation lists, exceptions)."""
    import threading
    import urllib.request

    websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    barrier, results = threading.Barrier(len(pages)), {}

    def session(n, page):
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as r:
            cookie = r.headers["Set-Cookie"].split(";")[0]
        barrier.wait()
        ws = websocket.create_connection(url.replace("http", "ws") + "/_stcore/stream", timeout=90,
                                         subprotocols=["streamlit", cookie.split("=", 1)[1]],
                                         origin=url, cookie=cookie)
        msg = BackMsg()
        msg.rerun_script.page_name = page
        ws.send_binary(msg.SerializeToString())
        nav, exceptions = [], 0
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                nav = [p.page_name for p in fwd.navigation.app_pages]
            elif kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                exceptions += 1
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                break
        ws.close()
        results[n] = (nav, exceptions)

    threads = [threading.Thread(target=session, args=(n, p)) for n, p in enumerate(pages)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return [results.get(n) for n in range(len(pages))]


def test_a_class_opening_links_on_a_fresh_server_gets_the_app(playwright_api):
    """Right after a (re)start, eight sessions open pages at once. Each must run through app.py (its
    navigation lists the page titles, not file names) and show no exception. Streamlit treats a
    `pages/` folder beside the entry point as old-style multipage until the first st.navigation call
    ends, so sessions that start before that run their page without app.py."""
    from conftest import start_server, stop_server

    proc, url, log = start_server()
    try:
        pages = ["bptt", "compare", "forward", "lstm_gates", "", "bptt", "compare", "forward"]
        got = open_at_once(url, pages)
    finally:
        stop_server(proc)
    with open(log) as f:
        server_log = f.read()
    os.unlink(log)
    assert all(got), f"a session did not finish: {got}"
    wrong = [(p or "start", nav[:3]) for p, (nav, _) in zip(pages, got) if "Start here" not in nav]
    assert not wrong, f"sessions ran their page without app.py (file-name navigation): {wrong}"
    broken = sum(e for _, e in got)
    assert broken == 0, f"{broken} sessions showed an exception; the server logged:\n{server_log[-3000:]}"
