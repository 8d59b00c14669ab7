"""HAProxy in front of the replicas: its configuration from deploy/haproxy.cfg.in, and its command."""
import os
import shutil

DEPLOY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(DEPLOY, "haproxy.cfg.in")


def server_lines(replicas):
    """One `server` line a replica; its name is also its SERVERID cookie value and X-Served-By header."""
    return "\n".join(f"    server {name} {host}:{port} cookie {name}" for name, host, port in replicas)


def render(bind, replicas, template=TEMPLATE):
    """The configuration text: listen on `bind` ("host:port"), balance over `replicas` ((name, host, port))."""
    with open(template) as f:
        text = f.read()
    return text.replace("@BIND@", bind).replace("@SERVERS@", server_lines(replicas))


def haproxy_binary():
    path = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
    if path is None:
        raise SystemExit("deploy/local needs HAProxy: `apt-get install haproxy` (Debian's package)")
    return path


def haproxy_argv(config_path):
    """HAProxy in the foreground (-db), one process, so that it stays deploy/local's child."""
    return [haproxy_binary(), "-db", "-f", config_path]


def check_argv(config_path):
    """`haproxy -c`: checks the file and exits."""
    return [haproxy_binary(), "-c", "-f", config_path]
