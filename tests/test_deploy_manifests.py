"""The files for many machines, checked offline: every Kubernetes manifest against Kubernetes' own
schemas (kubernetes-validate --strict: an unknown or misspelt field fails), the manifests agreeing with
each other and with the code, and the Dockerfile's promises (non-root, health check, its build context).
No cluster and no Docker daemon run here; these are the checks that can run anywhere."""
import copy
import fnmatch
import glob
import os
import re

import kubernetes_validate
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K8S = os.path.join(ROOT, "deploy", "k8s")
KUBERNETES = "1.37.0"
HEALTH = "/_stcore/health"


def manifests():
    out = []
    for path in sorted(glob.glob(os.path.join(K8S, "*.yaml"))):
        with open(path) as f:
            out += [(os.path.basename(path), doc) for doc in yaml.safe_load_all(f) if doc]
    return out


DOCS = manifests()


def named(kind, name=None):
    found = [d for _, d in DOCS if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert found, f"no {kind} {name or ''} in deploy/k8s"
    return found


def containers(deployment):
    return deployment["spec"]["template"]["spec"]["containers"]


@pytest.mark.parametrize("where, doc", DOCS, ids=[f"{f}:{d['kind']}/{d['metadata']['name']}" for f, d in DOCS])
def test_every_manifest_is_valid_kubernetes_strictly(where, doc):
    # validate raises on an invalid document, and on a kind it has no schema for (no silent pass).
    assert kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_strict_validation_refuses_a_misspelt_field():
    deployment = copy.deepcopy(named("Deployment", "bptt-lens")[0])
    containers(deployment)[0]["readinesProbe"] = containers(deployment)[0].pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_the_set_is_complete():
    kinds = {d["kind"] for _, d in DOCS}
    assert {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
    assert {d["metadata"]["name"] for d in named("Deployment")} == \
        {"bptt-lens", "bptt-lens-scheduler", "bptt-lens-worker"}


def test_the_app_is_probed_on_streamlits_health_endpoint_and_runs_as_no_root():
    app = named("Deployment", "bptt-lens")[0]
    (c,) = containers(app)
    port_names = {p["name"] for p in c["ports"]}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"]["path"] == HEALTH, probe
        assert c[probe]["httpGet"]["port"] in port_names, probe
    for d in named("Deployment"):
        pod = d["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] != 0
        assert all(not c["securityContext"]["allowPrivilegeEscalation"] for c in pod["containers"])


def test_every_selector_finds_its_pods_and_every_reference_its_target():
    pods = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"] for d in named("Deployment")}

    def matches(selector):
        return [n for n, labels in pods.items() if selector.items() <= labels.items()]

    for d in named("Deployment"):
        assert matches(d["spec"]["selector"]["matchLabels"]) == [d["metadata"]["name"]]
    for s in named("Service"):
        assert len(matches(s["spec"]["selector"])) == 1, s["metadata"]["name"]
    for p in named("PodDisruptionBudget"):
        assert len(matches(p["spec"]["selector"]["matchLabels"])) == 1, p["metadata"]["name"]
    for h in named("HorizontalPodAutoscaler"):
        assert h["spec"]["scaleTargetRef"]["name"] in pods
        assert h["spec"]["minReplicas"] >= 2          # a PDB of minAvailable 1 can still drain a node
    services = {s["metadata"]["name"]: s for s in named("Service")}
    for ingress in named("Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["port"]["name"] in {p["name"] for p in services[backend["name"]]["spec"]["ports"]}


def test_sessions_are_sticky_by_cookie_and_checked_on_the_health_endpoint():
    ingress = named("Ingress", "bptt-lens")[0]
    assert ingress["spec"]["ingressClassName"] == "haproxy"
    notes = named("Service", "bptt-lens")[0]["metadata"]["annotations"]
    assert notes["haproxy.org/cookie-persistence"]          # the cookie's name
    assert notes["haproxy.org/check-http"] == HEALTH


def test_the_app_and_workers_meet_at_the_scheduler_service_and_read_deploy_dask_yaml():
    (app,) = containers(named("Deployment", "bptt-lens")[0])
    env = {e["name"]: e for e in app["env"]}
    scheduler = named("Service", "bptt-lens-scheduler")[0]
    address = f"tcp://bptt-lens-scheduler:{scheduler['spec']['ports'][0]['port']}"
    assert env["BPTT_LENS_SCHEDULER"]["value"] == address
    assert env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]["secretKeyRef"]   # one secret, every replica
    (worker,) = containers(named("Deployment", "bptt-lens-worker")[0])
    args = " ".join(worker["args"])
    assert address in args and "--nthreads 1" in args and "--preload ui.runtime.worker_setup" in args
    assert os.path.exists(os.path.join(ROOT, "ui", "runtime", "worker_setup.py"))
    for d in ("bptt-lens-scheduler", "bptt-lens-worker"):
        (c,) = containers(named("Deployment", d)[0])
        config = {e["name"]: e["value"] for e in c["env"]}["DASK_CONFIG"]
        assert config == "/app/deploy/dask.yaml"
    with open(os.path.join(ROOT, "deploy", "dask.yaml")) as f:
        dask = yaml.safe_load(f)["distributed"]
    assert dask["nanny"]["pre-spawn-environ"] == {"MALLOC_TRIM_THRESHOLD_": None}
    assert dask["scheduler"]["worker-saturation"] == 1.0


def dockerfile():
    with open(os.path.join(ROOT, "deploy", "Dockerfile")) as f:
        return f.read()


def test_the_image_runs_as_a_user_with_a_health_check():
    text = dockerfile()
    user = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("0", "root")
    joined = text.replace("\\\n", " ")         # continuation lines joined
    assert HEALTH in re.search(r"^HEALTHCHECK .*", joined, re.M).group(0)
    assert "/app/deploy/dask.yaml" in text and "WORKDIR /app" in text


def test_everything_the_image_copies_exists_and_is_in_its_build_context():
    with open(os.path.join(ROOT, "deploy", "Dockerfile.dockerignore")) as f:
        rules = [line.strip() for line in f if line.strip() and not line.startswith("#")]

    def in_context(path):
        kept = True
        for rule in rules:
            keep = rule.startswith("!")
            pattern = rule.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
                kept = keep
        return kept

    sources = [line.split()[1] for line in dockerfile().splitlines() if line.startswith("COPY ")]
    assert "requirements.txt" in sources and "app.py" in sources
    for src in sources:
        assert os.path.exists(os.path.join(ROOT, src)), src
        assert in_context(src), f"{src} is copied but Dockerfile.dockerignore leaves it out"
    # What app.py imports comes along: every top-level package of the checkout that the app uses.
    for package in ("core", "ui", "pages"):
        assert package in sources
    assert not in_context("tests") and not in_context(".git")
