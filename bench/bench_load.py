"""A class on the app: 30 sessions at once over Streamlit's own websocket protocol, on loopback.

    python bench/bench_load.py                 # 30 sessions, 5 moves each, 1 s apart
    python bench/bench_load.py --sessions 10 --moves 3
    python bench/bench_load.py --extreme 7     # one session a page opens it at its extreme settings

Starts `streamlit run app.py` on a free loopback port, opens every session at the same instant (as a
class does when the teacher says "open the link"), each on one page, then each moves one of its
page's sliders one step at a time, pausing 1 s between moves as a person would. A move is a
``rerun_script`` BackMsg with every widget's current value and the moved slider's new one, exactly what
the browser sends; its time runs from sending it to the run's ``script_finished``.

Reports: sessions opened and dropped, exception elements seen (first load and moves), move times
(p50/p95/max, overall and per page), whether each move changed the page's charts, and the server's RSS
before, at peak and after (and its training process's, ui/runtime/train_process.py). Goal on this 2-core machine: none dropped, no exceptions, p95 <= 2 s.
Bounded: a session gives up after --timeout s without an answer; the whole run after --deadline s.
"""
import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench_pages import EXTREMES      # the pages' settings with every slider at its end

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = ("", "forward", "bptt", "lstm_gates", "compare", "training", "your_data")   # "" is Start
XSRF_COOKIE = "_streamlit_xsrf"


# --- the server ----------------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log_path, script="app.py", timeout=90):
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"streamlit exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"streamlit did not answer in {timeout} s; see {log_path}")
        time.sleep(0.2)


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:                  # it ended meanwhile
        pass
    return 0.0


def children(pid):
    """The server's child processes: the training process (ui/runtime/train_process.py) once it started."""
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def children_rss_mb(pid):
    return sum(rss_mb(c) for c in children(pid))


class RssSampler(threading.Thread):
    def __init__(self, pid, every=0.25):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.peak_children = pid, every, 0.0, 0.0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(self.every):
            self.peak = max(self.peak, rss_mb(self.pid))
            self.peak_children = max(self.peak_children, children_rss_mb(self.pid))


# --- one person's browser tab --------------------------------------------------------------------
class Dropped(Exception):
    pass


class Session:
    """Speaks Streamlit's protocol: BackMsg.rerun_script out, ForwardMsgs in until script_finished."""

    def __init__(self, port, page, timeout):
        self.port, self.page, self.timeout = port, page, timeout
        self.query_string = ""
        self.widgets = {}                 # id -> (kind, proto), in page order
        self.values = {}                  # id -> the value this person gave it (the browser keeps it)
        self.exceptions = []              # (when, type, message)
        self.charts = ""                  # a hash of every chart's spec in the last run
        self.submit_id = None             # a form's submit button (the training pages' Train)

    def connect(self):
        origin = f"http://127.0.0.1:{self.port}"
        with urllib.request.urlopen(f"{origin}/{self.page}", timeout=self.timeout) as r:
            r.read()                                 # the page's HTML, as the browser loads it first
        with urllib.request.urlopen(f"{origin}/_stcore/health", timeout=self.timeout) as r:
            cookies = [c.split(";")[0] for c in r.headers.get_all("Set-Cookie") or []]   # the XSRF token
        xsrf = next(c.split("=", 1)[1] for c in cookies if c.startswith(XSRF_COOKIE + "="))
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{self.port}/_stcore/stream",
                                              subprotocols=["streamlit", xsrf], origin=origin,
                                              cookie="; ".join(cookies), timeout=self.timeout)

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    def run(self, when, widget_states=()):
        """Send a rerun with these widget states; return seconds until its script_finished."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        cs.page_name = self.page
        cs.widget_states.widgets.extend(widget_states)
        t0 = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        widgets, charts = {}, []
        while True:
            try:
                data = self.ws.recv()
            except (websocket.WebSocketTimeoutException, websocket.WebSocketConnectionClosedException,
                    ConnectionError) as err:
                raise Dropped(f"{type(err).__name__} waiting for the run to finish") from err
            if not isinstance(data, bytes):
                continue
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                what = el.WhichOneof("type")
                if what == "exception":
                    self.exceptions.append((when, el.exception.type, el.exception.message[:300]))
                elif what in ("slider", "radio", "selectbox", "multiselect"):
                    widgets[getattr(el, what).id] = (what, getattr(el, what))
                elif what == "button" and el.button.is_form_submitter:
                    self.submit_id = el.button.id
                elif what in ("plotly_chart", "vega_lite_chart"):
                    charts.append(el.SerializeToString())
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                elapsed = time.perf_counter() - t0
                self.widgets = widgets
                for wid, (_, p) in widgets.items():       # the script set it (e.g. a range shrank)
                    if getattr(p, "set_value", False):
                        self.values.pop(wid, None)
                self.charts = hashlib.sha1(b"".join(charts)).hexdigest()
                return elapsed

    def value(self, wid):
        """A widget's value as the browser shows it: the person's, else the script's, else its default."""
        kind, p = self.widgets[wid]
        if wid in self.values:
            return self.values[wid]
        if kind == "slider":
            return list(p.value if p.set_value else p.default)
        if kind == "multiselect":
            return list(p.raw_values if p.set_value else [p.options[i] for i in p.default])
        return p.raw_value if p.set_value else p.options[p.default]

    def states(self, moved=None, value=None, submit=False):
        """Every widget's current value, as the browser sends them; `moved` gets `value`. With
        `submit`, the form's button is pressed too (a browser sends a form's values only then)."""
        if moved is not None:
            self.values[moved] = value
        out = [WidgetState(id=self.submit_id, trigger_value=True)] if submit else []
        for wid, (kind, p) in self.widgets.items():
            ws = WidgetState(id=wid)
            v = self.value(wid)
            if kind == "slider":
                ws.double_array_value.data.extend(v)
            elif kind in ("radio", "selectbox"):
                ws.string_value = v
            elif kind == "multiselect":
                ws.string_array_value.data.extend(v)
            out.append(ws)
        return out

    def sliders(self):
        return [(wid, p) for wid, (kind, p) in self.widgets.items() if kind == "slider"]


