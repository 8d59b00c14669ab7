"""deploy/local on loopback with 2 replicas: served through HAProxy, sessions sticky over HTTP and the
websocket, an upload through the balancer, a killed replica routed around and started again, the Dask
workers set up as deploy/dask.yaml says, and SIGTERM leaving no process behind.

Every request goes to 127.0.0.1 and every wait is bounded. The browser's side is bench/load_session.py:
one cookie jar a session, as a browser keeps one.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from load_processes import free_port  # noqa: E402
from load_session import Session  # noqa: E402

START_TIMEOUT = 240        # two replicas and two workers on a busy 2-core machine
CSV = b"t,value\n" + b"".join(f"{t},{t % 7 / 7:.3f}\n".encode() for t in range(60))


def wait_for(what, condition, timeout, proc=None, log=None):
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"deploy/local exited with {proc.returncode} while waiting for {what}:\n"
                        f"{open(log).read()[-5000:] if log else ''}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} in {timeout} s")
        time.sleep(0.2)      # polling processes: there is no event to wait on


def health(url, cookie=None, timeout=5):
    """(status, X-Served-By, SERVERID set by the balancer) of one /_stcore/health request."""
    req = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        set_cookie = " ".join(r.headers.get_all("Set-Cookie") or [])
        sid = re.search(r"SERVERID=(\w+)", set_cookie)
        return r.status, r.headers.get("X-Served-By"), sid.group(1) if sid else None


def serves_on(cmdline, port):
    """Whether ``cmdline`` is a Streamlit replica's on ``port`` (not a process whose arguments merely
    contain those digits, as another port or an address may)."""
    return "--server.port" in cmdline and cmdline[cmdline.index("--server.port") + 1] == port


def answers(url):
    try:
        return health(url, timeout=2)[0] == 200
    except OSError:
        return False


def haproxy():
    path = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(path):
        pytest.skip("deploy/local needs HAProxy: `apt-get install haproxy`")
    return path


def test_the_generated_haproxy_config_is_valid_and_sticky_for_http_and_websocket(tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "deploy"))
    from local_parts import balancer
    text = balancer.render("127.0.0.1:18080", [("r1", "127.0.0.1", 18081), ("r2", "127.0.0.1", 18082)])
    config = tmp_path / "haproxy.cfg"
    config.write_text(text)
    check = subprocess.run([haproxy(), "-c", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    assert "cookie SERVERID insert indirect nocache httponly" in lines     # HTTP and the upgrade alike
    assert "option httpchk GET /_stcore/health" in lines
    assert "timeout tunnel 1h" in lines and "option redispatch" in lines
    assert "server r1 127.0.0.1:18081 cookie r1" in lines and "server r2 127.0.0.1:18082 cookie r2" in lines
    assert "bind 127.0.0.1:18080" in lines


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    haproxy()
    tmp = tmp_path_factory.mktemp("deploy")
    port, log = free_port(), str(tmp / "deploy-local.out")
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "deploy", "local"), "--replicas", "2", "--workers", "2",
         "--port", str(port), "--logs", str(tmp / "logs"), "--store", str(tmp / "store")],
        cwd=str(tmp), stdout=open(log, "w"), stderr=subprocess.STDOUT)
    wait_for("'ready' from deploy/local", lambda: "ready at" in open(log).read(), START_TIMEOUT, proc, log)
    ready = open(log).read()
    config = open(tmp / "logs" / "haproxy.cfg").read()
    replicas = dict(re.findall(r"server (r\d) (127\.0\.0\.1:\d+)", config))
    yield dict(proc=proc, url=f"http://127.0.0.1:{port}", log=log, replicas=replicas, store=str(tmp / "store"),
               scheduler=re.search(r"workers at (tcp://\S+);", ready).group(1))
    if proc.poll() is None:           # the SIGTERM test did not run or failed: stop it anyway
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_both_replicas_answer_through_the_balancer_and_each_answer_names_its_cookie(stack):
    answers_ = [health(stack["url"]) for _ in range(8)]
    assert {status for status, _, _ in answers_} == {200}
    assert {served for _, served, _ in answers_} == set(stack["replicas"]) == {"r1", "r2"}
    assert all(served == cookie for _, served, cookie in answers_)
    # With the cookie a browser sends back, every request goes to that replica.
    assert {health(stack["url"], cookie="SERVERID=r2")[1] for _ in range(6)} == {"r2"}


def test_a_session_stays_on_one_replica_over_http_and_the_websocket(stack):
    sessions = [Session(stack["url"], "", timeout=60) for _ in range(4)]
    try:
        for s in sessions:
            s.connect()
            s.run("first load")
            s.run("again")
        for s in sessions:
            assert None not in s.served_by, s.served_by      # the websocket's upgrade went through HAProxy too
            assert len(set(s.served_by)) == 1, s.served_by
        assert {s.served_by[0] for s in sessions} == {"r1", "r2"}     # and the class is spread over both
        assert not [e for s in sessions for e in s.exceptions]
    finally:
        for s in sessions:
            s.close()


def test_an_upload_through_the_balancer_reaches_its_session(stack):
    sessions = [Session(stack["url"], "your_data", timeout=60) for _ in range(4)]
    try:
        for s in sessions:
            s.connect()
            s.run("first load")
            status, target = s.upload("series.csv", CSV)
            # 204: the replica that took the file knows the session (another one answers 400,
            # "Invalid session_id ... without sticky sessions").
            assert status == 204, (status, target)
            assert target.upload_url.startswith(f"/_stcore/upload_file/{s.session_id}/")
            assert len(set(s.served_by)) == 1, s.served_by
    finally:
        for s in sessions:
            s.close()


def test_the_dask_workers_are_set_up_as_deploy_dask_yaml_says(stack):
    from distributed import Client

    def probe():
        import os
        import dask
        from threadpoolctl import threadpool_info
        return (os.environ.get("MALLOC_TRIM_THRESHOLD_"), {i["num_threads"] for i in threadpool_info()},
                dask.config.get("distributed.scheduler.worker-saturation"))

    with Client(stack["scheduler"], timeout=30) as client:
        found = client.run(probe)
        workers = client.scheduler_info(n_workers=-1)["workers"]
    assert len(found) == 2
    assert all(w["nthreads"] == 1 for w in workers.values())
    # No malloc trim threshold from the nanny, one BLAS thread, one task a thread at a time.
    assert all(v == (None, {1}, 1.0) for v in found.values()), found


def test_every_replica_is_told_the_scheduler_the_store_and_one_cookie_secret(stack):
    deploy = psutil.Process(stack["proc"].pid)
    replicas = [p for p in deploy.children() if "streamlit" in " ".join(p.cmdline())]
    env = [p.environ() for p in replicas]
    assert len(env) == 2
    assert {e["BPTT_LENS_SCHEDULER"] for e in env} == {stack["scheduler"]}
    assert {e["BPTT_LENS_STORE"] for e in env} == {stack["store"]}
    secrets = {e["STREAMLIT_SERVER_COOKIE_SECRET"] for e in env}
    assert len(secrets) == 1 and len(secrets.pop()) >= 32


def test_a_killed_replica_is_routed_around_then_started_again(stack):
    address = stack["replicas"]["r1"]
    deploy = psutil.Process(stack["proc"].pid)
    port = address.split(":")[1]
    replica = next(p for p in deploy.children() if serves_on(p.cmdline(), port))
    os.killpg(replica.pid, signal.SIGKILL)
    psutil.wait_procs([replica], timeout=10)
    # Requests that would have gone to r1 are redispatched to r2 meanwhile (option redispatch): none
    # fails. (Which replica answered cannot be read off X-Served-By here: before its health checks
    # mark r1 down, HAProxy names r1 for a request whose connection it redispatched to r2.)
    routed = [health(stack["url"], cookie="SERVERID=r1") for _ in range(6)]
    assert {status for status, _, _ in routed} == {200}
    wait_for("replica r1 back", lambda: answers(f"http://{address}"), 120, stack["proc"], stack["log"])
    assert "r1 exited" in open(stack["log"]).read()
    wait_for("r1 serving through the balancer again",
             lambda: health(stack["url"], cookie="SERVERID=r1")[1] == "r1", 30, stack["proc"], stack["log"])


def test_sigterm_stops_every_process_deploy_local_started(stack):
    proc = stack["proc"]
    started = psutil.Process(proc.pid).children(recursive=True)
    roles = " ".join(" ".join(p.cmdline()) for p in started)
    assert "haproxy" in roles and "dask scheduler" in roles and roles.count("streamlit run") == 2
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=90) == 0
    gone, alive = psutil.wait_procs(started, timeout=5)
    assert not alive, [" ".join(p.cmdline()) for p in alive]
    assert not answers(stack["url"])
