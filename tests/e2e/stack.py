"""The production compose stack of a baked project, run bare-metal.

First the image's own build steps run (the production stage's RUN instructions, e.g.
Django's collectstatic) with the stage's ENV. Then each service runs the command and
the environment that `docker compose -f docker-compose.prod.yml config` resolves for it
(the image's CMD when the service has no command), one-off services (`migrate`) to
completion first; each in an empty working directory like the image's `/app`, with the
project's `.venv` first on PATH like the image's `/opt/venv`. What a container
network would provide is mapped onto this machine, on 127.0.0.1 only:

- `db`: a role and a database of their own on the PostgreSQL server of
  `DATABASE_URL`, created as the `db` service would create them;
- `redis`: the Redis server of `REDIS_URL`, with a queue of the stack's own;
- the app listens on a free port of 127.0.0.1 instead of 0.0.0.0:8000.

Two settings differ from production, on purpose: `ENVIRONMENT=staging` (the test-error
endpoint answers 404 in production) and `DJANGO_SECURE_SSL_REDIRECT=false` (plain HTTP
on 127.0.0.1; in production TLS ends at the proxy). The proxy service itself is not
started here: `proxy.py` runs it in front of a stack.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers.compose import (
    listen_on,
    production_build_steps,
    production_command,
    resolved_services,
)
from tests.helpers.net import free_port, wait_http
from tests.helpers.processes import log_tail, start_logged, stop_gracefully
from tests.helpers.tools import output, run

HOST = "127.0.0.1"
COMPOSE_FILE = "docker-compose.prod.yml"
# Services this machine provides itself (see the module docstring).
PROVIDED = {"db", "redis"}
# Services that run once, to completion, before the app starts.
ONE_OFF = {"migrate"}
# What each long-running service prints once it is ready.
READY = {"worker": ("ready.", "Starting worker"), "beat": ("beat: Starting",)}
STAGING = {"ENVIRONMENT": "staging", "DJANGO_SECURE_SSL_REDIRECT": "false"}


@dataclass
class Process:
    """One service of the stack, in its own process group."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def log(self, tail: int = 6000) -> str:
        return log_tail(self.log_path, tail)

    def stop(self) -> None:
        """As `docker compose stop` does: SIGTERM, SIGKILL what is left after 30 s."""
        stop_gracefully(self.popen, grace=30)


@dataclass
class Stack:
    """A running stack: the app's URL and environment, and every process."""

    project: Path
    base_url: str
    env: dict[str, str]
    release: str
    database: Database
    processes: list[Process] = field(default_factory=list)
    # The variables `docker compose config` resolved the stack's services with.
    compose_env: dict[str, str] = field(default_factory=dict)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log()}" for p in self.processes)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.database.drop()


@dataclass
class Database:
    """A role and a database of the same unique name on a PostgreSQL server."""

    admin_url: str
    name: str
    password: str

    def url(self) -> str:
        """The admin URL's server, with this role and database."""
        parts = urllib.parse.urlsplit(self.admin_url)
        netloc = f"{self.name}:{self.password}@{parts.hostname}:{parts.port or 5432}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc, path=self.name))

    def create(self) -> None:
        self._psql(
            f"CREATE ROLE {self.name} LOGIN PASSWORD '{self.password}'",
            f"CREATE DATABASE {self.name} OWNER {self.name}",
        )

    def drop(self) -> None:
        self._psql(
            f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)",
            f"DROP ROLE IF EXISTS {self.name}",
        )

    def _psql(self, *statements: str) -> None:
        psql = shutil.which("psql")
        if psql is None:
            raise AssertionError("psql (PostgreSQL's client) is not installed")
        for statement in statements:
            result = run(
                [psql, self.admin_url, "-v", "ON_ERROR_STOP=1", "-c", statement]
            )
            if result.returncode != 0:
                raise AssertionError(f"{statement!r} failed\n{output(result)}")


