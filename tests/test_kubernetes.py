"""Every framework x worker x frontend bake's Kubernetes manifests: each overlay
renders (`kubectl kustomize`) and validates strictly against the schemas of a current
Kubernetes release, and what it runs agrees with the project's other sources of truth -
the production image (Dockerfile: CMD, port, HEALTHCHECK, ENV, user),
docker-compose.prod.yml (service commands, environment, required variables,
healthchecks, stop grace periods), the settings (what production requires),
.env.example (every variable documented), the Caddyfile (which paths the app serves)
and the README (the Secret the user creates).

One bake and one render per combination, shared by its tests (one xdist group each);
one kubernetes-validate run per combination, over both overlays.
"""

from __future__ import annotations

import json
import re
import shlex
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.baking import Bake
from tests.helpers.combos import Combo, make_combo, structural_combos
from tests.helpers.compose import (
    migration_command,
    production_command,
    resolved_services,
    stage_instructions,
)
from tests.helpers.kubernetes import (
    APP_COMPONENTS,
    OVERLAYS,
    Document,
    SecretCommand,
    config_map,
    container_environment,
    containers,
    deployments,
    documents,
    find,
    image_command,
    image_env,
    named_port,
    one,
    pod_spec,
    readme_secret_command,
    render,
    validate,
)
from tests.helpers.tools import clean_env

# The OTLP export adds its receiver's address to the ConfigMap.
COMBOS = [*structural_combos(), make_combo(opentelemetry="otlp")]
# What docker-compose.prod.yml needs to resolve (its `${VAR:?}` variables).
PROD_ENV = {
    "DOMAIN": "api.example.com",
    "SENTRY_DSN": "https://public@sentry.example.com/1",
    "SECRET_KEY": "test-secret-key-for-compose-config",
    "POSTGRES_PASSWORD": "test-postgres-password",
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
}
REQUIRED_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?")
# What the settings refuse to start without in production (core/settings.py).
REQUIRED_IN_PRODUCTION = re.compile(r"([A-Z][A-Z0-9_]+): required when ENVIRONMENT is")
CLOSE_TIMEOUT = re.compile(r"def close_sentry\(timeout: float = ([0-9.]+)\)")
DURATION = re.compile(r"(?:(\d+)m)?(?:([0-9.]+)s)?")


class Rendered:
    """One bake's overlays, rendered once."""

    def __init__(self, combo: Combo, project: Path) -> None:
        self.combo = combo
        self.project = project
        self.text = {overlay: render(project, overlay) for overlay in OVERLAYS}
        self.docs = {overlay: documents(text) for overlay, text in self.text.items()}
        self.name = combo.slug.replace("_", "-")
        self.compose = resolved_services(
            project, "docker-compose.prod.yml", clean_env(**PROD_ENV)
        )

    def answer(self, question: str) -> str:
        return self.combo.answer(question)


@pytest.fixture(scope="session")
def rendered_combos(bake_combo: Callable[[Combo], Bake]) -> Callable[[Combo], Rendered]:
    cache: dict[str, Rendered] = {}

    def _rendered(combo: Combo) -> Rendered:
        if combo.id not in cache:
            cache[combo.id] = Rendered(combo, bake_combo(combo).path())
        return cache[combo.id]

    return _rendered


def combo_params(*, worker: bool = False, frontend: bool = False) -> list[Any]:
    """The combinations (with a worker, with a frontend) as parameters of
    ``rendered``: one xdist group each, so that each is rendered once."""
    return [
        pytest.param(
            combo, id=combo.id, marks=pytest.mark.xdist_group(f"k8s-{combo.id}")
        )
        for combo in COMBOS
        if (not worker or combo.answer("worker") != "none")
        and (not frontend or combo.answer("frontend") != "none")
    ]


@pytest.fixture(params=combo_params())
def rendered(
    request: pytest.FixtureRequest, rendered_combos: Callable[[Combo], Rendered]
) -> Rendered:
    return rendered_combos(request.param)


def app_containers(docs: list[Document]) -> list[tuple[str, Document]]:
    """(component, container) for every container that runs the app's image."""
    found = deployments(docs)
    return [
        (name, container)
        for name in APP_COMPONENTS
        if name in found
        for container in containers(found[name])
    ]


def readme_secrets(project: Path) -> dict[str, dict[str, str]]:
    """The Secret the README creates, each value as the user would set it."""
    secret = readme_secret_command(project)
    return {secret.name: dict.fromkeys(secret.keys, "<set by the user>")}


