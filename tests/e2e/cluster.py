"""A Kubernetes overlay of a baked project, run bare-metal, as a cluster would run it.

`kubectl kustomize` renders the overlay; every Deployment whose pods run the app's
image becomes that many pods (the web Deployment as many as its autoscaler's
minimum), and each pod runs what its containers say: their command or args (else the
image's CMD), with the environment a cluster gives them - the production image's ENV,
then the overlay's ConfigMap and the Secret (values the caller supplies, for the keys
the README's `kubectl create secret` names), then the container's own `env`. As for
the compose stack (`stack.py`), first the image's build steps run, each container
runs in an empty working directory like the image's `/app` with the project's `.venv`
standing for the image's `/opt/venv`, and this machine provides what the cluster would:

- the database: a role and a database of their own on the PostgreSQL server of
  `DATABASE_URL` (the Secret's DATABASE_URL names it);
- Redis: the server of `REDIS_URL`, with a queue of the cluster's own;
- each pod's `emptyDir` volumes: a directory of the pod's own, for the mount path in
  commands and for TMPDIR;
- each web pod listens on a free port of 127.0.0.1 instead of 0.0.0.0:8000.

All pods start at once: their init containers (the migrations) side by side, then
their containers. Web pods are ready when their readiness probe answers 200, the other
pods when their log says so; then each exec liveness probe runs once. Stopping sends
SIGTERM to every container and waits its pod's terminationGracePeriodSeconds (no
preStop sleep: nothing routes to these processes).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.stack import READY, Database, Process
from tests.helpers.compose import listen_on, production_build_steps, production_command
from tests.helpers.kubernetes import (
    APP_COMPONENTS,
    Document,
    container_environment,
    deployments,
    documents,
    find,
    image_command,
    image_env,
    named_port,
    pod_spec,
    readme_secret_command,
    render,
)
from tests.helpers.net import free_port
from tests.helpers.processes import start_logged
from tests.helpers.tools import output, run

HOST = "127.0.0.1"
IMAGE_VENV = "/opt/venv"
# How long a pod may take to migrate, then to get ready: generous, since the whole
# suite shares two cores with these pods (a start-up wait, not a speed check).
INIT_TIMEOUT = 300.0
READY_TIMEOUT = 240.0


@dataclass
class ContainerRun:
    """One container of one pod: its process, how it ended, how long it took."""

    pod: str
    name: str
    process: Process
    env: dict[str, str]
    command: list[str]
    started: float = field(default_factory=time.monotonic)
    exit_code: int | None = None
    seconds_to_stop: float | None = None

    def log(self) -> str:
        return self.process.log(tail=20000)


@dataclass
class Pod:
    """One replica of a Deployment."""

    name: str
    component: str
    spec: Document
    directory: Path
    volumes: dict[str, Path]
    init: list[ContainerRun] = field(default_factory=list)
    containers: list[ContainerRun] = field(default_factory=list)
    port: int | None = None
    # Probe name -> whether it passed.
    probes: dict[str, bool] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        assert self.port is not None, f"{self.name} serves no HTTP"
        return f"http://{HOST}:{self.port}"


@dataclass
class Cluster:
    """What runs: the overlay's documents, its pods, and the database they share."""

    project: Path
    overlay: str
    docs: list[Document]
    database: Database
    pods: list[Pod] = field(default_factory=list)

    def pods_of(self, component: str) -> list[Pod]:
        return [pod for pod in self.pods if pod.component == component]

    def migrations(self) -> list[ContainerRun]:
        return [run for pod in self.pods for run in pod.init]

    def logs(self) -> str:
        return "\n".join(
            f"--- {run.pod}/{run.name}\n{run.log()[-6000:]}"
            for pod in self.pods
            for run in [*pod.init, *pod.containers]
        )

    def stop(self) -> None:
        """SIGTERM every container; SIGKILL what is left after its grace period."""
        threads = [threading.Thread(target=_stop_pod, args=(pod,)) for pod in self.pods]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.database.drop()


