"""Migrations match the models and run side by side; production settings pass
`check --deploy`."""

import json
import os
import secrets
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from subprocess import PIPE, STDOUT
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from psycopg.conninfo import make_conninfo

from {{ cookiecutter.project_slug }}.config.management.commands.migrate import (
    MIGRATION_LOCK_KEY,
)

from .conftest import wait_until_each_waits

MANAGE = str(Path(__file__).resolve().parents[1] / "manage.py")
PRODUCTION_SETTINGS = "{{ cookiecutter.project_slug }}.config.settings.production"
SIDE_BY_SIDE = 2
IMPORT_IN_EVENT_LOOP = """
import asyncio


async def main():
    import {{ cookiecutter.project_slug }}.config.asgi


asyncio.run(main())
"""
# Sessions of the current database waiting for an advisory lock.
WAITING = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@pytest.mark.django_db
def test_migrations_match_the_models() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_tests_serve_static_files_without_collectstatic() -> None:
    """From the apps, as in development: no warning about an empty STATIC_ROOT at
    each test client (85 of them in a run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = Client().get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


@pytest.mark.parametrize("migrated", [False, True])
def test_development_says_when_the_database_needs_migrating(
    tmp_path: Path, migrated: bool
) -> None:
    """Serving without `manage.py migrate` first: one line at start-up says what to
    run, instead of a "no such table" traceback at each request."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DJANGO_SETTINGS_MODULE"
    }
    env |= {
        "ENVIRONMENT": "development",
        "DATABASE_URL": "sqlite:///./development.db",
        "SENTRY_DSN": "",
    }
    if migrated:
        subprocess.run(
            [sys.executable, MANAGE, "migrate", "--noinput"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            check=True,
        )
    # As uvicorn does: the application is imported inside the running event loop.
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_IN_EVENT_LOOP],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if "unapplied migration" in line]
    if migrated:
        assert lines == [], output
    else:
        (line,) = lines
        assert "run `python manage.py migrate`" in line


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "SENTRY_DSN": "",
    }
    result = subprocess.run(
        [sys.executable, MANAGE, "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,  # Away from the project's .env file.
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {"ENVIRONMENT": "production", "SENTRY_DSN": ""}
    result = subprocess.run(
        [sys.executable, MANAGE, "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_a_missing_settings_module_stops_manage_py_in_one_line(
    tmp_path: Path, where: str
) -> None:
    """Named in the environment or in `.env` (which Django itself never reads)."""
    missing = "{{ cookiecutter.project_slug }}.config.settings.prod"
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DJANGO_SETTINGS_MODULE"
    }
    if where == ".env":
        (tmp_path / ".env").write_text(f"DJANGO_SETTINGS_MODULE={missing}\n")
    else:
        env["DJANGO_SETTINGS_MODULE"] = missing
    result = subprocess.run(
        [sys.executable, MANAGE, "check"],
        cwd=tmp_path,
        env={**env, "SENTRY_DSN": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        "Configuration error: DJANGO_SETTINGS_MODULE: no such module; one of "
    )
    assert PRODUCTION_SETTINGS in line
    assert line.endswith(f"or a module of yours (got {missing!r})")


@pytest.fixture
def empty_postgres_database() -> Iterator[dict[str, str]]:
    """Connection parameters of a new, empty database on the tests' PostgreSQL server
    (dropped afterwards); skips without one."""
    server = settings.DATABASES["default"]
    if server["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("concurrent starts are a PostgreSQL concern (DATABASE_URL unset)")
    params = {
        "host": str(server["HOST"] or "localhost"),
        "port": str(server["PORT"] or 5432),
        "user": str(server["USER"]),
        "password": str(server["PASSWORD"] or ""),
    }
    admin_conninfo = make_conninfo(dbname=server["NAME"], **params)
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**params, "dbname": name}
    finally:
        with psycopg.connect(admin_conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_started_side_by_side_apply_once(
    empty_postgres_database: dict[str, str], tmp_path: Path
) -> None:
    """As replicas starting at once do: each `django-admin migrate --noinput` waits
    for the advisory lock, so one applies the migrations and the others find them
    done (without the lock they would collide on CREATE TABLE)."""
    params = empty_postgres_database
    user, password = quote(params["user"], safe=""), quote(params["password"], safe="")
    url = (
        f"postgresql://{user}:{password}"
        f"@{params['host']}:{params['port']}/{params['dbname']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": url,
        "SENTRY_DSN": "",
    }
    command = [sys.executable, "-m", "django", "migrate", "--noinput"]
    with psycopg.connect(make_conninfo(**params), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        runs = [
            subprocess.Popen(
                command, cwd=tmp_path, env=env, stdout=PIPE, stderr=STDOUT, text=True
            )
            for _ in range(SIDE_BY_SIDE)
        ]
        try:
            wait_until_each_waits(runs, lambda: waiting_for_advisory_locks(holder))
        finally:
            holder.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
        outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [0] * SIDE_BY_SIDE, outputs
    applied = sum(output.count("Applying accounts.0001_initial") for output in outputs)
    assert applied == 1, outputs
    assert sum("No migrations to apply" in output for output in outputs) == 1, outputs


def test_migrate_writes_json_lines_in_production(tmp_path: Path) -> None:
    """As the `migrate` service runs it: with LOG_FORMAT=json (staging and
    production), every line on stdout is JSON, the command's own output included."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SENTRY_DSN": "",
    }
    command = [sys.executable, "-m", "django", "migrate", "--noinput"]
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    events = [line["event"] for line in lines if line["logger"] == "django.migrate"]
    assert "Applying accounts.0001_initial... OK" in events, result.stdout


def waiting_for_advisory_locks(holder: psycopg.Connection) -> int:
    row = holder.execute(WAITING).fetchone()
    return int(row[0]) if row else 0


def test_an_unreachable_database_stops_the_migration_in_one_line(
    tmp_path: Path,
) -> None:
    """No traceback: the variable to fix and the driver's reason, never the password."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": "postgresql://app:not-this-password@127.0.0.1:1/app",
        "SENTRY_DSN": "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "CommandError: Database error (DATABASE_URL): " in result.stderr
    assert "127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "not-this-password" not in result.stdout + result.stderr