def seconds(duration: str | int | float) -> float:
    """Compose's durations ("1m30s", "30s") and plain numbers, in seconds."""
    if isinstance(duration, int | float):
        return float(duration)
    matched = DURATION.fullmatch(duration)
    assert matched and duration, f"not a duration: {duration!r}"
    minutes, secs = matched.groups()
    return int(minutes or 0) * 60 + float(secs or 0)


def option(command: list[str], name: str) -> str:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in ``command``."""
    for index, arg in enumerate(command):
        if arg == name:
            return command[index + 1]
        if arg.startswith(f"{name}="):
            return arg.partition("=")[2]
    raise AssertionError(f"no {name} in {command}")


def healthcheck(project: Path, dockerfile: str = "Dockerfile") -> dict[str, Any]:
    """The production stage's HEALTHCHECK: its URL and timings (seconds)."""
    stage = "production"
    for keyword, arguments in stage_instructions(project, stage, dockerfile):
        if keyword == "HEALTHCHECK":
            url = re.search(r"http://[^'\" ]+", arguments)
            assert url, arguments
            timings = dict(re.findall(r"--([a-z-]+)=(\S+)", arguments))
            return {"url": urllib.parse.urlsplit(url.group(0)), **timings}
    raise AssertionError(f"{dockerfile} has no HEALTHCHECK in its production stage")


def exposed_ports(project: Path, dockerfile: str = "Dockerfile") -> set[int]:
    return {
        int(port.split("/")[0])
        for keyword, arguments in stage_instructions(project, "production", dockerfile)
        if keyword == "EXPOSE"
        for port in arguments.split()
    }


def compose_test(test: list[str]) -> list[str]:
    """A compose healthcheck's test as the argument list a container would run."""
    kind, *rest = test
    # `$$` is compose's escape for a `$` that reaches the command.
    rest = [arg.replace("$$", "$") for arg in rest]
    if kind == "CMD-SHELL":
        return ["sh", "-c", rest[0]]
    assert kind == "CMD", test
    return rest


# --- rendering and validation ----------------------------------------------------


def test_overlays_render_and_validate_strictly(
    rendered: Rendered, tmp_path: Path
) -> None:
    paths = []
    for overlay, text in rendered.text.items():
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    passed, report = validate(paths)
    assert passed, report
    for overlay, docs in rendered.docs.items():
        kinds = sorted({doc["kind"] for doc in docs})
        expected = {
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "Ingress",
            "PodDisruptionBudget",
            "Service",
        }
        assert set(kinds) == expected, f"{overlay}: {kinds}"
        namespaces = {doc["metadata"].get("namespace") for doc in docs}
        assert len(namespaces) == 1 and None not in namespaces, namespaces


def test_the_chosen_parts_are_deployed(rendered: Rendered) -> None:
    worker, frontend = rendered.answer("worker"), rendered.answer("frontend")
    expected = {"web"}
    expected |= {"worker"} if worker != "none" else set()
    expected |= {"beat"} if worker == "celery" else set()
    expected |= {"frontend"} if frontend != "none" else set()
    for overlay, docs in rendered.docs.items():
        assert set(deployments(docs)) == expected, overlay


# --- the same program as the image and the compose file -----------------------------


def test_web_runs_the_image_command_on_its_port(rendered: Rendered) -> None:
    project = rendered.project
    cmd = production_command(project)
    port = int(
        option(cmd, "--port")
        if "--port" in cmd
        else option(cmd, "--bind").split(":")[1]
    )
    assert port in exposed_ports(project)
    for overlay, docs in rendered.docs.items():
        web = deployments(docs)["web"]
        (container,) = containers(web, init=False)
        assert "command" not in container and "args" not in container, overlay
        assert image_command(container, cmd) == cmd
        assert named_port(container, "http") == port
        service = one(docs, "Service", f"{rendered.name}-web")
        (service_port,) = service["spec"]["ports"]
        assert named_port(container, service_port["targetPort"]) == port
        assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def test_web_probes_are_the_image_healthcheck(rendered: Rendered) -> None:
    check = healthcheck(rendered.project)
    for overlay, docs in rendered.docs.items():
        (container,) = containers(deployments(docs)["web"], init=False)
        for probe_name in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container[probe_name]["httpGet"]
            assert probe["path"] == check["url"].path, (overlay, probe_name)
            assert named_port(container, probe["port"]) == check["url"].port
            headers = {h["name"]: h["value"] for h in probe.get("httpHeaders") or []}
            if rendered.answer("framework") == "django":
                # The image's check asks 127.0.0.1, which DJANGO_ALLOWED_HOSTS holds.
                assert headers == {"Host": check["url"].hostname}, overlay
                allowed = config_map(docs, f"{rendered.name}-config")
                assert headers["Host"] in allowed["DJANGO_ALLOWED_HOSTS"].split(",")
            else:
                assert headers == {}, overlay
        liveness = container["livenessProbe"]
        assert liveness["periodSeconds"] == seconds(check["interval"])
        assert liveness["timeoutSeconds"] == seconds(check["timeout"])
        assert liveness["failureThreshold"] == int(check["retries"])


