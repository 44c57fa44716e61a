"""The FastAPI application factory."""

from fastapi import FastAPI

from {{ cookiecutter.project_slug }} import __version__
from {{ cookiecutter.project_slug }}.lifespan import lifespan, start

from .middleware import SentryUserMiddleware
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
    app.add_middleware(SentryUserMiddleware)
    app.include_router(health.router)
    app.include_router(auth.router, prefix="/api/v1/auth", tags=["auth"])
    app.include_router(diagnostics.router, prefix="/api/v1/test", tags=["diagnostics"])
{%- if cookiecutter.worker != "none" %}
    app.include_router(tasks.router, prefix="/api/v1/tasks", tags=["tasks"])
{%- endif %}
    return app
