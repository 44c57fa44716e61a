"""Start-up and shutdown shared by the ASGI frameworks (FastAPI, Starlette).

The app never creates its tables: the migrations do, before it starts
(`python -m {{ cookiecutter.project_slug }}.migrate`, see `migrate.py`).
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .core.sentry import close_sentry, init_sentry
from .core.settings import get_settings


def start() -> None:
    """Logging and Sentry: before the app is built, so integrations see all of it."""
    logging.basicConfig(level=get_settings().log_level)
    init_sentry()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    yield
    close_sentry()  # Flush queued events before the process exits.
