"""ASGI entry point:
`uvicorn {{ cookiecutter.project_slug }}.config.asgi:application`.
"""

import os
from typing import Any

from django.core.asgi import get_asgi_application

{% if cookiecutter.alerts != "none" -%}
from ..core.alerts import count_requests
{% endif -%}
from ..core.sentry import close_sentry, init_sentry
from ..request_limits import RequestLimits
from . import default_settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())
# In the entry points, not in the settings: Celery's Django fix-up imports the
# settings in the worker too, which starts Sentry as the worker.
init_sentry()


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
application = {% if cookiecutter.alerts != "none" %}count_requests(RequestLimits(answer_lifespan(get_asgi_application()))){% else %}RequestLimits(answer_lifespan(get_asgi_application())){% endif %}
