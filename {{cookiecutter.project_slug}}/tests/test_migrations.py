"""The migrations build exactly the models' schema, undo it, and run side by side.

Each test migrates an empty database of its own (PostgreSQL when DATABASE_URL names
one, else SQLite) with the functions behind `python -m <package>.migrate`.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from subprocess import PIPE, STDOUT

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from {{ cookiecutter.project_slug }} import migrate
from {{ cookiecutter.project_slug }}.db import engine_url
from {{ cookiecutter.project_slug }}.migrate import alembic_config, upgrade
from {{ cookiecutter.project_slug }}.models import Base, add_user

from .conftest import run_python, wait_until_each_waits

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
SIDE_BY_SIDE = 2
LOCK = text("SELECT pg_advisory_lock(:key)")
UNLOCK = text("SELECT pg_advisory_unlock(:key)")
# Sessions of this database waiting for an advisory lock.
WAITING = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@pytest.fixture
def engine(empty_database: str) -> Iterator[Engine]:
    engine = create_engine(engine_url(empty_database), poolclass=NullPool)
    yield engine
    engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


STARTUP = """
import asyncio

from {{ cookiecutter.project_slug }}.lifespan import lifespan


async def main():
    async with lifespan(None):
        pass


asyncio.run(main())
"""


@pytest.mark.parametrize("migrated", [False, True])
def test_development_says_when_the_database_needs_migrating(
    empty_database: str, tmp_path: Path, migrated: bool
) -> None:
    """Serving without the migrations first: one line at start-up says what to run,
    instead of a "no such table" traceback at each request."""
    if migrated:
        upgrade(empty_database)
    result = run_python(
        STARTUP, tmp_path, DATABASE_URL=empty_database, ENVIRONMENT="development"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if "unapplied migration" in line]
    if migrated:
        assert lines == [], output
    else:
        (line,) = lines
        assert "run `python -m {{ cookiecutter.project_slug }}.migrate`" in line


def test_upgrade_builds_the_models_schema(empty_database: str, engine: Engine) -> None:
    upgrade(empty_database)

    assert current_revision(engine) == HEAD
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection), Base.metadata
        )
    assert differences == [], "the models and the migrations disagree"


def test_downgrade_to_base_removes_every_table(
    empty_database: str, engine: Engine
) -> None:
    upgrade(empty_database)

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")

    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    upgrade(empty_database)  # And back up again.
    assert current_revision(engine) == HEAD


def test_an_upgrade_twice_changes_nothing(empty_database: str, engine: Engine) -> None:
    upgrade(empty_database)
    tables = set(inspect(engine).get_table_names())

    upgrade(empty_database)

    assert set(inspect(engine).get_table_names()) == tables
    assert current_revision(engine) == HEAD


def test_the_schema_holds_one_account_per_name_in_any_letter_case(
    empty_database: str, engine: Engine
) -> None:
    """The database decides, not a check before the insert: two sign-ups at once
    cannot both win."""
    upgrade(empty_database)

    with Session(engine) as session:
        jane = add_user(session, "jane", "jane@example.com", "hash")
        assert jane is not None
        assert add_user(session, "JANE", "other@example.com", "hash") is None
        assert add_user(session, "joan", "Jane@Example.COM", "hash") is None
        assert add_user(session, "joan", "joan@example.com", "hash") is not None


def test_migrations_started_side_by_side_run_one_at_a_time(
    empty_database: str, engine: Engine, tmp_path: Path
) -> None:
    """As replicas starting at once do: each `python -m <package>.migrate` waits for
    the advisory lock, so one applies the revisions and the others find them done
    (without the lock they would collide on CREATE TABLE)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent starts are a PostgreSQL concern (DATABASE_URL unset)")
    command = [sys.executable, "-m", migrate.__name__]
    env = {**os.environ, "DATABASE_URL": empty_database, "LOG_LEVEL": "INFO"}
    with engine.connect() as holder:
        holder.execute(LOCK, {"key": migrate.MIGRATION_LOCK_KEY})
        runs = [
            subprocess.Popen(
                command, cwd=tmp_path, env=env, stdout=PIPE, stderr=STDOUT, text=True
            )
            for _ in range(SIDE_BY_SIDE)
        ]
        try:
            wait_until_each_waits(runs, lambda: waiting_for_advisory_locks(engine))
        finally:
            holder.execute(UNLOCK, {"key": migrate.MIGRATION_LOCK_KEY})
        outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [0] * SIDE_BY_SIDE, outputs
    applied = sum(output.count(f"-> {HEAD}") for output in outputs)
    assert applied == 1, outputs
    assert current_revision(engine) == HEAD


def waiting_for_advisory_locks(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(WAITING).scalar_one())


def test_an_unreachable_database_stops_the_migration_in_one_line(
    tmp_path: Path,
) -> None:
    """No traceback: the variable to fix and the driver's reason, never the password."""
    url = "postgresql://app:not-this-password@127.0.0.1:1/app"
    command = [sys.executable, "-m", migrate.__name__]
    env = {**os.environ, "DATABASE_URL": url, "SENTRY_DSN": ""}
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert result.stderr.startswith("Database error (DATABASE_URL): "), result.stderr
    assert "127.0.0.1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "not-this-password" not in result.stdout + result.stderr
