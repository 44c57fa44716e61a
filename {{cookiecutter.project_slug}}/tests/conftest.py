"""Hermetic fixtures: no `.env`, no inherited SENTRY_* variables, no network.

Events are caught by a capturing transport instead of being sent; each test runs in
its own Sentry isolation scope, and starts and ends with `reset_state()`: Sentry
closed, every setting forgotten. A test sets its variables before the first read
(`monkeypatch.setenv` in the test or in a fixture listed before the others).
PostgreSQL is used when DATABASE_URL is set (a throwaway database per session),
SQLite otherwise{% if cookiecutter.worker != "none" %}; the Redis-backed worker tests run
when REDIS_URL is set{% endif %}. Both are read as the app reads them: the environment
first, then the project's `.env`.{% if cookiecutter.framework != "django" %} The migrations build the schema, as they build
production's.{% endif %}
"""

{% if cookiecutter.worker != "none" -%}
import json
{% endif -%}
import os
import re
import socket
import subprocess
import sys
import threading
import time
{%- if cookiecutter.framework != "django" %}
import uuid
{%- endif %}
from collections.abc import Callable, Iterator
{%- if cookiecutter.framework != "django" %}
from contextlib import contextmanager
{%- endif %}
from pathlib import Path
from typing import Any

{% if cookiecutter.framework == "django" -%}
import httpx2
{% endif -%}
import psycopg
import pytest
{% if cookiecutter.worker != "none" -%}
import redis
{% endif -%}
import sentry_sdk
{%- if cookiecutter.framework == "django" %}
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
{%- endif %}
from pydantic_settings import BaseSettings, SettingsConfigDict
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport
{%- if cookiecutter.framework != "django" %}
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient
{%- endif %}

{% if cookiecutter.framework != "django" -%}
from {{ cookiecutter.project_slug }} import db, migrate
{% endif -%}
{% if cookiecutter.framework == "fastapi" -%}
from {{ cookiecutter.project_slug }}.api.app import create_app
{% endif -%}
from {{ cookiecutter.project_slug }}.core.sentry import reset_state
from {{ cookiecutter.project_slug }}.features import start_sentry{% if cookiecutter.framework != "django" %}, wrap_asgi{% endif %}
{%- if cookiecutter.framework == "starlette-graphql" %}
from {{ cookiecutter.project_slug }}.graphql_api.app import create_app
{%- endif %}
{%- if cookiecutter.framework != "django" %}
from {{ cookiecutter.project_slug }}.models import Base
{%- endif %}

from .envelope_receiver import EnvelopeReceiver
{%- if cookiecutter.opentelemetry == "otlp" %}
from .otlp_receiver import OtlpReceiver
{%- endif %}

# Never used for sending: the capturing transport replaces the HTTP one.
TEST_DSN = "http://public@127.0.0.1:9/1"
INHERITED = (
    "ENVIRONMENT",
    "APP_VERSION",
    "SECRET_KEY",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "DATABASE_URL",
)


class BackingServers(BaseSettings):
    """The servers some tests use, read before any test moves away from `.env`:
    the environment first, then the project's `.env` (the app's own precedence).
    Empty means not set."""

    model_config = SettingsConfigDict(
        env_file=Path(__file__).resolve().parents[1] / ".env", extra="ignore"
    )

    database_url: str = ""
{%- if cookiecutter.worker != "none" %}
    redis_url: str = ""
{%- endif %}


SERVERS = BackingServers()


def pytest_report_header() -> list[str]:
    """Say on top of every run what the tests run against."""
    postgres = SERVERS.database_url.startswith("postgres")
    lines = [
        "database: PostgreSQL (a throwaway database on DATABASE_URL)"
        if postgres
        else "database: SQLite (DATABASE_URL names no PostgreSQL server)"
    ]
{%- if cookiecutter.worker != "none" %}
    lines.append(
        "redis: REDIS_URL is set (the worker tests run)"
        if SERVERS.redis_url
        else "redis: REDIS_URL is not set (the worker tests skip)"
    )
{%- endif %}
    return lines