def test_migrations_run_the_compose_migrate_command_first(rendered: Rendered) -> None:
    command = migration_command(rendered.project)
    with_schema = ["web"] + (["worker"] if rendered.answer("worker") != "none" else [])
    for overlay, docs in rendered.docs.items():
        found = deployments(docs)
        for name in with_schema:
            (init,) = pod_spec(found[name])["initContainers"]
            assert init["name"] == "migrate"
            assert image_command(init, []) == command, (overlay, name)
            (main,) = containers(found[name], init=False)
            assert init["image"] == main["image"]
            assert init["envFrom"] == main["envFrom"], "the same settings"


@pytest.mark.parametrize("rendered", combo_params(worker=True), indirect=True)
def test_workers_run_the_compose_commands(rendered: Rendered) -> None:
    worker = rendered.answer("worker")
    services = ["worker"] + (["beat"] if worker == "celery" else [])
    for overlay, docs in rendered.docs.items():
        found = deployments(docs)
        for name in services:
            (container,) = containers(found[name], init=False)
            service = rendered.compose[name]
            assert image_command(container, []) == service["command"], (overlay, name)
            probe = container["livenessProbe"]
            test = compose_test(service["healthcheck"]["test"])
            assert probe["exec"]["command"] == test, (overlay, name)
            assert probe["periodSeconds"] == seconds(service["healthcheck"]["interval"])
            assert probe["timeoutSeconds"] == seconds(service["healthcheck"]["timeout"])
            assert probe["failureThreshold"] == service["healthcheck"]["retries"]


@pytest.mark.parametrize("rendered", combo_params(frontend=True), indirect=True)
def test_frontend_serves_the_port_of_its_image(rendered: Rendered) -> None:
    project = rendered.project
    dockerfile = "frontend/Dockerfile"
    (port,) = exposed_ports(project, dockerfile)
    listen = re.search(
        r"^\s*listen\s+(\d+);", (project / "frontend/nginx.conf").read_text(), re.M
    )
    assert listen and int(listen.group(1)) == port
    assert healthcheck(project, dockerfile)["url"].port == port
    upstream = rendered.compose["proxy"]["environment"]["FRONTEND_UPSTREAM"]
    assert upstream == f"frontend:{port}"
    for docs in rendered.docs.values():
        (container,) = containers(deployments(docs)["frontend"])
        assert named_port(container, "http") == port
        for probe_name in ("readinessProbe", "livenessProbe"):
            probe = container[probe_name]["httpGet"]
            assert named_port(container, probe["port"]) == port


# --- configuration and secrets ---------------------------------------------------


def test_every_required_variable_is_provided(rendered: Rendered) -> None:
    """What the compose app service sets, what it requires (`${VAR:?}`) and what the
    settings require in production reach every app container, non-empty (the README's
    Secret holds what the cluster keeps secret)."""
    project = rendered.project
    compose_env = rendered.compose["app"]["environment"]
    compose_text = (project / "docker-compose.prod.yml").read_text(encoding="utf-8")
    raw_app = compose_text.split("\n  app:\n", 1)[1].split("\n  migrate:\n", 1)[0]
    # The keys whose value needs a `${VAR:?}` (DATABASE_URL: POSTGRES_PASSWORD).
    required = {
        line.split(":", 1)[0].strip()
        for line in raw_app.splitlines()
        if REQUIRED_VARIABLE.search(line)
    }
    settings = (project / rendered.combo.slug / "core" / "settings.py").read_text()
    required |= set(REQUIRED_IN_PRODUCTION.findall(settings))
    assert {"SENTRY_DSN", "SECRET_KEY", "DATABASE_URL"} <= required
    secrets = readme_secrets(project)
    for overlay, docs in rendered.docs.items():
        for name, container in app_containers(docs):
            env = container_environment(docs, container, secrets)
            missing = sorted(set(compose_env) - set(env))
            assert not missing, f"{overlay} {name}/{container['name']}: {missing}"
            empty = sorted(key for key in required if not env.get(key))
            assert not empty, f"{overlay} {name}/{container['name']}: {empty}"
            if rendered.answer("worker") != "none":
                assert {"REDIS_URL", "SENTRY_DSN_WORKER"} <= set(env)


