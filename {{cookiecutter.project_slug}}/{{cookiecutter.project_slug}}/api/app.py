"""The FastAPI application factory."""

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.middleware.authentication import AuthenticationMiddleware

from {{ cookiecutter.project_slug }} import __version__
from {{ cookiecutter.project_slug }}.authentication import BearerTokenBackend
from {{ cookiecutter.project_slug }}.lifespan import lifespan, start
from {{ cookiecutter.project_slug }}.request_limits import RequestLimits

from .errors import validation_failed
{%- if cookiecutter.worker != "none" %}
from .routes import auth, diagnostics, health, tasks
{%- else %}
from .routes import auth, diagnostics, health
{%- endif %}


def create_app() -> FastAPI:
    start()
    app = FastAPI(
{{ cookiecutter.project_name | python_argument("title") }}
        version=__version__,
        lifespan=lifespan,
    )
    # The last added runs first: the limits, then who the request is.
    app.add_middleware(AuthenticationMiddleware, backend=BearerTokenBackend())
    app.add_middleware(RequestLimits)
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.include_router(health.router)
    app.include_router(auth.router, prefix="/api/v1/auth", tags=["auth"])
    app.include_router(diagnostics.router, prefix="/api/v1/test", tags=["diagnostics"])
{%- if cookiecutter.worker != "none" %}
    app.include_router(tasks.router, prefix="/api/v1/tasks", tags=["tasks"])
{%- endif %}
    return app
