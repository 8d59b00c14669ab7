"""One person's browser tab, speaking Streamlit's websocket protocol, and carrying cookies as a browser does.

A browser keeps every cookie a response sets (the balancer's SERVERID, Streamlit's XSRF token) and sends
them back with every later request, the websocket's upgrade and a file upload included: that is what
keeps a session on one replica behind HAProxy. This session does the same with one cookie jar.

A run is a ``rerun_script`` BackMsg with every widget's value, timed to its ``script_finished``. A page
that refreshes itself while a training run is live (an ``st.fragment(run_every=...)``) says so with
``auto_rerun`` messages; ``follow_live`` then reruns that fragment as the browser would, until the page
stops refreshing: the run finished.
"""
import hashlib
import http.cookiejar
import time
import urllib.error
import urllib.request
import uuid

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from load_widgets import Widgets

XSRF_COOKIE = "_streamlit_xsrf"
WIDGETS = ("slider", "radio", "selectbox", "multiselect")


class Dropped(Exception):
    pass


class Session(Widgets):
    def __init__(self, url, page, timeout):
        self.url, self.page, self.timeout = url.rstrip("/"), page, timeout
        self.jar = http.cookiejar.CookieJar()
        self.http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.query_string = ""
        self.session_id = None
        self.page_script_hash = ""         # the page this session is on, as the server names it
        self.served_by = []                # X-Served-By of every response, in order (the balancer's)
        self.widgets = {}                  # id -> (kind, proto), in page order
        self.values = {}                   # id -> the value this person gave it (the browser keeps it)
        self.exceptions = []               # (when, type, message)
        self.charts = ""                   # a hash of every chart's spec in the last run
        self.submit_id = None              # a form's submit button (a training page's Train, in a form)
        self.train_id = None               # or a plain button whose label starts with "Train"
        self.live = {}                     # fragment id -> seconds between its refreshes

    # --- HTTP, as the browser sends it ----------------------------------------------------------
    def get(self, path):
        with self.http.open(f"{self.url}/{path.lstrip('/')}", timeout=self.timeout) as r:
            self.served_by.append(r.headers.get("X-Served-By"))
            return r.status, r.read()

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def connect(self):
        self.get(f"/{self.page}")               # the page's HTML, as the browser loads it first
        self.get("/_stcore/health")             # sets the XSRF cookie
        ws_url = "ws" + self.url[len("http"):] + "/_stcore/stream"
        self.ws = websocket.create_connection(ws_url, subprotocols=["streamlit", self.cookie(XSRF_COOKIE)],
                                              origin=self.url, cookie=self.cookie_header(), timeout=self.timeout)
        self.served_by.append((self.ws.getheaders() or {}).get("x-served-by"))

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    def upload(self, name, data, content_type="text/csv"):
        """Upload a file as st.file_uploader does: ask the session for an upload URL over the websocket,
        then PUT the file there with the XSRF token. Returns (HTTP status, the file's record)."""
        msg = BackMsg()
        msg.file_urls_request.request_id = uuid.uuid4().hex
        msg.file_urls_request.session_id = self.session_id or ""
        msg.file_urls_request.file_names.append(name)
        self.ws.send_binary(msg.SerializeToString())
        urls = self._receive(lambda fwd: fwd.WhichOneof("type") == "file_urls_response").file_urls_response
        target = urls.file_urls[0]
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        put = urllib.request.Request(self.url + target.upload_url, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": self.cookie(XSRF_COOKIE)})
        try:
            with self.http.open(put, timeout=self.timeout) as r:
                self.served_by.append(r.headers.get("X-Served-By"))
                return r.status, target
        except urllib.error.HTTPError as err:
            return err.code, target

    # --- the websocket ---------------------------------------------------------------------------
    def _receive(self, until):
        while True:
            try:
                data = self.ws.recv()
            except (websocket.WebSocketTimeoutException, websocket.WebSocketConnectionClosedException,
                    ConnectionError) as err:
                raise Dropped(f"{type(err).__name__} waiting for the server") from err
            if isinstance(data, bytes):
                fwd = ForwardMsg()
                fwd.ParseFromString(data)
                if until(fwd):
                    return fwd

    def run(self, when, widget_states=(), fragment_id=""):
        """Send a rerun with these widget states; return seconds until its script_finished."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        cs.page_name = self.page
        # The browser names its page by hash in every rerun: a run the server starts itself (a
        # fragment's st.rerun) then stays on this page instead of going to the default one.
        cs.page_script_hash = self.page_script_hash
        cs.widget_states.widgets.extend(widget_states)
        if fragment_id:
            cs.fragment_id, cs.is_auto_rerun = fragment_id, True
        t0 = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        widgets, charts = {}, []
        live, ended = {}, set()               # refresh timers this run started and stopped

        def seen(fwd):
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
            elif kind == "navigation":          # st.navigation's page: the one the person is on
                self.page_script_hash = fwd.navigation.page_script_hash or self.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                what = el.WhichOneof("type")
                if what == "exception":
                    self.exceptions.append((when, el.exception.type, el.exception.message[:300]))
                elif what in WIDGETS:
                    widgets[getattr(el, what).id] = (what, getattr(el, what))
                elif what == "button" and el.button.is_form_submitter:
                    self.submit_id = el.button.id
                elif what == "button" and el.button.label.startswith("Train"):
                    self.train_id = el.button.id
                elif what in ("plotly_chart", "vega_lite_chart"):
                    charts.append(el.SerializeToString())
            elif kind == "auto_rerun":
                live[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                ended.add(fwd.stop_auto_rerun.fragment_id)
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    widgets.clear()           # st.rerun(): the next run draws the page again
                    charts.clear()
                    live.clear()
                    return False
                return True
            return False

        finished = self._receive(seen)
        elapsed = time.perf_counter() - t0
        if finished.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            self.widgets.update(widgets)      # a fragment redraws part of the page
            self.live.update(live)
        else:                                 # a full run: the browser keeps only the timers it started
            self.widgets, self.live = widgets, live
            self.charts = hashlib.sha1(b"".join(charts)).hexdigest()
        for fragment in ended:
            self.live.pop(fragment, None)
        for wid, (_, p) in widgets.items():   # the script set it (e.g. a range shrank)
            if getattr(p, "set_value", False):
                self.values.pop(wid, None)
        return elapsed

    def follow_live(self, when, limit):
        """Refresh the live fragments as the browser does until the page stops refreshing (the run
        finished) or `limit` seconds pass. Returns the seconds it took, or None past the limit."""
        t0 = time.perf_counter()
        while self.live:
            if time.perf_counter() - t0 > limit:
                return None
            fragment_id, interval = next(iter(self.live.items()))
            time.sleep(interval)
            self.run(when, self.states(), fragment_id=fragment_id)
        return time.perf_counter() - t0
