"""/health and the test-error endpoint, mapped onto the shared core."""

from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from {{ cookiecutter.project_slug }}.core.diagnostics import (
    ErrorKind,
    SentryTestError,
    describe,
    trigger_test_error,
)
from {{ cookiecutter.project_slug }}.core.sentry import (
    capture_exception,
    sentry_status,
)
from {{ cookiecutter.project_slug }}.core.settings import get_settings
{%- if cookiecutter.worker != "none" %}
from {{ cookiecutter.project_slug }}.worker.enqueue import enqueue_order
{%- endif %}

from .http import ClientError, json_body


# No unsafe method reaches it: a POST is answered 405, not the CSRF check's 403.
@csrf_exempt
@require_safe  # GET, and HEAD for uptime monitors.
def health(request: HttpRequest) -> JsonResponse:
    try:
        connection.ensure_connection()
        state, status = "ok", 200
    except Exception:
        state, status = "degraded", 503
    return JsonResponse({"status": state, "sentry": sentry_status()}, status=status)


@csrf_exempt  # A JSON API authenticated by bearer tokens, not by cookies.
@require_POST
def trigger_error(request: HttpRequest) -> JsonResponse:
    if get_settings().environment == "production":
        raise Http404
    body = json_body(request)
    try:
        kind = ErrorKind(body.get("error_type", ErrorKind.EXCEPTION))
    except ValueError:
        raise ClientError(422, "error_type must be one of " + _kinds()) from None
    message = body.get("message")
    if message is not None and not isinstance(message, str):
        raise ClientError(422, "message must be a string")
    if kind is ErrorKind.HTTP:
        # Django has no HTTP 500 exception: report the error, answer 500.
        capture_exception(SentryTestError(describe("Test HTTP error", message)))
        return JsonResponse({"detail": "Test HTTP error"}, status=500)
    return JsonResponse(trigger_test_error(kind, message, execute_sql=_execute_sql))


def _execute_sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _kinds() -> str:
    return ", ".join(kind.value for kind in ErrorKind)
{%- if cookiecutter.worker != "none" %}


@csrf_exempt
@require_POST
async def queue_order(request: HttpRequest) -> JsonResponse:
    """Queue the example background job; its events carry the user who queued it."""
    body = json_body(request)
    order_id, email = body.get("order_id"), body.get("email")
    if not isinstance(order_id, str) or not isinstance(email, str):
        raise ClientError(422, "order_id and email must be strings")
    user = await request.auser()
    user_id = str(user.pk) if user.is_authenticated else None
    fail = body.get("fail", False)
    if not isinstance(fail, bool):  # bool("no") is True: never guess.
        raise ClientError(422, "fail must be true or false")
    task_id = await enqueue_order(order_id, email, fail, user_id=user_id)
    return JsonResponse({"task_id": task_id}, status=202)
{%- endif %}
