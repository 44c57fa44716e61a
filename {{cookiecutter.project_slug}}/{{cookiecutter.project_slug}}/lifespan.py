"""Start-up and shutdown shared by the ASGI frameworks on SQLAlchemy.

The app never creates its tables: the migrations do, before it starts
(`python -m {{ cookiecutter.project_slug }}.migrate`, see `migrate.py`).
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .core.sentry import close_sentry
from .core.settings import read_settings
from .features import Settings, start_sentry


def start() -> None:
    """Every setting checked (`SettingsError` names a bad one), then logging and
    Sentry: before the app is built, so that the integrations see all of it."""
    settings = read_settings(Settings)
    logging.basicConfig(level=settings.log_level)
    start_sentry()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    yield
    close_sentry()  # Flush queued events before the process exits.
