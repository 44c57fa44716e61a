"""Bring the database schema up to date:

    python -m {{ cookiecutter.project_slug }}.migrate

The one migration command of every deployment (the compose files' `migrate`
service, the README's first command): Alembic's `upgrade head` with the revisions
shipped inside this package (`migrations/versions/`), so it needs nothing but the
installed package and runs from any directory. The database is DATABASE_URL's, as
for the app; a bad setting stops it in one line (exit status 3), and so does a
database it cannot reach (exit status 1, the driver's reason, never the password).

Runs started side by side (replicas, a deploy job beside a restart) are safe: each
holds a PostgreSQL advisory lock while it migrates (see `migrations/env.py`), so
one applies the revisions and the others then find nothing left to do.
"""

import logging
import sys

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from .core.logs import configure_logging
from .db import engine_url
from .features import settings_or_exit

# A package resource, not a path: found wherever the package is installed.
SCRIPT_LOCATION = "{{ cookiecutter.project_slug }}:migrations"
# The PostgreSQL advisory lock every run holds while it migrates: any fixed number,
# the same in every process of this service.
MIGRATION_LOCK_KEY = 5_170_322_118


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for this package's revisions.

    With ``connection``, the revisions run on it (inside its transaction) instead of
    on a connection to DATABASE_URL of their own.
    """
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply every revision up to ``revision`` to the database at ``database_url``
    (sqlite:// or postgresql://), each one once."""
    engine = create_engine(engine_url(database_url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def unapplied_revisions(database_url: str) -> int | None:
    """How many revisions `upgrade` would apply to the database at ``database_url``;
    None when it cannot be reached."""
    script = ScriptDirectory.from_config(alembic_config())
    engine = create_engine(engine_url(database_url), poolclass=NullPool)
    # Without Alembic's "Context impl ..." lines: nothing is migrated here.
    alembic_log = logging.getLogger("alembic.runtime.migration")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except OperationalError:
        return None
    finally:
        alembic_log.setLevel(level)
        engine.dispose()
    return len(list(script.iterate_revisions("heads", current or "base")))


def main() -> None:
    settings = settings_or_exit()
    configure_logging(settings)
    try:
        upgrade(settings.database_url)
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0]
        sys.exit(f"Database error (DATABASE_URL): {reason}")


if __name__ == "__main__":
    main()