def test_the_readme_secret_is_the_one_the_pods_read(rendered: Rendered) -> None:
    secret: SecretCommand = readme_secret_command(rendered.project)
    expected = {"SENTRY_DSN", "SECRET_KEY", "DATABASE_URL"}
    if rendered.answer("worker") != "none":
        expected |= {"REDIS_URL", "SENTRY_DSN_WORKER"}
    assert set(secret.keys) == expected
    production = rendered.docs["production"]
    assert secret.namespace == production[0]["metadata"]["namespace"]
    for docs in rendered.docs.values():
        for name, container in app_containers(docs):
            refs = [
                s["secretRef"]["name"] for s in container["envFrom"] if "secretRef" in s
            ]
            assert refs == [secret.name], (name, container["name"])
    # Secrets are never in the manifests, only the names of their keys in the README.
    for docs in rendered.docs.values():
        assert not find(docs, "Secret")
        data = config_map(docs, f"{rendered.name}-config")
        assert not set(data) & expected, "a secret in the ConfigMap"


def readme_image_commands(project: Path) -> list[list[str]]:
    """The `docker` commands of the README's Kubernetes section's first block."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Kubernetes\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = block.replace("\\\n", " ").splitlines()
    return [words for words in map(shlex.split, lines) if words[:1] == ["docker"]]


def test_the_readme_builds_and_pushes_the_image_the_overlays_run(
    rendered: Rendered,
) -> None:
    """The README's commands, as a new user copies them, push the image and the
    release that the production overlay names."""
    (build, push) = readme_image_commands(rendered.project)
    docs = rendered.docs["production"]
    release = config_map(docs, f"{rendered.name}-config")["SENTRY_RELEASE"]
    images = {container["image"] for _, container in app_containers(docs)}
    assert build[:2] == ["docker", "build"] and build[-1] == "."
    tag = build[build.index("-t") + 1]
    assert images == {tag}
    assert build[build.index("--build-arg") + 1] == f"SENTRY_RELEASE={release}"
    assert push == ["docker", "push", tag]


def test_every_variable_is_documented_in_env_example(rendered: Rendered) -> None:
    example = (rendered.project / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.M))
    secret = readme_secret_command(rendered.project)
    for overlay, docs in rendered.docs.items():
        names = set(config_map(docs, f"{rendered.name}-config")) | set(secret.keys)
        undocumented = sorted(names - documented)
        assert not undocumented, f"{overlay}: not in .env.example: {undocumented}"


def test_each_overlay_names_its_environment_and_release(rendered: Rendered) -> None:
    """Every app container reports the overlay's environment and the release of the
    image it runs (tag "1.2.0-abc1234" for release "<slug>@1.2.0+abc1234")."""
    image = image_env(rendered.project)
    secrets = readme_secrets(rendered.project)
    for overlay, docs in rendered.docs.items():
        data = config_map(docs, f"{rendered.name}-config")
        release = data["SENTRY_RELEASE"]
        package, _, version = release.partition("@")
        assert package == rendered.combo.slug
        for name, container in app_containers(docs):
            env = image | container_environment(docs, container, secrets)
            assert env["SENTRY_RELEASE"] == release, (overlay, name)
            assert env["SENTRY_ENVIRONMENT"] == env["ENVIRONMENT"] == overlay
            tag = container["image"].rpartition(":")[2]
            assert tag == version.replace("+", "-"), (overlay, name, container["image"])
        if rendered.answer("frontend") != "none":
            # The browser's environment is built into the image: one build each.
            (frontend,) = containers(deployments(docs)["frontend"])
            suffix = "" if overlay == "production" else f"-{overlay}"
            tag = version.replace("+", "-") + suffix
            assert frontend["image"].rpartition(":")[2] == tag
        if rendered.answer("framework") == "django":
            module = data["DJANGO_SETTINGS_MODULE"]
            assert module == f"{rendered.combo.slug}.config.settings.{overlay}"


# --- the public host ----------------------------------------------------------------


def test_the_ingress_serves_the_overlay_domain_over_tls(rendered: Rendered) -> None:
    for overlay, docs in rendered.docs.items():
        domain = config_map(docs, f"{rendered.name}-config")["DOMAIN"]
        ingress = one(docs, "Ingress")
        spec = ingress["spec"]
        assert [rule["host"] for rule in spec["rules"]] == [domain], overlay
        (tls,) = spec["tls"]
        assert tls["hosts"] == [domain] and tls["secretName"]
        assert "cert-manager.io/cluster-issuer" in ingress["metadata"]["annotations"]
        if rendered.answer("framework") == "django":
            allowed = config_map(docs, f"{rendered.name}-config")[
                "DJANGO_ALLOWED_HOSTS"
            ]
            assert allowed.split(",")[0] == domain
    staging, production = (
        config_map(rendered.docs[o], f"{rendered.name}-config")["DOMAIN"]
        for o in OVERLAYS
    )
    assert staging != production


def test_the_ingress_routes_as_the_caddyfile(rendered: Rendered) -> None:
    caddyfile = (rendered.project / "Caddyfile").read_text(encoding="utf-8")
    matcher = re.search(r"^\s*@app path (.+)$", caddyfile, re.M)
    for docs in rendered.docs.values():
        services = {doc["metadata"]["name"]: doc for doc in find(docs, "Service")}
        (rule,) = one(docs, "Ingress")["spec"]["rules"]
        routes: dict[str, str] = {}
        for path in rule["http"]["paths"]:
            assert path["pathType"] == "Prefix"
            backend = path["backend"]["service"]
            assert backend["name"] in services
            ports = {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
            assert backend["port"]["name"] in ports
            routes[path["path"]] = backend["name"]
        web, frontend = f"{rendered.name}-web", f"{rendered.name}-frontend"
        if rendered.answer("frontend") == "none":
            assert matcher is None
            assert routes == {"/": web}
            continue
        assert matcher is not None
        # Caddy's "/api /api/*" is one Prefix path.
        app_paths = {word.removesuffix("/*") for word in matcher.group(1).split()}
        assert routes == {**dict.fromkeys(app_paths, web), "/": frontend}


# --- replicas, scaling, shutdown, security ----------------------------------------


def test_scaling_and_disruption(rendered: Rendered) -> None:
    for overlay, docs in rendered.docs.items():
        found = deployments(docs)
        web = found["web"]
        assert "replicas" not in web["spec"], "the autoscaler sets the web replicas"
        hpa = one(docs, "HorizontalPodAutoscaler")
        assert hpa["spec"]["scaleTargetRef"]["name"] == web["metadata"]["name"]
        assert hpa["spec"]["minReplicas"] >= 2
        budgets = {
            doc["metadata"]["name"]: doc["spec"]
            for doc in find(docs, "PodDisruptionBudget")
        }
        for name, deployment in found.items():
            labels = deployment["spec"]["selector"]["matchLabels"]
            covering = [
                b for b in budgets.values() if b["selector"]["matchLabels"] == labels
            ]
            if name == "beat":
                assert deployment["spec"]["replicas"] == 1
                assert deployment["spec"]["strategy"] == {"type": "Recreate"}
                assert not covering, "a budget would block draining beat's node"
                assert (
                    deployment["metadata"]["name"]
                    != hpa["spec"]["scaleTargetRef"]["name"]
                )
                continue
            assert covering == [
                {"maxUnavailable": 1, "selector": {"matchLabels": labels}}
            ]
            if name != "web":
                assert deployment["spec"]["replicas"] >= 2, (overlay, name)


def test_shutdown_leaves_sentry_time_to_flush(rendered: Rendered) -> None:
    """preStop + the server's own drain + the SDK's close timeout fit in the grace
    period, which is the compose file's stop_grace_period."""
    project = rendered.project
    sentry = (project / rendered.combo.slug / "core" / "sentry.py").read_text()
    flush = float(CLOSE_TIMEOUT.search(sentry).group(1))  # type: ignore[union-attr]
    cmd = production_command(project)
    if rendered.answer("framework") == "django":
        # gunicorn stops its workers after --graceful-timeout, their flush included.
        drain = float(option(cmd, "--graceful-timeout"))
        assert drain > flush
    else:
        # uvicorn gives requests the timeout, then runs the lifespan shutdown (flush).
        drain = float(option(cmd, "--timeout-graceful-shutdown")) + flush
    for overlay, docs in rendered.docs.items():
        found = deployments(docs)
        web_spec = pod_spec(found["web"])
        (web,) = web_spec["containers"]
        pre_stop = web["lifecycle"]["preStop"]["sleep"]["seconds"]
        grace = web_spec["terminationGracePeriodSeconds"]
        assert pre_stop + drain < grace, (overlay, pre_stop, drain, grace)
        assert grace == seconds(rendered.compose["app"]["stop_grace_period"])
        if "worker" in found:
            grace = pod_spec(found["worker"])["terminationGracePeriodSeconds"]
            assert grace == seconds(rendered.compose["worker"]["stop_grace_period"])
            if rendered.answer("worker") == "arq":
                code = (
                    project / rendered.combo.slug / "worker" / "arq_worker.py"
                ).read_text()
                wait = re.search(r"job_completion_wait = (\d+)", code)
                assert wait, (
                    "ARQ cancels running jobs at once without job_completion_wait"
                )
                assert int(wait.group(1)) + flush < grace
            else:
                assert grace > flush
        if "frontend" in found:
            spec = pod_spec(found["frontend"])
            (frontend,) = spec["containers"]
            assert (
                frontend["lifecycle"]["preStop"]["sleep"]["seconds"]
                < spec["terminationGracePeriodSeconds"]
            )


