"""The FastAPI application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from {{ cookiecutter.project_slug }} import __version__
from {{ cookiecutter.project_slug }}.core.sentry import close_sentry, init_sentry
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.db import create_tables

from .middleware import SentryUserMiddleware
{%- if cookiecutter.worker != "none" %}
from .routes import auth, diagnostics, health, tasks
{%- else %}
from .routes import auth, diagnostics, health
{%- endif %}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    create_tables()
    yield
    close_sentry()  # Flush queued events before the process exits.


def create_app() -> FastAPI:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    init_sentry()
    app = FastAPI(
        title="{{ cookiecutter.project_name }}",
        version=__version__,
        lifespan=lifespan,
    )
    app.add_middleware(SentryUserMiddleware)
    app.include_router(health.router)
    app.include_router(auth.router, prefix="/api/v1/auth", tags=["auth"])
    app.include_router(diagnostics.router, prefix="/api/v1/test", tags=["diagnostics"])
{%- if cookiecutter.worker != "none" %}
    app.include_router(tasks.router, prefix="/api/v1/tasks", tags=["tasks"])
{%- endif %}
    return app
