"""A class on the app: many sessions at once over Streamlit's websocket protocol, on loopback.

    python bench/bench_load.py                          # 30 sessions on one `streamlit run app.py`
    python bench/bench_load.py --deploy 2 --sessions 60 # 60 through `deploy/local --replicas 2`
    python bench/bench_load.py --url http://127.0.0.1:8080 --pid 1234   # a running server (its tree)

Opens every session at the same instant (as a class does when the teacher says "open the link"), each
on one page, each with its own cookie jar (load_session.py), then each makes --moves interactions a
--pause apart: on a learn page a slider move (timed to the page's script_finished); on a training page
a settings change and a Train press, timed twice: press -> page answered, and press -> run finished
(the page stops refreshing itself; with a press that holds the page both are the same).

Reports drops, exceptions, p50/p95/max of each kind, which replicas served and whether any session
changed replica, and the RSS of every process by role (replica, Dask scheduler, worker, HAProxy).
With --deploy: seconds from start to all healthy, from a replica killed to it healthy again (after
the class), and from SIGTERM to deploy/local's exit (it exits once every process it started is gone).
Goal (issue 11): none dropped, no exceptions, p95 of every interaction <= 1 s. Bounded: an answer
waits at most --timeout s, the class at most --deadline s.
"""
import argparse
import os
import sys
import threading
import time
import urllib.parse

from bench_pages import EXTREMES      # the pages' settings with every slider at its end
from load_processes import ROOT, RssSampler, replica_recovery, start_deploy, start_streamlit, stop
from load_report import pct, report, summary
from load_session import Dropped, Session

PAGES = ("", "forward", "bptt", "lstm_gates", "compare", "training", "your_data")   # "" is Start


def press(s, r, when, args, states):
    """Press Train: time until the page answered, then until the run finished (the page stopped
    refreshing itself; at once when the press held the page until the run was done)."""
    answered = s.run(when, states)
    r["train_answered"].append(answered)
    more = s.follow_live(when, args.timeout)
    if more is None:
        r["train_unfinished"] += 1
    else:
        r["train_finished"].append(answered + more)


def person(index, url, args, barrier, results, lock):
    """Open the page with the class, then make `args.moves` interactions, `args.pause` s apart."""
    page = args.pages[index % len(args.pages)]
    r = dict(page=page or "start", opened=False, dropped=None, first_load=None, moves=[], train_answered=[],
             train_finished=[], train_unfinished=0, changed=0, exceptions=[], served_by=[], move_log=[])
    s = Session(url, page, args.timeout)
    if index < args.extreme:              # this person opened a link with every slider at its end
        s.query_string = urllib.parse.urlencode(EXTREMES[page or "start"])
    try:
        barrier.wait()
        s.connect()
        r["opened"] = True
        r["first_load"] = s.run("first load")
        for m in range(args.moves if s.sliders() else 0):
            time.sleep(args.pause)                   # a person looks at the chart before moving again
            if time.monotonic() > args.end:
                break
            sliders = s.sliders()
            wid, p = sliders[(index // len(args.pages)) % len(sliders)]
            now = s.value(wid)[0]
            v = now + p.step if now + p.step <= p.max else now - p.step
            before = s.charts
            if p.form_id:     # a slider in a form: the move is sent with the Train press, as in a browser
                press(s, r, f"train {m + 1}", args, s.states(moved=wid, value=[v], submit=True))
            else:
                at = time.monotonic() - args.start
                r["moves"].append(s.run(f"move {m + 1}", s.states(moved=wid, value=[v])))
                r["move_log"].append((at, r["moves"][-1], f"{r['page']}: {p.label}"))
                if s.train_id:          # a training page with a Train button: then press it
                    press(s, r, f"train {m + 1}", args, s.states(submit=True))
            r["changed"] += s.charts != before
    except Dropped as err:
        r["dropped"] = str(err)
    except Exception as err:                         # a refused connection, a closed socket
        r["dropped"] = f"{type(err).__name__}: {err}"
    finally:
        s.close()
        r["exceptions"], r["served_by"] = s.exceptions, s.served_by
        with lock:
            results.append(r)


def run_class(url, args):
    results, lock = [], threading.Lock()
    barrier = threading.Barrier(args.sessions)
    t0 = args.start = time.monotonic()
    args.end = t0 + args.deadline
    threads = [threading.Thread(target=person, args=(i, url, args, barrier, results, lock), daemon=True)
               for i in range(args.sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, args.end + args.timeout - time.monotonic()))
    with lock:            # a session still waiting now is cut off by --deadline, not dropped by the server
        return list(results), time.monotonic() - t0


def parse():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--moves", type=int, default=5)
    ap.add_argument("--pause", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one answer may take")
    ap.add_argument("--deadline", type=float, default=240.0, help="seconds for the whole class")
    ap.add_argument("--pages", default=",".join(p or "start" for p in PAGES),
                    help="comma-separated pages the sessions open, in turn (default: all)")
    ap.add_argument("--extreme", type=int, default=0,
                    help="this many sessions (one a page, in turn) open their page at its extreme settings")
    ap.add_argument("--deploy", type=int, default=0, help="start `deploy/local` with this many replicas")
    ap.add_argument("--workers", type=int, default=0, help="with --deploy: Dask workers (default: per core)")
    ap.add_argument("--url", help="a server already running (no server is started)")
    ap.add_argument("--pid", type=int, help="with --url: the process whose tree's memory is reported")
    ap.add_argument("--goal", type=float, default=1.0, help="the p95 goal in seconds")
    ap.add_argument("--log", default=os.path.join(ROOT, "artifacts", "bench_load_server.log"))
    args = ap.parse_args()
    args.pages = ["" if p == "start" else p for p in args.pages.split(",")]
    os.makedirs(os.path.dirname(args.log), exist_ok=True)
    return args


def main():
    args = parse()
    proc, started = None, None
    if args.url:
        url, pid = args.url, args.pid
    elif args.deploy:
        proc, url, started = start_deploy(args.log, args.deploy, args.workers or None)
        pid = proc.pid
    else:
        proc, url, started = start_streamlit(args.log)
        pid = proc.pid
    sampler = RssSampler(pid) if pid else None
    try:
        if sampler:
            sampler.start()
        own = os.times()
        results, wall = run_class(url, args)
        own = os.times().user + os.times().system - own.user - own.system
        if sampler:
            sampler.stop.set()
            sampler.sample()
        recovered = replica_recovery(proc.pid) if args.deploy else None
    finally:
        stopped = stop(proc) if proc else None
    s = summary(results, args.sessions)
    interactions = s["moves"] + s["answered"]
    goal = not s["dropped"] and not s["cut"] and not s["exceptions"] and interactions and pct(interactions, 95) <= args.goal
    where = url + (f" (deploy/local --replicas {args.deploy})" if args.deploy else "")
    cpu = {**(sampler.cpu_by_role() if sampler else {}), "simulated students (this bench)": own}
    report(s, args, where, wall, sampler.by_role() if sampler else {}, goal, cpu)
    if started is not None:
        print(f"server: healthy {started:.1f} s after start; SIGTERM -> exited in {stopped:.1f} s; "
              f"log {os.path.relpath(args.log, ROOT)}")
    if recovered is not None:
        print(f"a replica killed (SIGKILL) after the class: healthy again in {recovered:.1f} s")
    return 0 if goal else 1


if __name__ == "__main__":
    sys.exit(main())
