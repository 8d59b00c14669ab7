"""The processes deploy/local starts, each in a process group of its own, so that stopping one stops
everything it started too (a Dask nanny's worker, a replica's training process).

A child runs in a new session (setsid): a Ctrl-C in the terminal reaches deploy/local only, which then
stops the children in order. On Linux each child also gets SIGTERM if deploy/local itself dies.
"""
import ctypes
import os
import signal
import subprocess
import time

PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Runs in the child between fork and exec: SIGTERM when the parent (deploy/local) dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:           # not glibc: the group is still stopped on a normal exit
        pass


def group_alive(pgid):
    """Whether any process of this process group is still running."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # a process of that id exists, not ours: nothing left of our group
        return False
    return True


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Child:
    """One command, its log file, and its process group. `start` again after it died restarts it."""

    def __init__(self, name, argv, env, log_dir, cwd):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.proc = None
        self.restarts = []     # monotonic times of restarts, for the give-up rule

    def start(self):
        log = open(self.log_path, "a")
        try:
            self.proc = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        finally:
            log.close()
        return self

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def exited(self):
        """The exit code if the child's own process ended, else None."""
        return self.proc.poll() if self.proc else None

    def signal(self, sig):
        if self.proc:
            _signal_group(self.proc.pid, sig)

    def running(self):
        """Whether anything of this child's group is left (the process, or one it started)."""
        if not self.proc:
            return False
        self.proc.poll()      # reap the leader if it ended, so it no longer counts
        return group_alive(self.proc.pid)

    def log_tail(self, lines=20):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


def stop_all(children, grace=20.0):
    """SIGTERM every child's group at once; after `grace` seconds, SIGKILL what is left.

    Returns the names of the children that had to be killed."""
    for child in children:
        child.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(c.running() for c in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    killed = [c.name for c in children if c.running()]
    for child in children:
        if child.running():   # only a live group: an ended group's id may belong to someone else by now
            child.signal(signal.SIGKILL)
    for child in children:
        if child.proc:
            try:
                child.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                killed.append(child.name)
    return killed
