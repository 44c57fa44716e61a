"""Hermetic fixtures: no `.env`, no inherited SENTRY_* variables, no network.

Events are caught by a capturing transport instead of being sent; each test runs in
its own Sentry isolation scope. PostgreSQL is used when DATABASE_URL is set (a
throwaway database per session), SQLite otherwise.
"""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from fastapi.testclient import TestClient
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.api.app import create_app
from {{ cookiecutter.project_slug }}.core import scrubber
from {{ cookiecutter.project_slug }}.core.sentry import close_sentry, init_sentry
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.models import Base

# Never used for sending: the capturing transport replaces the HTTP one.
TEST_DSN = "http://public@127.0.0.1:9/1"
INHERITED = ("ENVIRONMENT", "APP_VERSION", "SECRET_KEY", "LOG_LEVEL", "DATABASE_URL")


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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this session: PostgreSQL if DATABASE_URL is set."""
    server_url = os.environ.get("DATABASE_URL")
    if not server_url or not server_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(db.engine_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield (
        make_url(db.engine_url(server_url))
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    db.get_engine().dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(autouse=True)
def hermetic_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, database_url: str
) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("SENTRY_") or name in INHERITED:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # Away from the project's .env file.
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("SECRET_KEY", "test-signing-key-of-enough-length-for-hs256")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SENTRY_DEBUG", "false")
    monkeypatch.setenv("SENTRY_PROFILES_SAMPLE_RATE", "0")
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "1.0")  # Whatever the preset.
    _clear_caches()
    with sentry_sdk.isolation_scope():
        yield
    close_sentry()
    _clear_caches()


def _clear_caches() -> None:
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.get_sessionmaker.cache_clear()
    scrubber.configure()


@pytest.fixture
def transport(monkeypatch: pytest.MonkeyPatch) -> CapturingTransport:
    """Sentry enabled, with every envelope kept in memory."""
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    get_settings.cache_clear()
    capturing = CapturingTransport()
    assert init_sentry(transport=capturing)
    return capturing


@pytest.fixture
def client() -> Iterator[TestClient]:
    Base.metadata.drop_all(db.get_engine())  # Each test starts with empty tables.
    app = create_app()
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    db.get_engine().dispose()


@pytest.fixture
def flush() -> Any:
    def _flush() -> None:
        sentry_sdk.get_client().flush(timeout=2)

    return _flush
