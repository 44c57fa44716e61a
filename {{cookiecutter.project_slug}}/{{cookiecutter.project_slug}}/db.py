"""SQLAlchemy engine and sessions, with slow queries recorded as breadcrumbs."""

import time
from collections.abc import Iterator
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from .core.sentry import add_breadcrumb
from .core.settings import (
    ServiceSettings,
    cached_from_settings,
    check_url,
    read_settings,
)
from .project import PROJECT_SLUG

# What the installed drivers serve: SQLite, and PostgreSQL through psycopg 3.
DATABASE_SCHEMES = (
    "sqlite",
    "sqlite+pysqlite",
    "postgres",
    "postgresql",
    "postgresql+psycopg",
)


class DatabaseSettings(ServiceSettings):
    database_url: str = Field(default=f"sqlite:///./{PROJECT_SLUG}.db", repr=False)
    # Queries slower than this leave a `db.slow_query` breadcrumb.
    sentry_slow_query_ms: int = Field(default=100, ge=0)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        example = "postgresql://user:password@host/name"
        return check_url(value, DATABASE_SCHEMES, example)


def engine_url(database_url: str) -> str:
    """Use psycopg 3 for plain postgres URLs (as compose files and PaaS give them)."""
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url.removeprefix(prefix)
    return database_url


@cached_from_settings
def get_engine() -> Engine:
    settings = read_settings(DatabaseSettings)
    url = engine_url(settings.database_url)
    connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    _record_slow_queries(engine, settings.sentry_slow_query_ms)
    return engine


@cached_from_settings
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


def database_ok() -> bool:
    """Whether the database answers a trivial query (for /health)."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def execute_sql(statement: str) -> None:
    """Run one statement on its own connection (for diagnostics)."""
    with get_engine().connect() as connection:
        connection.execute(text(statement))


def session_scope() -> Iterator[Session]:
    """One session per request: committed by the caller, always closed."""
    with get_sessionmaker()() as session:
        yield session


def _record_slow_queries(engine: Engine, threshold_ms: int) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("query_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _finish(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        elapsed_ms = (time.perf_counter() - conn.info["query_started"].pop()) * 1000
        if elapsed_ms >= threshold_ms:
            add_breadcrumb(
                "Slow query",
                category="db.slow_query",
                level="warning",
                statement=statement[:200],
                duration_ms=round(elapsed_ms, 1),
            )
