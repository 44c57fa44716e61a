"""/health and the test-error endpoint, mapped onto the shared core."""

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from {{ cookiecutter.project_slug }}.core.diagnostics import (
    ErrorKind,
    describe,
    trigger_test_error,
)
from {{ cookiecutter.project_slug }}.core.sentry import sentry_status
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.db import database_ok, execute_sql
{%- if cookiecutter.worker != "none" %}
from {{ cookiecutter.project_slug }}.worker.enqueue import enqueue_order
{%- endif %}


async def health(request: Request) -> JSONResponse:
    ok = await run_in_threadpool(database_ok)
    return JSONResponse(
        {"status": "ok" if ok else "degraded", "sentry": sentry_status()},
        status_code=200 if ok else 503,
    )


async def trigger_error(request: Request) -> JSONResponse:
    if get_settings().environment == "production":
        raise HTTPException(404)
    try:
        body = await request.json()
        kind = ErrorKind(body.get("error_type", ErrorKind.EXCEPTION))
    except (ValueError, AttributeError):
        kinds = ", ".join(kind.value for kind in ErrorKind)
        return JSONResponse(
            {"detail": f"error_type must be one of {kinds}"}, status_code=422
        )
    message = body.get("message")
    if kind is ErrorKind.HTTP:
        raise HTTPException(500, detail=describe("Test HTTP error", message))
    return JSONResponse(trigger_test_error(kind, message, execute_sql=execute_sql))
{%- if cookiecutter.worker != "none" %}


async def queue_order(request: Request) -> JSONResponse:
    """Queue the example background job."""
    try:
        body = await request.json()
        order_id, email = str(body["order_id"]), str(body["email"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"detail": "order_id and email needed"}, status_code=422)
    task_id = await enqueue_order(order_id, email, bool(body.get("fail", False)))
    return JSONResponse({"task_id": task_id}, status_code=202)
{%- endif %}
