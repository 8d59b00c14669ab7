"""Training runs in a child process, so the server's own process is left to the sessions' reruns.

A run is seconds of Python-level work between NumPy calls. In the server's process it held the GIL
that every session's rerun needs: with a class on the app, slider moves on the other pages waited
behind it. A child process has its own GIL, and the second core. One child, started on the first
run and kept, trains one run at a time; ui.runtime.train_cache already lets only one run train at a time.

The child is ``python -m ui.runtime.train_process``, not a multiprocessing.Process: while a script runs,
Streamlit puts the app's script in ``sys.modules["__main__"]``, and multiprocessing's spawn would run
that script again in the child. Two pipes carry pickled messages (multiprocessing.connection):
jobs ``(cfg, series)`` and ``("stop",)`` in; progress every PROGRESS_EVERY seconds and the finished
History out. Only our own objects cross them: a TrainConfig, a validated float array, a History.
"""
import atexit
import os
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # the repository
PROGRESS_EVERY = 0.2        # seconds between progress messages: a live bar, not a message flood
STOP_GRACE = 10.0           # seconds a stopped run may take to notice; past it the child is killed

_lock = threading.Lock()    # one run on the pipes at a time
_child = None               # (process, jobs, answers), started on first use


# --- the child ---------------------------------------------------------------------------------
class Stopped(Exception):
    """The parent asked the child to drop the run."""


class TrainingFailed(RuntimeError):
    """The run could not be done: the child died, or training raised. Its text is for people."""


def serve(jobs, answers):
    """Read jobs until the parent goes away; answer each with progress, then its outcome."""
    from core.training import train
    from core.numerics.blas import pin_process_to_one_thread

    pin_process_to_one_thread()     # this process has one core to itself; BLAS threads would fight
    os.nice(10)                     # a run can wait a moment; a person moving a slider should not
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):  # the server is gone
            return
        if job[0] == "stop":         # a stop that arrived after its run had finished
            continue
        cfg, series = job[1:]
        last = time.perf_counter()

        def on_step(step, history):
            nonlocal last
            if jobs.poll() and jobs.recv()[0] == "stop":
                raise Stopped
            now = time.perf_counter()
            if now - last >= PROGRESS_EVERY:
                last = now
                answers.send(("progress", step, float(history.loss[-1])))

        try:
            answers.send(("done", train.train(cfg, on_step=on_step, series=series)))
        except Stopped:
            answers.send(("stopped",))
        except ValueError as err:    # settings that do not fit the data: the page says why
            answers.send(("invalid", str(err)))
        except Exception as err:     # a bug: shown as one, with what the child saw
            answers.send(("error", f"{type(err).__name__}: {err}"))


# --- the server's side ------------------------------------------------------------------------
def _start():
    global _child
    if _child is not None and _child[0].poll() is None:
        return _child
    job_r, job_w = os.pipe()
    answer_r, answer_w = os.pipe()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "ui.runtime.train_process", str(job_r), str(answer_w)],
                                cwd=ROOT, pass_fds=(job_r, answer_w), stdin=subprocess.DEVNULL)
    except OSError as err:           # no process could be started (out of memory, no such file)
        for fd in (job_r, job_w, answer_r, answer_w):
            os.close(fd)
        raise TrainingFailed(f"The training process could not start ({err}). Press Train to try "
                             "again.") from None
    os.close(job_r)
    os.close(answer_w)
    _child = (proc, Connection(job_w, readable=False), Connection(answer_r, writable=False))
    return _child


@atexit.register
def _kill():
    global _child
    if _child is not None:
        proc, jobs, answers = _child
        _child = None
        proc.kill()
        proc.wait(5)
        jobs.close()
        answers.close()


def train(cfg, series=None, on_progress=None):
    """core.training.train.train(cfg, series=series) in the child; ``on_progress(step, loss)`` is called in
    the caller's thread as progress arrives and at least every 0.25 s (with ``step = None`` while
    there is none), so an exception it raises (a Streamlit stop) stops the run at once."""
    with _lock:
        proc, jobs, answers = _start()
        try:
            jobs.send(("train", cfg, series))
            while True:
                if answers.poll(0.25):
                    msg = _receive(answers)
                    if msg[0] != "progress":
                        break
                    if on_progress is not None:
                        on_progress(msg[1], msg[2])
                elif proc.poll() is not None:
                    raise _died()
                elif on_progress is not None:
                    on_progress(None, None)
        except BaseException:        # the caller stopped waiting (or the child died): drop the run
            _drop_run(jobs, answers)
            raise
    if msg[0] == "invalid":
        raise ValueError(msg[1])
    if msg[0] == "error":
        raise TrainingFailed(f"Training failed: {msg[1]}. Press Train to try again; if it fails again, "
                             "change a setting.")
    return msg[1]


def _died():
    _kill()
    return TrainingFailed("The training process ended unexpectedly (it may have run out of memory). "
                          "Press Train to try again.")


def _receive(answers):
    try:
        return answers.recv()
    except (EOFError, OSError):      # the child is gone: its end of the pipe closed
        raise _died() from None


def _drop_run(jobs, answers):
    """After the caller stopped waiting: have the child drop the run, and read its last answer, so the
    next run starts on quiet pipes. A child that does not answer in time is killed (and restarted)."""
    if _child is None:               # it died: nothing to drop
        return
    deadline = time.monotonic() + STOP_GRACE
    try:
        jobs.send(("stop",))
        while time.monotonic() < deadline:
            if answers.poll(0.1) and answers.recv()[0] in ("done", "stopped", "invalid", "error"):
                return
    except (EOFError, OSError):
        pass
    _kill()


if __name__ == "__main__":
    # Anything printed by accident goes to stderr; the answer pipe carries only messages.
    try:
        serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
    except (KeyboardInterrupt, BrokenPipeError):   # Ctrl-C on the server, or the server is gone
        pass