def start_cluster(
    project: Path,
    workdir: Path,
    *,
    overlay: str,
    secret_values: dict[str, str],
    database_url: str,
    redis_url: str,
) -> Cluster:
    """Run the overlay's app pods on this machine; wait until every pod is ready.

    ``secret_values``: the Secret's data but DATABASE_URL and REDIS_URL, which this
    machine provides (see the module docstring).
    """
    docs = documents(render(project, overlay))
    database = Database(
        admin_url=database_url,
        name=f"{project.name}_{secrets.token_hex(4)}",
        password=secrets.token_hex(8),
    )
    secret = readme_secret_command(project)
    data = {**secret_values, "DATABASE_URL": database.url(), "REDIS_URL": redis_url}
    missing = set(secret.keys) - set(data)
    assert not missing, f"no value for the Secret's {sorted(missing)}"
    secrets_by_name = {secret.name: {key: data[key] for key in secret.keys}}
    database.create()
    cluster = Cluster(project=project, overlay=overlay, docs=docs, database=database)
    queue = f"k8s-{secrets.token_hex(6)}"  # Clusters of other tests share Redis.
    image = {
        key: value.replace(IMAGE_VENV, str(project / ".venv"))
        for key, value in image_env(project).items()
    }
    try:
        _build(project, image, workdir)
        cluster.pods = _pods(docs, workdir)
        envs = {
            id(container): {
                **image,
                **container_environment(docs, container, secrets_by_name),
                "WORKER_QUEUE": queue,
            }
            for pod in cluster.pods
            for container in containers_of(pod)
        }
        _run_init_containers(project, cluster, envs)
        _start_containers(project, cluster, envs)
        _wait_until_ready(cluster)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def containers_of(pod: Pod) -> list[Document]:
    return [*(pod.spec.get("initContainers") or []), *pod.spec["containers"]]


def replicas(docs: list[Document], deployment: Document) -> int:
    """The Deployment's replicas, else its autoscaler's minimum."""
    if "replicas" in deployment["spec"]:
        return int(deployment["spec"]["replicas"])
    name = deployment["metadata"]["name"]
    for hpa in find(docs, "HorizontalPodAutoscaler"):
        if hpa["spec"]["scaleTargetRef"]["name"] == name:
            return int(hpa["spec"]["minReplicas"])
    return 1


def _pods(docs: list[Document], workdir: Path) -> list[Pod]:
    pods = []
    for component, deployment in deployments(docs).items():
        if component not in APP_COMPONENTS:
            continue
        spec = pod_spec(deployment)
        for index in range(replicas(docs, deployment)):
            name = f"{component}-{index}"
            directory = workdir / name
            volumes = {}
            for volume in spec.get("volumes") or []:
                assert "emptyDir" in volume, f"{name}: only emptyDir volumes run here"
                volumes[volume["name"]] = directory / "volumes" / volume["name"]
                volumes[volume["name"]].mkdir(parents=True)
            pods.append(
                Pod(
                    name=name,
                    component=component,
                    spec=spec,
                    directory=directory,
                    volumes=volumes,
                )
            )
    return pods


def _build(project: Path, image: dict[str, str], workdir: Path) -> None:
    """The production stage's RUN steps (e.g. collectstatic), as building does."""
    for number, step in enumerate(production_build_steps(project), 1):
        env = _process_env(project, {**image, **step.env}, workdir)
        result = run(step.command, cwd=workdir, env=env, timeout=300)
        if result.returncode != 0:
            raise AssertionError(f"build step {number} failed\n{output(result)}")


def _mounts(pod: Pod, container: Document) -> dict[str, Path]:
    """Mount path -> this pod's directory for it."""
    return {
        mount["mountPath"]: pod.volumes[mount["name"]]
        for mount in container.get("volumeMounts") or []
    }


def _localize(command: list[str], mounts: dict[str, Path]) -> list[str]:
    """``command`` with the mount paths in it moved to the pod's directories."""
    result = []
    for arg in command:
        for mount_path, directory in mounts.items():
            arg = re.sub(
                rf"(?<![\w/]){re.escape(mount_path)}(?=/|$|\s)", str(directory), arg
            )
        result.append(arg)
    return result


def _process_env(project: Path, env: dict[str, str], home: Path) -> dict[str, str]:
    venv_bin = project / ".venv" / "bin"
    return {
        "HOME": str(home),
        "LANG": "C.UTF-8",
        **env,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
    }


def _container_run(
    project: Path,
    pod: Pod,
    container: Document,
    env: dict[str, str],
    image_cmd: list[str],
) -> ContainerRun:
    mounts = _mounts(pod, container)
    command = _localize(image_command(container, image_cmd), mounts)
    if pod.port is not None and any(":8000" in arg or arg == "8000" for arg in command):
        command = listen_on(command, HOST, pod.port)
    full_env = _process_env(project, env, pod.directory)
    if "/tmp" in mounts:
        full_env["TMPDIR"] = str(mounts["/tmp"])
    # $HOSTNAME is the host name in a pod; Celery names its node after it.
    full_env["HOSTNAME"] = socket.gethostname()
    cwd = pod.directory / container["name"]  # Empty, like the image's /app.
    cwd.mkdir(parents=True, exist_ok=True)
    log_path = pod.directory / f"{container['name']}.log"
    popen = start_logged(command, cwd, full_env, log_path)
    process = Process(
        name=f"{pod.name}/{container['name']}", popen=popen, log_path=log_path
    )
    return ContainerRun(
        pod=pod.name,
        name=container["name"],
        process=process,
        env=full_env,
        command=command,
    )


