"""Start-up and shutdown shared by the ASGI frameworks (FastAPI, Starlette)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .core.sentry import close_sentry, init_sentry
from .core.settings import get_settings
from .db import create_tables


def start() -> None:
    """Logging and Sentry: before the app is built, so integrations see all of it."""
    logging.basicConfig(level=get_settings().log_level)
    init_sentry()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    create_tables()
    yield
    close_sentry()  # Flush queued events before the process exits.