def person(index, port, args, barrier, results, lock):
    """Open the page with the class, then move one slider `args.moves` times, a second apart."""
    pages = args.pages
    page = pages[index % len(pages)]
    r = dict(page=page or "start", opened=False, dropped=None, first_load=None, moves=[], trains=[], timeline=[],
             changed=0, slider=None, exceptions=[])
    s = Session(port, page, args.timeout)
    r["extreme"] = index < args.extreme
    if r["extreme"]:            # this person opened a link with every slider at its end
        s.query_string = urllib.parse.urlencode(EXTREMES[page or "start"])
    try:
        barrier.wait()
        s.connect()
        r["opened"] = True
        r["first_load"] = s.run("first load")
        sliders = s.sliders()
        for m in range(args.moves if sliders else 0):
            time.sleep(args.pause)                   # a person looks at the chart before moving again
            if time.monotonic() > args.end:
                break
            sliders = s.sliders()
            wid, p = sliders[(index // len(pages)) % len(sliders)]
            r["slider"] = p.label
            now = s.value(wid)[0]
            v = now + p.step if now + p.step <= p.max else now - p.step
            before = s.charts
            sent = time.monotonic() - args.t0
            if p.form_id:
                # In a form (the training pages) a move sends nothing until the person presses Train:
                # that press is what is timed, and reported apart from the slider moves.
                r["trains"].append(s.run(f"train {m + 1}", s.states(moved=wid, value=[v], submit=True)))
                r["timeline"].append((sent, r["trains"][-1], "train"))
            else:
                r["moves"].append(s.run(f"move {m + 1}", s.states(moved=wid, value=[v])))
                r["timeline"].append((sent, r["moves"][-1], "move"))
            r["changed"] += s.charts != before
    except Dropped as err:
        r["dropped"] = str(err)
    except Exception as err:                         # a refused connection, a closed socket
        r["dropped"] = f"{type(err).__name__}: {err}"
    finally:
        s.close()
        r["exceptions"] = s.exceptions
        with lock:
            results.append(r)


# --- the report ----------------------------------------------------------------------------------
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))] if xs else float("nan")


