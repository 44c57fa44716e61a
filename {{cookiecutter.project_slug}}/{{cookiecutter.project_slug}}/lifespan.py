"""Start-up and shutdown shared by the ASGI frameworks on SQLAlchemy.

The app never creates its tables: the migrations do, before it starts
(`python -m {{ cookiecutter.project_slug }}.migrate`, see `migrate.py`).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .core.logs import configure_logging
from .core.sentry import close_sentry
from .core.settings import read_settings
from .features import Settings, start_sentry


def start() -> None:
    """Every setting checked (`SettingsError` names a bad one), then the logs
    (core/logs.py) and
    Sentry: before the app is built, so that the integrations see all of it."""
    settings = read_settings(Settings)
    configure_logging(settings)
    start_sentry()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    yield
    close_sentry()  # Flush queued events before the process exits.
