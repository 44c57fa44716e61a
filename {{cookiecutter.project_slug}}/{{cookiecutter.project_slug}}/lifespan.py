"""Start-up and shutdown shared by the ASGI frameworks on SQLAlchemy."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .core.sentry import close_sentry
from .core.settings import read_settings
from .db import create_tables
from .features import Settings, start_sentry


def start() -> None:
    """Every setting checked (`SettingsError` names a bad one), then logging and
    Sentry: before the app is built, so that the integrations see all of it."""
    settings = read_settings(Settings)
    logging.basicConfig(level=settings.log_level)
    start_sentry()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    create_tables()
    yield
    close_sentry()  # Flush queued events before the process exits.
