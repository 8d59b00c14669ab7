"""The server under load and its memory: `streamlit run app.py` alone, or `deploy/local` (HAProxy,
replicas, Dask scheduler and workers), started on free loopback ports and stopped after; the resident
memory (RSS) of every process it started, sampled while the class works, by role."""
import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(proc, log_path, ready, timeout):
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}; see {log_path}")
        if time.monotonic() > deadline:
            stop(proc)
            raise SystemExit(f"the server did not answer in {timeout} s; see {log_path}")
        time.sleep(0.2)


def _healthy(url):
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def fresh_store():
    """A new, empty directory for the run store of a server the bench starts, removed at exit: every
    Train press then trains (runs kept by an earlier bench would answer at once)."""
    path = tempfile.mkdtemp(prefix="bench-load-store-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def start_streamlit(log_path, script="app.py", timeout=90):
    """One `streamlit run`; returns (process, url, seconds until healthy)."""
    port = free_port()
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            cwd=ROOT, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                            env={**os.environ, "BPTT_LENS_STORE": fresh_store()})
    url = f"http://127.0.0.1:{port}"
    _wait(proc, log_path, lambda: _healthy(url), timeout)
    return proc, url, time.monotonic() - t0


def start_deploy(log_path, replicas, workers=None, timeout=180):
    """`deploy/local --replicas N`; returns (process, url, seconds until it printed "ready")."""
    port = free_port()
    argv = [sys.executable, os.path.join(ROOT, "deploy", "local"), "--replicas", str(replicas), "--port",
            str(port), "--logs", os.path.splitext(log_path)[0] + "-logs", "--store", fresh_store()]
    if workers:
        argv += ["--workers", str(workers)]
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    _wait(proc, log_path, lambda: "ready at" in open(log_path).read(), timeout)
    return proc, f"http://127.0.0.1:{port}", time.monotonic() - t0


def replica_recovery(deploy_pid, timeout=120):
    """Kill one replica deploy/local started (SIGKILL to its process group); return the seconds until
    deploy/local has it answering /_stcore/health on its port again."""
    replica = next(p for p in psutil.Process(deploy_pid).children() if role(p) == "replica")
    port = replica.cmdline()[replica.cmdline().index("--server.port") + 1]
    t0 = time.monotonic()
    os.killpg(replica.pid, signal.SIGKILL)
    psutil.wait_procs([replica], timeout=10)
    while not _healthy(f"http://127.0.0.1:{port}"):
        if time.monotonic() - t0 > timeout:
            return float("nan")
        time.sleep(0.1)
    return time.monotonic() - t0


def stop(proc, timeout=30):
    """SIGTERM, then wait; returns the seconds it took to exit (SIGKILL past `timeout`)."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return time.monotonic() - t0


def role(p):
    """What a process of the tree is, from its command line."""
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return "gone"
    if "haproxy" in cmd:
        return "haproxy"
    if "streamlit" in cmd:
        return "replica"
    if "dask scheduler" in cmd:
        return "dask scheduler"
    if "dask worker" in cmd:
        return "dask nanny"
    if "ui.runtime.cluster" in cmd:
        return "embedded cluster"        # the app's own scheduler and nannies, in one child process
    if "resource_tracker" in cmd:
        return "resource tracker"
    if "multiprocessing" in cmd or "spawn_main" in cmd:
        try:
            parent = " ".join(p.parent().cmdline())
        except (psutil.Error, AttributeError):
            parent = ""
        return "dask worker" if "dask worker" in parent or "ui.runtime.cluster" in parent else "training process"
    if "deploy/local" in cmd:
        return "deploy/local"
    return "training process" if "train_process" in cmd else "other"


class RssSampler(threading.Thread):
    """Every `every` s: each process of the tree under `pid`, its RSS (keeps each process's peak) and
    the CPU seconds it used since first seen."""

    def __init__(self, pid, every=0.5):
        super().__init__(daemon=True)
        self.root, self.every = psutil.Process(pid), every
        self.peak, self.last, self.roles = {}, {}, {}
        self.cpu_first, self.cpu_last = {}, {}
        self.stop = threading.Event()

    def sample(self):
        try:
            procs = [self.root] + self.root.children(recursive=True)
        except psutil.Error:
            return
        self.last = {}
        for p in procs:
            try:
                rss = p.memory_info().rss / 2**20
                cpu = sum(p.cpu_times()[:2])
            except psutil.Error:
                continue
            self.cpu_first.setdefault(p.pid, cpu)
            self.cpu_last[p.pid] = cpu
            if p.pid not in self.roles:
                self.roles[p.pid] = role(p)
            self.last[p.pid] = rss
            self.peak[p.pid] = max(self.peak.get(p.pid, 0.0), rss)

    def run(self):
        while not self.stop.wait(self.every):
            self.sample()

    def by_role(self):
        """{role: (count, peak MB of the largest, peak MB summed, MB now summed)}."""
        out = {}
        for pid, peak in self.peak.items():
            r = self.roles[pid]
            n, top, total, now = out.get(r, (0, 0.0, 0.0, 0.0))
            out[r] = (n + 1, max(top, peak), total + peak, now + self.last.get(pid, 0.0))
        return out

    def cpu_by_role(self):
        """{role: CPU seconds its processes used while sampled}."""
        out = {}
        for pid, last in self.cpu_last.items():
            r = self.roles[pid]
            out[r] = out.get(r, 0.0) + last - self.cpu_first[pid]
        return out
