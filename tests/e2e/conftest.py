"""Servers for the end-to-end tests: Bugsink, the envelope recorder, the service."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e import bugsink
from tests.e2e.recorder import Recorder
from tests.e2e.service import Service, start_service
from tests.helpers.combos import AVAILABLE, Combo, make_combo
from tests.helpers.net import free_port
from tests.helpers.project import project_env, readme_run_command

HOST = "127.0.0.1"


@pytest.fixture(scope="session")
def bugsink_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[bugsink.Bugsink]:
    """A real Bugsink on 127.0.0.1 (SQLite, eager digestion), one project, one token."""
    server = bugsink.start(tmp_path_factory.mktemp("bugsink"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def recorder(bugsink_server: bugsink.Bugsink) -> Iterator[Recorder]:
    """The envelope recorder, forwarding to Bugsink."""
    with Recorder(upstream=bugsink_server.base_url) as running:
        yield running


@pytest.fixture(scope="session")
def recorder_dsn(recorder: Recorder, bugsink_server: bugsink.Bugsink) -> str:
    """Bugsink's DSN with the recorder's host:port: one DSN feeds both."""
    return recorder.dsn_for(bugsink_server.dsn)


@pytest.fixture(scope="module")
def machine_urls() -> tuple[str, str]:
    """The PostgreSQL and Redis servers that stand in for the production stack's `db`
    and `redis` services (see `stack.py`)."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        pytest.skip("DATABASE_URL (PostgreSQL) and REDIS_URL are not set")
    return database_url, redis_url


@pytest.fixture(
    scope="module",
    params=[
        # One xdist group per framework: a module's service starts once, in one
        # worker, and the frameworks run side by side.
        pytest.param(name, id=name, marks=pytest.mark.xdist_group(f"e2e-{name}"))
        for name in AVAILABLE["framework"]
    ],
)
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def worker() -> str:
    """The worker baked with the service; a module overrides it to test one."""
    return "none"


@pytest.fixture(scope="module")
def combo(framework: str, worker: str) -> Combo:
    answers = {"framework": framework}
    if worker != "none":
        answers["worker"] = worker
    return make_combo(**answers)


@pytest.fixture(scope="module")
def service(
    combo: Combo,
    synced_project: Callable[[Combo], Path],
    recorder_dsn: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    """The framework's default bake, synced, started with Quick start line 1,
    reporting to the recorder, in the staging environment with every transaction
    sampled (plain HTTP on 127.0.0.1, so no HTTPS redirect)."""
    running = start_staging_service(
        synced_project(combo), recorder_dsn, tmp_path_factory.mktemp("service-db")
    )
    yield running
    running.stop()


def start_staging_service(project: Path, dsn: str, workdir: Path) -> Service:
    """Start ``project`` with Quick start line 1, reporting to ``dsn``."""
    port = free_port(HOST)
    env = project_env(
        SENTRY_DSN=dsn,
        UVICORN_PORT=str(port),
        UVICORN_HOST=HOST,
        ENVIRONMENT="staging",
        SENTRY_TRACES_SAMPLE_RATE="1.0",
        DATABASE_URL=f"sqlite:///{workdir / 'e2e.db'}",
        DJANGO_SECURE_SSL_REDIRECT="false",
        # Services of other xdist workers share the Redis server, not their jobs.
        WORKER_QUEUE=f"e2e-{uuid.uuid4().hex}",
    )
    return start_service(project, readme_run_command(project), env, HOST, port)
