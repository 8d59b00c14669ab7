"""The Dask cluster that trains: an embedded one in a child process, or the one BPTT_LENS_SCHEDULER names.

Embedded (the default, nothing to install or start): ``python -m ui.runtime.cluster`` runs a
LocalCluster with one single-threaded worker process per core (BLAS pinned and the nanny's malloc
trim undone: ui.runtime.worker_setup) and prints its scheduler's address. It is a child process, not
a LocalCluster inside the server, for two reasons: the scheduler's work does not take the server's
interpreter lock from the sessions' reruns, and the worker processes are spawned from a plain
``-m`` module (multiprocessing's spawn re-imports ``__main__``, which inside a Streamlit run is the
app's script). The child reads its stdin until the server closes it, or dies, and then shuts down:
no worker outlives the app.

With ``BPTT_LENS_SCHEDULER=tcp://host:8786`` the app (every replica) connects to that scheduler
instead. When it cannot be reached, ``client()`` raises Unavailable with words for the page, and the
next call tries again (after RETRY_AFTER seconds, so reruns do not each wait for a timeout).
"""
import atexit
import os
import subprocess
import sys
import threading
import time

import dask

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONNECT_TIMEOUT = 5.0       # seconds to reach a scheduler
START_TIMEOUT = 60.0        # seconds for the embedded cluster to come up
RETRY_AFTER = 10.0          # seconds before trying an unreachable scheduler again
ALLOWED_FAILURES = 1        # a run whose worker died is retried once, then said to have failed
LOG_LENGTH = 300            # events kept per topic by the scheduler (progress messages: bounded)


class Unavailable(RuntimeError):
    """No cluster to train on. Its text is for people."""


_lock = threading.Lock()
_client = None
_child = None
_failed = None              # (time, Unavailable) of the last failed start


def cluster_config():
    """The Dask settings of the embedded cluster's scheduler and workers."""
    from ui.runtime.worker_setup import pre_spawn_environ
    return {**pre_spawn_environ(), "distributed.scheduler.worker-saturation": 1.0,
            "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
            "distributed.admin.low-level-log-length": LOG_LENGTH}


def client():
    """The process's distributed.Client, started on first use (once, whichever session asks first)."""
    global _client, _failed
    with _lock:
        if _client is not None and _client.status == "running":
            return _client
        if _failed is not None and time.monotonic() - _failed[0] < RETRY_AFTER:
            raise _failed[1]
        try:
            _client = _connect(os.environ.get("BPTT_LENS_SCHEDULER", "").strip() or _start_child())
            _failed = None
            return _client
        except Unavailable as err:
            _failed = (time.monotonic(), err)
            raise


def _connect(address):
    from distributed import Client
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        where = os.environ.get("BPTT_LENS_SCHEDULER") and "the training cluster named by BPTT_LENS_SCHEDULER"
        raise Unavailable(f"Training is unavailable: {where or 'the training cluster'} ({address}) "
                          f"could not be reached ({type(err).__name__}). The other pages work; try "
                          "Train again in a moment.") from None


def _start_child():
    """Start ``python -m ui.runtime.cluster`` and return the scheduler address it prints."""
    global _child
    if _child is not None and _child.poll() is None:
        return _child.address
    try:
        proc = subprocess.Popen([sys.executable, "-m", "ui.runtime.cluster"], cwd=ROOT, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    except OSError as err:
        raise Unavailable(f"Training is unavailable: its worker processes could not start ({err}). "
                          "The other pages work.") from None
    line = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not line or not line[0].startswith("tcp://"):
        proc.kill()
        proc.wait()
        raise Unavailable("Training is unavailable: its worker processes did not start in "
                          f"{START_TIMEOUT:.0f} s. The other pages work; try Train again.")
    proc.address = line[0].strip()
    _child = proc
    return proc.address


@atexit.register
def close():
    """Close the client and end the embedded cluster (tests call it to start afresh)."""
    global _client, _child, _failed
    with _lock:
        if _client is not None:
            from ui.runtime.job import TOPIC
            try:
                _client.unsubscribe_topic(TOPIC)       # no news sent to a closing client
            except ValueError:                         # it never subscribed
                pass
            _client.close(timeout=5)
            _client = None
        if _child is not None:
            _child.stdin.close()          # the child's signal to shut down
            try:
                _child.wait(15)
            except subprocess.TimeoutExpired:
                _child.kill()
                _child.wait()
            _child = None
        _failed = None


def serve(n_workers=None):
    """The child: run the cluster (``n_workers``: default one per core) until stdin closes."""
    from distributed import Client, LocalCluster
    from ui.runtime.worker_setup import WorkerSetup

    with dask.config.set(cluster_config()):
        cluster = LocalCluster(n_workers=n_workers or len(os.sched_getaffinity(0)), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0",   # no dashboard;
                               scheduler_kwargs={"dashboard": False})              # loopback only
        with Client(cluster) as setup:
            setup.register_plugin(WorkerSetup())
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()                  # EOF: the server closed it, or died
        cluster.close(timeout=10)


if __name__ == "__main__":
    try:
        serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    except KeyboardInterrupt:             # Ctrl-C on the server reaches its children too
        pass