# A driver named in a URL (postgresql+psycopg://): libpq knows none.
DRIVER = re.compile(r"^(postgres(?:ql)?)\+\w+://")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, in one line, when a server the tests need is unreachable
    (DATABASE_URL's PostgreSQL{% if cookiecutter.worker != "none" %}, REDIS_URL's Redis{% endif %}): otherwise every test that
    needs it fails on its own with the same traceback."""
    url = SERVERS.database_url
    if url.startswith("postgres"):
        try:
            psycopg.connect(DRIVER.sub(r"\1://", url), connect_timeout=5).close()
        except psycopg.Error as error:
            pytest.exit(
                f"DATABASE_URL: no connection to its PostgreSQL server "
                f"({first_line(error)}); unset it to run the tests on SQLite",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
{%- if cookiecutter.worker != "none" %}
    if SERVERS.redis_url:
        client = redis.Redis.from_url(SERVERS.redis_url, socket_connect_timeout=5)
        try:
            client.ping()
        except redis.RedisError as error:
            # Each worker test would otherwise wait a minute for its worker to start.
            pytest.exit(
                f"REDIS_URL: no connection to its Redis server ({first_line(error)}); "
                "unset it to skip the worker tests",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
        finally:
            client.close()
{%- endif %}


def first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or ["no reason given"])[0]


def run_python(
    code: str, cwd: Path, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -c code` in a process of its own (from `cwd`, with this environment
    and `env`); its exit status and output as text."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class CapturingTransport(Transport):
    """Keeps every envelope the SDK would have sent."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def items(self, kind: str) -> list[dict[str, Any]]:
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type == kind and item.payload.json is not None
        ]

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.items("event")

    @property
    def transactions(self) -> list[dict[str, Any]]:
        return self.items("transaction")


@pytest.fixture(autouse=True)
def hermetic_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> Iterator[None]:
    for name in list(os.environ):
{%- if cookiecutter.opentelemetry == "otlp" %}
        if name.startswith(("SENTRY_", "OTEL_")) or name in INHERITED:
{%- else %}
        if name.startswith("SENTRY_") or name in INHERITED:
{%- endif %}
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # Away from the project's .env file.
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("SECRET_KEY", "test-signing-key-of-enough-length-for-hs256")
    monkeypatch.setenv("SENTRY_DEBUG", "false")
    monkeypatch.setenv("SENTRY_PROFILES_SAMPLE_RATE", "0")
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "1.0")  # Whatever the preset.
{%- if cookiecutter.opentelemetry == "otlp" %}
    # No OTLP export unless a test points it at its receiver (tests/test_otlp.py).
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
{%- endif %}
    reset_state()
    with sentry_sdk.isolation_scope():
        yield
    reset_state()


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> CapturingTransport:
    """Sentry enabled as the web app starts it, with every envelope kept in memory."""
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    capturing = CapturingTransport()
    assert start_sentry(transport=capturing)
    return capturing


Flush = Callable[[], None]


@pytest.fixture
def flush() -> Flush:
    """Wait until the SDK has handed every queued envelope to the transport."""

    def _flush() -> None:
        sentry_sdk.get_client().flush(timeout=2)

    return _flush
{%- if cookiecutter.framework != "django" %}


