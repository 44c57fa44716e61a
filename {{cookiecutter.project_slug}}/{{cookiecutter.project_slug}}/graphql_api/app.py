"""The Starlette application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from {{ cookiecutter.project_slug }}.core.sentry import close_sentry, init_sentry
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.db import create_tables

from .context import GraphQLWithContext
{%- if cookiecutter.worker != "none" %}
from .routes import health, queue_order, trigger_error
{%- else %}
from .routes import health, trigger_error
{%- endif %}
from .schema import build_schema


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    create_tables()
    yield
    close_sentry()  # Flush queued events before the process exits.


def create_app() -> Starlette:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    init_sentry()  # Before the schema is built: the integration extends it.
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/api/v1/test/error", trigger_error, methods=["POST"]),
{%- if cookiecutter.worker != "none" %}
            Route("/api/v1/tasks/orders", queue_order, methods=["POST"]),
{%- endif %}
            Route("/graphql", GraphQLWithContext(build_schema())),
        ],
        lifespan=lifespan,
    )
