"""The Starlette application factory."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import Route

from {{ cookiecutter.project_slug }}.authentication import BearerTokenBackend
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.lifespan import lifespan, start
from {{ cookiecutter.project_slug }}.request_limits import RequestLimits

from .context import GraphQLWithContext
{%- if cookiecutter.worker != "none" %}
from .routes import EXCEPTION_HANDLERS, health, queue_order, trigger_error
{%- else %}
from .routes import EXCEPTION_HANDLERS, health, trigger_error
{%- endif %}
from .schema import build_schema


def create_app() -> Starlette:
    start()  # Before the schema is built: the Strawberry integration extends it.
    # GraphiQL (in the browser, from a CDN) and the schema's introspection show every
    # operation to anyone: development and staging only.
    explorable = get_settings().environment != "production"
    graphql = GraphQLWithContext(
        build_schema(introspection=explorable),
        graphql_ide="graphiql" if explorable else None,
    )
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/api/v1/test/error", trigger_error, methods=["POST"]),
{%- if cookiecutter.worker != "none" %}
            Route("/api/v1/tasks/orders", queue_order, methods=["POST"]),
{%- endif %}
            Route("/graphql", graphql),
        ],
        # In this order: the limits, then who the request is (every route).
        middleware=[
            Middleware(RequestLimits),
            Middleware(AuthenticationMiddleware, backend=BearerTokenBackend()),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
