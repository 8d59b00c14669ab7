"""Start everything in order, wait until each part answers, keep it running, stop it all on a signal.

Order: the Dask scheduler, its workers, the Streamlit replicas (each told the scheduler's address), then
HAProxy. A child that exits while running is started again (a replica on its own port, so HAProxy
finds it back); one that keeps dying (5 times in a minute) stops the whole stack with its log.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from . import balancer, cluster
from .children import Child, stop_all

HOST = "127.0.0.1"
RESTARTS_PER_MINUTE = 5


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def answers(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(url, children, timeout, cancelled=lambda: False):
    """Poll `url` until it answers 200; fail if one of `children` exits, a stop came, or after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not answers(url):
        if cancelled():
            raise RuntimeError("stopped while starting")
        for child in children:
            if child.exited() is not None:
                raise RuntimeError(f"{child.name} exited with {child.exited()} while starting:\n"
                                   f"{child.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")
        time.sleep(0.2)


class Stack:
    def __init__(self, args, root):
        self.args, self.root = args, root
        self.children, self.stopping = [], False
        self.signals = []          # the signals received (serve's handler appends)
        os.makedirs(args.logs, exist_ok=True)
        base = dict(os.environ)
        self.dask_env = cluster.dask_env(base, root)
        self.scheduler_address = f"tcp://{HOST}:{free_port()}"
        self.app_env = dict(base, BPTT_LENS_SCHEDULER=self.scheduler_address, BPTT_LENS_STORE=args.store,
                            STREAMLIT_SERVER_COOKIE_SECRET=args.cookie_secret,
                            PYTHONPATH=self.dask_env["PYTHONPATH"])
        self.replicas = [(f"r{i + 1}", HOST, free_port()) for i in range(args.replicas)]

    def _child(self, name, argv, env):
        child = Child(name, argv, env, self.args.logs, self.root).start()
        self.children.append(child)
        return child

    def replica_argv(self, port):
        return [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", HOST,
                "--server.port", str(port), "--server.headless", "true"]

    def start(self):
        timeout = self.args.start_timeout
        port = int(self.scheduler_address.rsplit(":", 1)[1])
        dask = [self._child("scheduler", cluster.scheduler_argv(HOST, port), self.dask_env)]
        dask += [self._child(f"worker{i + 1}", cluster.worker_argv(self.scheduler_address, f"worker{i + 1}",
                                                                   self.args.worker_memory), self.dask_env)
                 for i in range(self.args.workers)]
        replicas = [self._child(name, self.replica_argv(p), self.app_env) for name, _, p in self.replicas]
        cluster.wait_for_workers(self.scheduler_address, self.args.workers, timeout,
                                 alive=lambda: not self.signals and all(c.exited() is None for c in dask))
        for (name, host, p), child in zip(self.replicas, replicas):
            wait_healthy(f"http://{host}:{p}/_stcore/health", [child], timeout, lambda: self.signals)
        config = os.path.join(self.args.logs, "haproxy.cfg")
        with open(config, "w") as f:
            f.write(balancer.render(f"{self.args.host}:{self.args.port}", self.replicas))
        check = subprocess.run(balancer.check_argv(config), capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"HAProxy refused {config}:\n{check.stdout}{check.stderr}")
        proxy = self._child("haproxy", balancer.haproxy_argv(config), dict(os.environ))
        wait_healthy(f"http://{self.args.host}:{self.args.port}/_stcore/health", [proxy], timeout,
                     lambda: self.signals)

    def supervise_once(self):
        """Start again any child that exited; False when one keeps dying."""
        for child in self.children:
            code = child.exited()
            if code is None or self.stopping:
                continue
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < 60] + [now]
            if len(child.restarts) > RESTARTS_PER_MINUTE:
                print(f"deploy/local: {child.name} keeps exiting (last code {code}); stopping.\n"
                      f"{child.log_tail()}", file=sys.stderr, flush=True)
                return False
            print(f"deploy/local: {child.name} exited with {code}; starting it again", flush=True)
            if child.running():           # what it had started (a replica's training process) goes too
                child.signal(signal.SIGKILL)
            child.start()
        return True

    def stop(self):
        self.stopping = True
        t0 = time.monotonic()
        order = sorted(self.children, key=lambda c: c.name != "haproxy")    # stop taking requests first
        killed = stop_all(order, grace=self.args.stop_grace)
        note = f"; killed after {self.args.stop_grace:g} s: {', '.join(killed)}" if killed else ""
        print(f"deploy/local: stopped {len(self.children)} processes in {time.monotonic() - t0:.1f} s{note}",
              flush=True)


def serve(stack):
    """Run `stack` in the foreground until SIGTERM, SIGINT (Ctrl-C) or SIGHUP. Returns the exit code."""
    stop = stack.signals

    def on_signal(signum, frame):
        stop.append(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    t0 = time.monotonic()
    code = 0
    try:
        stack.start()
        print(f"deploy/local: ready at http://{stack.args.host}:{stack.args.port} in "
              f"{time.monotonic() - t0:.1f} s: {len(stack.replicas)} replicas, {stack.args.workers} Dask "
              f"workers at {stack.scheduler_address}; logs in {stack.args.logs}", flush=True)
        while not stop:
            if not stack.supervise_once():
                code = 1
                break
            time.sleep(0.25)
    except RuntimeError as err:
        if stop:          # Ctrl-C or SIGTERM while starting: not a failure
            print("deploy/local: stopping before it was ready", flush=True)
        else:
            print(f"deploy/local: {err}", file=sys.stderr, flush=True)
            code = 1
    finally:
        stack.stop()
    return code