def test_pods_run_unprivileged_on_a_read_only_root(rendered: Rendered) -> None:
    user = next(
        arguments
        for keyword, arguments in stage_instructions(rendered.project, "production")
        if keyword == "USER"
    )
    uid, _, gid = user.partition(":")
    for overlay, docs in rendered.docs.items():
        for name, deployment in deployments(docs).items():
            spec = pod_spec(deployment)
            security = spec["securityContext"]
            assert security["runAsNonRoot"] is True
            assert security["seccompProfile"] == {"type": "RuntimeDefault"}
            assert spec["automountServiceAccountToken"] is False
            if name in APP_COMPONENTS:
                assert (str(security["runAsUser"]), str(security["runAsGroup"])) == (
                    uid,
                    gid,
                )
            volumes = {v["name"]: v for v in spec["volumes"]}
            for container in containers(deployment):
                context = container["securityContext"]
                assert context["readOnlyRootFilesystem"] is True, (overlay, name)
                assert context["allowPrivilegeEscalation"] is False
                assert context["capabilities"] == {"drop": ["ALL"]}
                mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
                assert "emptyDir" in volumes[mounts["/tmp"]], (overlay, name)
                resources = container["resources"]
                assert {"cpu", "memory"} <= set(resources["requests"]), (overlay, name)
                assert {"cpu", "memory"} <= set(resources["limits"]), (overlay, name)


# --- dependency updates -------------------------------------------------------------


@pytest.mark.parametrize("ci", ["gitlab", "none"])
def test_renovate_leaves_the_release_pins_alone(
    ci: str, bake: Callable[..., Bake]
) -> None:
    """The manifests run only the project's own images, pinned per overlay to the
    release it deploys: Renovate's kustomize manager must not move them (the
    Dockerfiles' base images are updated where they are named)."""
    project = bake(ci=ci, frontend="vue", worker="celery").path()
    slug = project.name
    config = json.loads((project / "renovate.json").read_text(encoding="utf-8"))
    (rule,) = [
        rule
        for rule in config["packageRules"]
        if "kustomize" in rule.get("matchManagers", [])
    ]
    assert rule["enabled"] is False
    patterns = [re.compile(name.strip("/")) for name in rule["matchPackageNames"]]
    for overlay in OVERLAYS:
        docs = documents(render(project, overlay))
        for deployment in deployments(docs).values():
            for container in containers(deployment):
                name = container["image"].rpartition(":")[0]
                assert name.rpartition("/")[2] in (slug, f"{slug}-frontend"), name
                for registry in (name, f"ghcr.io/acme/{name.rpartition('/')[2]}"):
                    assert any(p.search(registry) for p in patterns), registry
