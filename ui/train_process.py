"""Training runs in a child process, so the server's own process is left to the sessions' reruns.

A run is seconds of Python-level work between NumPy calls. In the server's process it held the GIL
that every session's rerun needs: with a class on the app, slider moves on the other pages waited
behind it. A child process has its own GIL, and the second core. One child, started on the first
run and kept (spawned, not forked: the server has threads), trains one run at a time; the caller
(ui.train_cache) already lets only one run train at a time.

The child sends progress every PROGRESS_EVERY seconds and the finished History at the end, over a
private pipe; a stop (Streamlit interrupting the waiting script) sets an event the child checks at
every step. Only our own objects cross the pipe: a TrainConfig, a validated float array, a History.
"""
import multiprocessing
import threading
import time

PROGRESS_EVERY = 0.2        # seconds between progress messages: a live bar, not a message flood
STOP_GRACE = 10.0           # seconds a stopped run may take to notice; past it the child is killed

_context = multiprocessing.get_context("spawn")
_lock = threading.Lock()    # one run on the pipe at a time
_child = None               # (process, connection, stop event), started on first use


class Stopped(Exception):
    """The child stopped a run because the parent asked it to."""


def _serve(conn, stop):
    """The child: read (cfg, series) jobs, answer each with progress and then ("done", history)."""
    from core import train
    from core.blas import pin_process_to_one_thread

    pin_process_to_one_thread()     # this process has one core to itself; BLAS threads would fight
    while True:
        try:
            cfg, series = conn.recv()
        except EOFError:             # the server is gone
            return
        last = time.perf_counter()

        def on_step(step, history):
            nonlocal last
            if stop.is_set():
                raise Stopped
            now = time.perf_counter()
            if now - last >= PROGRESS_EVERY:
                last = now
                conn.send(("progress", step, float(history.loss[-1])))

        try:
            conn.send(("done", train.train(cfg, on_step=on_step, series=series)))
        except Stopped:
            conn.send(("stopped",))
        except ValueError as err:    # settings that do not fit the data: the page says why
            conn.send(("invalid", str(err)))
        except Exception as err:     # a bug: shown as one, with what the child saw
            conn.send(("error", f"{type(err).__name__}: {err}"))


def _start():
    global _child
    if _child is not None and _child[0].is_alive():
        return _child
    parent, child = _context.Pipe()
    stop = _context.Event()
    proc = _context.Process(target=_serve, args=(child, stop), name="bptt-lens-training", daemon=True)
    proc.start()
    child.close()
    _child = (proc, parent, stop)
    return _child


def _kill():
    global _child
    if _child is not None:
        _child[0].kill()
        _child[0].join(5)
        _child = None


def train(cfg, series=None, on_progress=None):
    """core.train.train(cfg, series=series) in the child; ``on_progress(step, loss)`` is called in
    the caller's thread as progress arrives and at least every 0.25 s (with ``step = None`` while
    there is none), so an exception it raises (a Streamlit stop) stops the run at once."""
    with _lock:
        proc, conn, stop = _start()
        stop.clear()
        conn.send((cfg, series))
        try:
            while True:
                if conn.poll(0.25):
                    msg = _receive(conn)
                    if msg[0] == "done":
                        return msg[1]
                    if msg[0] == "invalid":
                        raise ValueError(msg[1])
                    if msg[0] == "error":
                        raise RuntimeError(f"Training failed in its process: {msg[1]}")
                    if on_progress is not None:
                        on_progress(msg[1], msg[2])
                elif not proc.is_alive():
                    raise _died()
                elif on_progress is not None:
                    on_progress(None, None)
        except BaseException:
            _finish_stopped(conn, stop)
            raise


def _died():
    _kill()
    return RuntimeError("The training process ended unexpectedly; press Train again.")


def _receive(conn):
    try:
        return conn.recv()
    except (EOFError, OSError):      # the child is gone: its end of the pipe closed
        raise _died() from None


def _finish_stopped(conn, stop):
    """After the caller stopped waiting: have the child drop the run, and read its last answer, so the
    next run starts on a quiet pipe. A child that does not answer in time is killed (and restarted)."""
    stop.set()
    deadline = time.monotonic() + STOP_GRACE
    try:
        while time.monotonic() < deadline:
            if conn.poll(0.1) and conn.recv()[0] in ("done", "stopped", "invalid", "error"):
                return
    except (EOFError, OSError):
        pass
    _kill()
