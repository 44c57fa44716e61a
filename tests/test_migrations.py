"""The SQLAlchemy frameworks' Alembic migrations, on PostgreSQL, in synced bakes.

- `alembic upgrade head`, `alembic check` (no drift between the models and the
  revisions) and `alembic downgrade base`, with the `alembic` command line a
  developer uses (`[tool.alembic]` in the project's pyproject.toml);
- the production compose file's `migrate` command, for every framework, with the
  package installed as the image installs it (`uv sync --locked --no-dev
  --no-editable` into a venv of its own) and run from an empty directory: the
  migrations travel inside the package.

Each test works on a database (and role) of its own on the PostgreSQL server of
DATABASE_URL; skipped when DATABASE_URL names none.
"""

from __future__ import annotations

import os
import secrets
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import Database
from tests.helpers.combos import Combo, framework_worker_combos
from tests.helpers.compose import migration_command, resolved_services
from tests.helpers.project import PROJECT_PYTHON, project_env, uv
from tests.helpers.tools import expect_success, output, run

pytestmark = pytest.mark.slow

COMBOS = {
    combo.answer("framework"): combo
    for combo in framework_worker_combos()
    if combo.answer("worker") == "none"
}
SQLALCHEMY = ["fastapi", "starlette-graphql"]
SCHEMA = {"alembic_version", "users", "revoked_tokens"}
PROD_ENV = {
    "SENTRY_DSN": "https://public@sentry.example.com/1",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "POSTGRES_PASSWORD": "unused-here",
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
    "DOMAIN": "api.example.com",
}


def params(frameworks: list[str]) -> list[object]:
    return [
        pytest.param(
            COMBOS[framework],
            id=framework,
            marks=pytest.mark.xdist_group(f"migrations-{framework}"),
        )
        for framework in frameworks
    ]


@pytest.fixture
def database() -> Iterator[Database]:
    admin_url = os.environ.get("DATABASE_URL", "")
    if not admin_url.startswith("postgres"):
        pytest.skip("DATABASE_URL does not name a PostgreSQL server")
    server_database = urllib.parse.urlsplit(admin_url).path.strip("/") or "postgres"
    database = Database(
        admin_url=admin_url,
        name=f"{server_database}_migrations_{secrets.token_hex(4)}",
        password=secrets.token_hex(8),
    )
    database.create()
    yield database
    database.drop()


def tables(database: Database) -> set[str]:
    """The tables of ``database``'s public schema."""
    query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    result = run(["psql", database.url(), "-At", "-c", query])
    expect_success(result)
    return set(result.stdout.split())


def alembic(project: Path, database: Database, *args: str) -> str:
    """`uv run alembic ...` in the project, on ``database``; its output."""
    env = project_env(DATABASE_URL=database.url())
    result = run([uv(), "run", "--locked", "alembic", *args], cwd=project, env=env)
    expect_success(result, f"alembic {' '.join(args)} failed")
    return result.stdout + result.stderr


@pytest.mark.parametrize("combo", params(SQLALCHEMY))
def test_upgrade_check_and_downgrade_on_postgresql(
    combo: Combo, synced_project: Callable[[Combo], Path], database: Database
) -> None:
    project = synced_project(combo)
    heads = alembic(project, database, "heads")
    (head,) = [line.split()[0] for line in heads.splitlines() if "(head)" in line]

    alembic(project, database, "upgrade", "head")
    assert tables(database) == SCHEMA
    assert f"{head} (head)" in alembic(project, database, "current")

    checked = alembic(project, database, "check")
    assert "No new upgrade operations detected" in checked, checked

    alembic(project, database, "downgrade", "base")
    assert tables(database) == {"alembic_version"}
    assert head not in alembic(project, database, "current")


@pytest.mark.parametrize("combo", params([*SQLALCHEMY, "django"]))
def test_the_production_migrate_command_runs_from_the_installed_package(
    combo: Combo,
    synced_project: Callable[[Combo], Path],
    database: Database,
    tmp_path: Path,
) -> None:
    project = synced_project(combo)
    venv = tmp_path / "venv"  # The image's /opt/venv.
    production = ["--locked", "--no-dev", "--no-editable", "--python", PROJECT_PYTHON]
    sync = run(
        [uv(), "sync", *production],
        cwd=project,
        env=project_env(UV_PROJECT_ENVIRONMENT=str(venv)),
    )
    expect_success(sync, "the production install failed")
    service = resolved_services(
        project,
        "docker-compose.prod.yml",
        {"PATH": os.environ["PATH"], **PROD_ENV},
    )["migrate"]
    env = {key: str(value) for key, value in service["environment"].items()}
    env |= {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": database.url(),
    }
    workdir = tmp_path / "app"  # Empty, like the image's /app.
    workdir.mkdir()

    result = run(migration_command(project), cwd=workdir, env=env)

    assert result.returncode == 0, output(result)
    where = f"import {combo.slug}; print({combo.slug}.__file__)"
    installed = run([str(venv / "bin" / "python"), "-c", where], cwd=workdir)
    assert str(venv) in installed.stdout, "the package is not installed in the venv"
    if combo.answer("framework") in SQLALCHEMY:
        assert tables(database) == SCHEMA
    else:
        assert {"auth_user", "django_migrations"} <= tables(database)