def start_stack(
    project: Path,
    workdir: Path,
    *,
    dsn: str,
    release: str,
    database_url: str,
    redis_url: str,
    overrides: dict[str, str] | None = None,
    domain: str = HOST,
) -> Stack:
    """Start every service of the production compose file that this machine does not
    provide, in dependency order; wait until each is ready. ``domain`` is the public
    host name (DOMAIN) the proxy would answer to."""
    database = Database(
        admin_url=database_url,
        name=f"{project.name}_{secrets.token_hex(4)}",
        password=secrets.token_hex(8),
    )
    compose_env = {
        "PATH": os.environ["PATH"],
        "DOMAIN": domain,
        "SENTRY_DSN": dsn,
        "SENTRY_RELEASE": release,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "POSTGRES_PASSWORD": database.password,
        "DJANGO_ALLOWED_HOSTS": domain,
    }
    services = resolved_services(project, COMPOSE_FILE, compose_env)
    database.create()
    port = free_port(HOST)
    stack = Stack(
        project=project,
        base_url=f"http://{HOST}:{port}",
        env={},
        release=release,
        database=database,
        compose_env=compose_env,
    )
    mapping = _Mapping(database=database, redis_url=redis_url)
    extra = {**STAGING, **(overrides or {})}
    try:
        for number, step in enumerate(production_build_steps(project), 1):
            env = mapping.environment(project, step.env, {})
            _run_to_completion(f"build-{number}", step.command, env, workdir)
        for name in _start_order(services):
            service = services[name]
            env = mapping.environment(project, service.get("environment") or {}, extra)
            command = service.get("command") or production_command(project)
            if name == "app":
                command = listen_on(command, HOST, port)
            if name in ONE_OFF:
                _run_to_completion(name, command, env, workdir)
                continue
            process = _spawn(name, command, env, workdir)
            stack.processes.append(process)
            if name == "app":
                stack.env = env
                _wait_for_health(stack, process)
            else:
                _wait_for_ready(process)
    except BaseException:
        stack.stop()
        raise
    return stack


@dataclass
class _Mapping:
    """How a container's view (db, redis) maps onto this machine."""

    database: Database
    redis_url: str
    queue: str = field(default_factory=lambda: f"e2e-{secrets.token_hex(6)}")

    def environment(
        self, project: Path, environment: dict[str, Any], extra: dict[str, str]
    ) -> dict[str, str]:
        env = {key: str(value) for key, value in environment.items()}
        if "DATABASE_URL" in env:
            env["DATABASE_URL"] = self.database.url()
        if "REDIS_URL" in env:
            env["REDIS_URL"] = self.redis_url
            # Stacks of other tests share this Redis server, not their jobs.
            env["WORKER_QUEUE"] = self.queue
        venv_bin = project / ".venv" / "bin"
        return {
            "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            **env,
            **extra,
        }


def _start_order(services: dict[str, dict[str, Any]]) -> list[str]:
    """Services to run here, each after the services it depends on."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order or name in PROVIDED:
            return
        for dependency in services[name].get("depends_on") or {}:
            visit(dependency)
        order.append(name)

    for name in sorted(services):
        if (services[name].get("build") or {}).get("target") == "production":
            visit(name)
    return order


def _spawn(
    name: str, command: list[str], env: dict[str, str], workdir: Path
) -> Process:
    cwd = workdir / name  # Empty, like the image's /app: the code is in the venv.
    cwd.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"{name}.log"
    popen = start_logged(command, cwd, env, log_path)
    return Process(name=name, popen=popen, log_path=log_path)


def _run_to_completion(
    name: str, command: list[str], env: dict[str, str], workdir: Path
) -> None:
    process = _spawn(name, command, env, workdir)
    try:
        code = process.popen.wait(timeout=120)
    finally:
        process.stop()
    if code != 0:
        raise AssertionError(f"{name} exited {code}:\n{process.log()}")


def _wait_for_health(stack: Stack, process: Process) -> None:
    try:
        status = wait_http(
            f"{stack.base_url}/health", 90, alive=lambda: process.popen.poll() is None
        )
    except (TimeoutError, RuntimeError) as error:
        raise AssertionError(
            f"the app did not serve: {error}\n{process.log()}"
        ) from None
    if status != 200:
        raise AssertionError(f"GET /health answered {status}\n{process.log()}")


def _wait_for_ready(process: Process) -> None:
    deadline = time.monotonic() + 90
    while not any(marker in process.log() for marker in READY[process.name]):
        if process.popen.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{process.name} did not start:\n{process.log()}")
        time.sleep(0.2)