def _run_init_containers(
    project: Path, cluster: Cluster, envs: dict[int, dict[str, str]]
) -> None:
    """Every pod's init containers, pods side by side, each pod's in order."""

    def run_pod(pod: Pod) -> None:
        for container in pod.spec.get("initContainers") or []:
            started = _container_run(project, pod, container, envs[id(container)], [])
            pod.init.append(started)
            try:
                started.exit_code = started.process.popen.wait(timeout=INIT_TIMEOUT)
            finally:
                started.process.stop()
            if started.exit_code != 0:
                return

    threads = [threading.Thread(target=run_pod, args=(pod,)) for pod in cluster.pods]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [run for run in cluster.migrations() if run.exit_code != 0]
    if failed:
        raise AssertionError(
            "init containers failed:\n"
            + "\n".join(
                f"--- {r.pod}/{r.name} exit {r.exit_code}\n{r.log()}" for r in failed
            )
        )


def _start_containers(
    project: Path, cluster: Cluster, envs: dict[int, dict[str, str]]
) -> None:
    image_cmd = production_command(project)
    for pod in cluster.pods:
        for container in pod.spec["containers"]:
            if container.get("ports"):
                pod.port = free_port(HOST)
            pod.containers.append(
                _container_run(project, pod, container, envs[id(container)], image_cmd)
            )


def _wait_until_ready(cluster: Cluster) -> None:
    for pod in cluster.pods:
        for run_, container in zip(pod.containers, pod.spec["containers"], strict=True):
            if "readinessProbe" in container:
                pod.probes["readiness"] = _http_probe(
                    pod, run_, container, "readinessProbe"
                )
                if not pod.probes["readiness"]:
                    raise AssertionError(f"{pod.name} never got ready\n{run_.log()}")
            else:
                _wait_for_log(run_, READY[pod.component])
    for pod in cluster.pods:
        for run_, container in zip(pod.containers, pod.spec["containers"], strict=True):
            if "exec" in (container.get("livenessProbe") or {}):
                pod.probes["liveness"] = _exec_probe(pod, run_, container)


def _http_probe(
    pod: Pod, run_: ContainerRun, container: Document, probe_name: str
) -> bool:
    """Poll the container's HTTP probe until it answers 200 (or give up)."""
    probe = container[probe_name]["httpGet"]
    port = named_port(container, probe["port"])
    assert port == 8000, "the image's CMD serves 8000; here the pod's own port"
    url = f"{pod.base_url}{probe['path']}"
    headers = {h["name"]: h["value"] for h in probe.get("httpHeaders") or []}
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if run_.process.popen.poll() is not None:
            return False
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return True
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    return False


def _exec_probe(pod: Pod, run_: ContainerRun, container: Document) -> bool:
    """The exec probe, as kubelet runs it in the container: passes within the time
    kubelet would allow (initial delay + failure threshold x period)."""
    probe = container["livenessProbe"]
    command = _localize(probe["exec"]["command"], _mounts(pod, container))
    allowed = probe.get("initialDelaySeconds", 0) + probe.get(
        "failureThreshold", 3
    ) * probe.get("periodSeconds", 10)
    deadline = time.monotonic() + allowed
    while True:
        result = run(
            command,
            cwd=pod.directory / container["name"],
            env=run_.env,
            timeout=probe.get("timeoutSeconds", 1) + 30,
        )
        if result.returncode == 0:
            return True
        if time.monotonic() > deadline or run_.process.popen.poll() is not None:
            return False
        time.sleep(1)


def _wait_for_log(run_: ContainerRun, markers: tuple[str, ...]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not any(marker in run_.log() for marker in markers):
        if run_.process.popen.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{run_.pod}/{run_.name} did not start:\n{run_.log()}")
        time.sleep(0.2)


def _stop_pod(pod: Pod) -> None:
    grace = float(pod.spec.get("terminationGracePeriodSeconds", 30))
    for run_ in pod.containers:
        popen = run_.process.popen
        started = time.monotonic()
        if popen.poll() is None:
            popen.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=grace)
            run_.seconds_to_stop = time.monotonic() - started
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)
        run_.exit_code = popen.wait(timeout=15)