def row(name, xs):
    return (f"  {name:<11} n={len(xs):>3}  p50 {pct(xs, 50):6.2f} s  p95 {pct(xs, 95):6.2f} s  "
            f"max {max(xs) if xs else float('nan'):6.2f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--moves", type=int, default=5)
    ap.add_argument("--pause", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one answer may take")
    ap.add_argument("--deadline", type=float, default=240.0, help="seconds for the whole class")
    ap.add_argument("--pages", default=",".join(p or "start" for p in PAGES),
                    help="comma-separated pages the sessions open, in turn (default: all)")
    ap.add_argument("--extreme", type=int, default=0,
                    help="this many sessions (one a page, in turn) open their page at its extreme "
                         "settings (bench_pages.EXTREMES) and move from there")
    ap.add_argument("--app", default="app.py", help="the script to serve, from the checkout")
    ap.add_argument("--log", default=os.path.join(ROOT, "artifacts", "bench_load_server.log"))
    ap.add_argument("--json", help="also write every session's record here (moves with send times)")
    args = ap.parse_args()
    os.makedirs(os.path.dirname(args.log), exist_ok=True)
    args.pages = ["" if p == "start" else p for p in args.pages.split(",")]

    proc, port = start_server(args.log, args.app)
    try:
        rss_before = rss_mb(proc.pid)
        sampler = RssSampler(proc.pid)
        sampler.start()
        results, lock = [], threading.Lock()
        barrier = threading.Barrier(args.sessions)
        t0 = args.t0 = time.monotonic()
        args.end = t0 + args.deadline
        threads = [threading.Thread(target=person, args=(i, port, args, barrier, results, lock), daemon=True)
                   for i in range(args.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, args.end + args.timeout - time.monotonic()))
        wall = time.monotonic() - t0
        sampler.stop.set()
        rss_after, children_after = rss_mb(proc.pid), children_rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    with open(args.log) as f:
        tracebacks = f.read().count("Traceback")

    opened = sum(r["opened"] for r in results)
    dropped = [r for r in results if r["dropped"]] + [None] * (args.sessions - len(results))
    exc = [(r["page"], *e) for r in results for e in r["exceptions"]]
    moves = [m for r in results for m in r["moves"]]
    trains = [m for r in results for m in r["trains"]]
    loads = [r["first_load"] for r in results if r["first_load"] is not None]
    n_moves = len(moves)
    changed = sum(r["changed"] for r in results)
    ok = not dropped and not exc and moves and pct(moves, 95) <= 2.0

    print(f"BPTT Lens load bench: {args.sessions} sessions at once on 127.0.0.1:{port}, "
          f"{args.moves} moves each, {args.pause:g} s apart ({os.cpu_count()} cores, {wall:.0f} s)")
    print(f"pages: {', '.join(p or 'start' for p in args.pages)}")
    print(f"sessions opened {opened}/{args.sessions}, dropped {len(dropped)}")
    for r in dropped:
        print(f"  dropped: {r['page'] + ': ' + r['dropped'] if r else 'a session never reported'}")
    print(f"exceptions on the page: {len(exc)} (first loads and moves); server log tracebacks: {tracebacks}")
    for page, when, typ, message in exc[:10]:
        print(f"  {page} at {when}: {typ}: {message}")
    print("first load (connect to script_finished, all sessions at once):")
    print(row("all", loads))
    print(f"move -> script_finished ({n_moves} slider moves, {len(trains)} Train presses; {changed} "
          "changed the page's charts):")
    print(row("all moves", moves))
    if args.extreme:
        print(row("extremes", [m for r in results if r["extreme"] for m in r["moves"]])
              + f"   ({args.extreme} sessions opened at the extremes)")
        print(row("the others", [m for r in results if not r["extreme"] for m in r["moves"]]))
    if trains:
        print(row("Train", trains) + "   (press Train in a form -> the run finished; not in the goal)")
    for page in dict.fromkeys(args.pages):
        name = page or "start"
        xs = [m for r in results if r["page"] == name for m in r["moves"] + r["trains"]]
        first = max((r["first_load"] for r in results if r["page"] == name and r["first_load"]), default=0)
        sliders = sorted({r["slider"] for r in results if r["page"] == name and r["slider"]})
        if xs:
            print(row(name, xs) + f"   first load max {first:5.1f} s; sliders: {', '.join(sliders)}")
        else:
            print(f"  {name:<11} no sliders (first load max {first:.1f} s)")
    print(f"server RSS: before {rss_before:.0f} MB, peak {sampler.peak:.0f} MB, after {rss_after:.0f} MB; "
          f"its training process: peak {sampler.peak_children:.0f} MB, after {children_after:.0f} MB")
    print(f"goal (none dropped, no exceptions, p95 of slider moves <= 2 s): {'MET' if ok else 'NOT MET'}")
    print(f"server log: {os.path.relpath(args.log, ROOT)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