@contextmanager
def new_database(directory: Path) -> Iterator[str]:
    """The URL of an empty database, dropped afterwards: on the PostgreSQL server of
    DATABASE_URL when it names one, else an SQLite file in ``directory``."""
    server_url = SERVERS.database_url
    if not server_url.startswith("postgres"):
        yield f"sqlite:///{directory / f'test_{uuid.uuid4().hex[:12]}.db'}"
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(db.engine_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(db.engine_url(server_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        db.get_engine().dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This session's database, its schema built by the migrations."""
    with new_database(tmp_path_factory.mktemp("db")) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, with no tables yet."""
    with new_database(tmp_path) as url:
        yield url


@pytest.fixture(autouse=True)
def database(
    monkeypatch: pytest.MonkeyPatch, database_url: str, hermetic_environment: None
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with db.get_engine().begin() as connection:  # Each test starts with empty tables.
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    app = wrap_asgi(create_app())  # As main.py serves it.
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    db.get_engine().dispose()
{%- elif cookiecutter.framework == "django" %}


@pytest.fixture
def client(db: None) -> Iterator[httpx2.Client]:
    """HTTP through Django's WSGI handler, as a server would call it (Sentry's WSGI
    middleware included), on the test database."""
    # As Django's own test client does: the test's transaction keeps the connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    transport = httpx2.WSGITransport(app=get_wsgi_application())
    with httpx2.Client(transport=transport, base_url="http://testserver") as http:
        yield http
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
{%- endif %}
{%- if cookiecutter.worker != "none" %}


@pytest.fixture
def redis_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """REDIS_URL (environment or `.env`) for this test and the worker it starts;
    the test is skipped without one."""
    if not SERVERS.redis_url:
        pytest.skip("REDIS_URL is not set (in the environment or .env)")
    monkeypatch.setenv("REDIS_URL", SERVERS.redis_url)
    return SERVERS.redis_url


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker writes JSON lines (set before it starts)."""
    monkeypatch.setenv("LOG_FORMAT", "json")


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def wait_for_lines(log: Path, field: str, value: str) -> list[dict[str, Any]]:
    """The worker's JSON lines whose `field` is `value`, once the job's failure is
    among them (the worker writes it after reporting the error)."""
    deadline = time.monotonic() + 20
    while True:
        found = [
            line
            for line in json_lines(log.read_text(errors="replace"))
            if line.get(field) == value
        ]
        if any(line["level"] == "error" for line in found):
            return found
        if time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def wait_for_sentry_logs(
    receiver: EnvelopeReceiver, attribute: str, value: str
) -> list[dict[str, Any]]:
    """The worker's Sentry logs whose attribute `attribute` is `value`, once the
    job's failure is among them (sent in batches, every few seconds)."""
    deadline = time.monotonic() + 20
    while True:
        found = [
            item
            for container in receiver.wait_for("log", count=1, timeout=0.1)
            for item in container["items"]
            if item["attributes"].get(attribute, {}).get("value") == value
        ]
        if any(item["level"] == "error" for item in found):
            return found
        if time.monotonic() > deadline:
            return found
        time.sleep(0.1)
{%- if cookiecutter.opentelemetry == "otlp" %}


def transaction_in_trace(
    receiver: EnvelopeReceiver, trace_id: str, timeout: float = 20.0
) -> dict[str, Any]:
    """The transaction of the worker in the trace `trace_id` (the cron jobs send
    theirs too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for sent in receiver.wait_for("transaction", count=1, timeout=0.1):
            if sent["contexts"]["trace"]["trace_id"] == trace_id:
                return sent
    raise AssertionError(f"no transaction in trace {trace_id}")
{%- endif %}
{%- endif %}


@pytest.fixture
def receiver() -> Iterator[EnvelopeReceiver]:
    """Where the SDK's own HTTP transport (in this process or a worker's) sends its
    envelopes, on 127.0.0.1; it refuses envelopes over 1 MiB, as Sentry does."""
    server = EnvelopeReceiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sending(
    receiver: EnvelopeReceiver, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EnvelopeReceiver]:
    """Sentry started as the web app starts it, sending to `receiver` over HTTP."""
    monkeypatch.setenv("SENTRY_DSN", receiver.dsn)
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "0")
    assert start_sentry()
    yield receiver


def wait_until_each_waits(
    runs: "list[subprocess.Popen[str]]", waiting: Callable[[], int]
) -> None:
    """Until `waiting()` (how many of `runs` wait, e.g. for an advisory lock) counts
    every run; fails when a run ends first or after 60 s."""
    deadline = time.monotonic() + 60
    while waiting() < len(runs):
        ended = [run for run in runs if run.poll() is not None]
        if ended or time.monotonic() > deadline:
            pytest.fail(
                "a run did not wait for the lock: "
                + "".join(run.communicate()[0] for run in ended)
            )
        time.sleep(0.05)
{%- if cookiecutter.opentelemetry == "otlp" %}


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    """An OTLP/HTTP trace receiver on 127.0.0.1 (its `endpoint` is an
    OTEL_EXPORTER_OTLP_ENDPOINT)."""
    server = OtlpReceiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
{%- endif %}
