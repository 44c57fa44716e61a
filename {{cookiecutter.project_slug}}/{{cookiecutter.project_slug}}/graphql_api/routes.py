"""/health, the test-error endpoint and the REST errors, mapped onto the shared core.

Every answer is JSON, client mistakes included: 400 for a body that is not JSON,
415 for another media type, 422 for JSON that does not say what the route needs.
"""

import json
from typing import Any

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
from {{ cookiecutter.project_slug }}.media_types import is_json
from {{ cookiecutter.project_slug }}.server_errors import server_error
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
    body = await json_object(request)
    try:
        kind = ErrorKind(body.get("error_type", ErrorKind.EXCEPTION))
    except ValueError:
        kinds = ", ".join(kind.value for kind in ErrorKind)
        raise HTTPException(422, detail=f"error_type must be one of {kinds}") from None
    message = body.get("message")
    if message is not None and not _text(message):
        raise HTTPException(
            422, detail="message must be a string without NUL or lone surrogates"
        )
    if kind is ErrorKind.HTTP:
        raise HTTPException(500, detail=describe("Test HTTP error", message))
    return JSONResponse(trigger_test_error(kind, message, execute_sql=execute_sql))
{%- if cookiecutter.worker != "none" %}


async def queue_order(request: Request) -> JSONResponse:
    """Queue the example background job; its events carry the user who queued it."""
    body = await json_object(request)
    order_id, email = body.get("order_id"), body.get("email")
    if not isinstance(order_id, str) or not isinstance(email, str):
        raise HTTPException(422, detail="order_id and email must be strings")
    user_id = request.user.identity if request.user.is_authenticated else None
    fail = body.get("fail", False)
    if not isinstance(fail, bool):  # bool("no") is True: never guess.
        raise HTTPException(422, detail="fail must be true or false")
    task_id = await enqueue_order(order_id, email, fail, user_id=user_id)
    return JSONResponse({"task_id": task_id}, status_code=202)
{%- endif %}


def _text(value: object) -> bool:
    """A string every framework of the template takes: no NUL, which PostgreSQL
    refuses, and no lone surrogate (JSON's "\\ud800"), which is no character."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def json_object(request: Request) -> dict[str, Any]:
    """The request's body, a JSON object; HTTPException (4xx) for anything else."""
    if not is_json(request.headers.get("content-type")):
        raise HTTPException(
            415, detail="send the body as JSON (Content-Type: application/json)"
        )
    raw = await request.body()
    if not raw:
        raise HTTPException(422, detail="a JSON object body is required")
    try:
        body = json.loads(raw)
    # Malformed JSON and invalid UTF-8 alike; nesting too deep for the parser too.
    except (ValueError, RecursionError):
        raise HTTPException(400, detail="the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(422, detail="the body must be a JSON object")
    return body


async def http_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's HTTP errors (404, 405, the routes' own) as JSON (registered for
    HTTPException; Starlette types handlers for any exception)."""
    if not isinstance(error, HTTPException):
        raise error
    return JSONResponse(
        {"detail": error.detail}, status_code=error.status_code, headers=error.headers
    )


EXCEPTION_HANDLERS = {HTTPException: http_error, Exception: server_error}
