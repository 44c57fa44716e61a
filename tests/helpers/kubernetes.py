"""A generated project's Kubernetes manifests without a cluster: `kubectl kustomize`
renders an overlay, `kubernetes-validate` checks it against the schemas of one
Kubernetes release, and the functions below read what a cluster would run from the
rendered documents (each container's command and environment, its probes and ports).
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.helpers.compose import stage_instructions
from tests.helpers.tools import output, run, tool

MANIFESTS = Path("deploy") / "kubernetes"
OVERLAYS = ("staging", "production")
# The newest Kubernetes release whose schemas kubernetes-validate carries.
KUBERNETES_VERSION = "1.37.0"
# The Deployments whose pods run the app's own image (the frontend's is nginx).
APP_COMPONENTS = ("web", "worker", "beat")

Document = dict[str, Any]


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        raise AssertionError("kubectl (with kustomize v5) is not installed")
    return found


def render(project: Path, overlay: str) -> str:
    """`kubectl kustomize deploy/kubernetes/overlays/<overlay>`: the YAML to apply."""
    result = run(
        [kubectl(), "kustomize", str(project / MANIFESTS / "overlays" / overlay)]
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize failed\n{output(result)}")
    return result.stdout


def documents(text: str) -> list[Document]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def validate(paths: list[Path]) -> tuple[bool, str]:
    """`kubernetes-validate --strict` on every file at once: (passed, its output)."""
    command = tool("kubernetes-validate")
    if not command:
        raise AssertionError("kubernetes-validate is not installed")
    args = ["--strict", "--quiet", "--kubernetes-version", KUBERNETES_VERSION]
    result = run([*command, *args, *map(str, paths)])
    return result.returncode == 0, output(result)


def find(docs: list[Document], kind: str, name: str | None = None) -> list[Document]:
    """The documents of ``kind`` (and ``name``)."""
    return [
        doc
        for doc in docs
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)
    ]


def one(docs: list[Document], kind: str, name: str | None = None) -> Document:
    found = find(docs, kind, name)
    assert len(found) == 1, f"{len(found)} {kind} named {name}"
    return found[0]


def component(doc: Document) -> str:
    return str(doc["metadata"]["labels"]["app.kubernetes.io/component"])


def deployments(docs: list[Document]) -> dict[str, Document]:
    """The Deployments by component (web, worker, beat, frontend)."""
    return {component(doc): doc for doc in find(docs, "Deployment")}


def pod_spec(deployment: Document) -> Document:
    return deployment["spec"]["template"]["spec"]


def containers(deployment: Document, *, init: bool = True) -> list[Document]:
    """Init containers (first) and containers of a Deployment's pods."""
    spec = pod_spec(deployment)
    return [*(spec.get("initContainers") or [] if init else []), *spec["containers"]]


def config_map(docs: list[Document], name: str) -> dict[str, str]:
    """The data of the rendered ConfigMap ``name`` (its generated hash suffix aside)."""
    for doc in find(docs, "ConfigMap"):
        if re.fullmatch(rf"{re.escape(name)}(-[a-z0-9]+)?", doc["metadata"]["name"]):
            return {key: str(value) for key, value in doc.get("data", {}).items()}
    raise AssertionError(f"no ConfigMap {name}")


def container_environment(
    docs: list[Document],
    container: Document,
    secrets: Mapping[str, Mapping[str, str]],
) -> dict[str, str]:
    """What a cluster puts in the container's environment: its envFrom sources in
    order (a later one wins), then its env. ``secrets``: the Secrets (name -> data)
    the cluster would hold; a missing one fails, as the pod would not start."""
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        if "configMapRef" in source:
            env |= config_map(docs, source["configMapRef"]["name"])
        else:
            name = source["secretRef"]["name"]
            if name not in secrets:
                raise AssertionError(f"the Secret {name} is not there")
            env |= dict(secrets[name])
    for variable in container.get("env") or []:
        env[variable["name"]] = str(variable["value"])
    return env


def image_command(container: Document, image_cmd: list[str]) -> list[str]:
    """What the container runs: its command, else the image's (no ENTRYPOINT) with
    its args, else the image's CMD."""
    if container.get("command"):
        return [*container["command"], *(container.get("args") or [])]
    return list(container.get("args") or image_cmd)


def named_port(container: Document, port: int | str) -> int:
    """A probe's or Service's port as a number (a name is the container's port)."""
    if isinstance(port, int):
        return port
    for declared in container.get("ports") or []:
        if declared.get("name") == port:
            return int(declared["containerPort"])
    raise AssertionError(f"{container['name']} has no port named {port}")


def image_env(project: Path, dockerfile: str = "Dockerfile") -> dict[str, str]:
    """The ENV of the Dockerfile's production stage and the stages it is built on
    (``${ARG}`` references empty: no build argument)."""
    text = (project / dockerfile).read_text(encoding="utf-8")
    parents: dict[str, str] = {}
    for line in text.splitlines():
        found = re.match(r"FROM\s+(\S+)\s+AS\s+(\S+)", line.strip(), re.IGNORECASE)
        if found:
            parents[found.group(2)] = found.group(1)
    chain = []
    stage: str | None = "production"
    while stage is not None:
        chain.append(stage)
        stage = parents.get(stage) if parents.get(stage) in parents else None
    env: dict[str, str] = {}
    for stage_name in reversed(chain):
        for keyword, arguments in stage_instructions(project, stage_name):
            if keyword == "ENV":
                for pair in shlex.split(arguments):
                    name, _, value = pair.partition("=")
                    env[name] = re.sub(r"\$\{[^}]*\}", "", value)
    return env


@dataclass(frozen=True)
class SecretCommand:
    """The README's `kubectl create secret generic` command."""

    namespace: str
    name: str
    keys: tuple[str, ...]


def readme_secret_command(project: Path) -> SecretCommand:
    """The Secret the README's Kubernetes section tells the user to create."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Kubernetes\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line)
        if words[:1] == ["kubectl"] and "secret" in words and "generic" in words:
            namespace = words[words.index("--namespace") + 1]
            name = words[words.index("generic") + 1]
            keys = tuple(
                word.removeprefix("--from-literal=").partition("=")[0]
                for word in words
                if word.startswith("--from-literal=")
            )
            return SecretCommand(namespace=namespace, name=name, keys=keys)
    raise AssertionError("the README's Kubernetes section creates no Secret")
