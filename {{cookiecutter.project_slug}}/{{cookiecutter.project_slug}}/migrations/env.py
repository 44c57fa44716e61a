"""Alembic's environment: the connection every revision runs on.

`python -m {{ cookiecutter.project_slug }}.migrate` hands its own connection in
(`config.attributes["connection"]`); the `alembic` command line (configured in
pyproject.toml's `[tool.alembic]`) connects to DATABASE_URL, as the app does.

On PostgreSQL each run first takes an advisory lock held until its transaction ends:
runs started side by side apply the revisions one after the other, and the later
ones find the schema already current. `alembic upgrade head --sql` writes the SQL
instead of running it.
"""

import warnings

from alembic import context
from sqlalchemy import Connection, text

from {{ cookiecutter.project_slug }}.core.logs import configure_logging
from {{ cookiecutter.project_slug }}.db import engine_url, get_engine
from {{ cookiecutter.project_slug }}.features import settings_or_exit
from {{ cookiecutter.project_slug }}.migrate import MIGRATION_LOCK_KEY
from {{ cookiecutter.project_slug }}.models import Base

config = context.config
target_metadata = Base.metadata
# SQLite cannot read back expression-based indexes (models.py's case-insensitive
# unique ones): autogenerate compares them on PostgreSQL and, here, skips them quietly.
warnings.filterwarnings("ignore", message=".*expression-based index")


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: autogenerate batch operations for it.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": MIGRATION_LOCK_KEY},
            )
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    settings_or_exit()  # A bad setting: one line, exit status 3.
    with get_engine().connect() as own_connection:
        run_migrations(own_connection)


def run_offline() -> None:
    context.configure(
        url=engine_url(settings_or_exit().database_url),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if config.cmd_opts is not None:  # The `alembic` command line: show its progress.
    configure_logging(settings_or_exit())

if context.is_offline_mode():
    run_offline()
else:
    run_online()
