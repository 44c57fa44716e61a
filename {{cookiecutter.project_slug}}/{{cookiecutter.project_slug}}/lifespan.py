"""Start-up and shutdown shared by the ASGI frameworks on SQLAlchemy.

The app never creates its tables: the migrations do, before it starts
(`python -m {{ cookiecutter.project_slug }}.migrate`, see `migrate.py`).
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sentry_sdk

from .core.logs import configure_logging
from .core.sentry import close_sentry
from .core.settings import read_settings
from .features import Settings, start_sentry
from .migrate import unapplied_revisions


def start() -> None:
    """Every setting checked (`SettingsError` names a bad one), then the logs
    (core/logs.py) and
    Sentry: before the app is built, so that the integrations see all of it."""
    settings = read_settings(Settings)
    configure_logging(settings)
    start_sentry()


def warn_about_unapplied_migrations() -> None:
    """In development, say in one line that the database lacks revisions, instead
    of leaving it to each request's "no such table" error. Elsewhere the deployment
    migrates first (the `migrate` service or init container)."""
    settings = read_settings(Settings)
    if settings.environment != "development":
        return
    # A scope of its own: the queries are no breadcrumbs of the first request's events.
    with sentry_sdk.isolation_scope():
        unapplied = unapplied_revisions(settings.database_url)
    if unapplied:
        logging.getLogger(__name__).warning(
            "%d unapplied migration(s): run `python -m %s.migrate`"
            " (requests that use the database fail until then)",
            unapplied,
            __package__,
        )


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    await asyncio.to_thread(warn_about_unapplied_migrations)
    yield
    close_sentry()  # Flush queued events before the process exits.
