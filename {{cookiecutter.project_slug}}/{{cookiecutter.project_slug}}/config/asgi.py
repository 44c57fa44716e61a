"""ASGI entry point:
`uvicorn {{ cookiecutter.project_slug }}.config.asgi:application`.
"""

from typing import Any

from django.core.asgi import get_asgi_application

from ..core.sentry import close_sentry
from ..features import wrap_asgi
from ..request_limits import RequestLimits
from .startup import start, warn_about_unapplied_migrations

start()


def answer_lifespan(app: Any) -> Any:
    """Django serves HTTP only; ASGI servers also open a "lifespan" scope, which
    Django refuses with an error (reported to Sentry at every start). Answer it
    here instead: nothing to start, and flush Sentry at shutdown."""

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                close_sentry()
                await send({"type": "lifespan.shutdown.complete"})
                return

    return application


# Outside Django: an oversized, endless or stalled request is answered before Django
# reads a byte of its body (Django would spool all of it first).
application = wrap_asgi(RequestLimits(answer_lifespan(get_asgi_application())))
warn_about_unapplied_migrations()
