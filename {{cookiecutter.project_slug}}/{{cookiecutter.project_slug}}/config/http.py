"""JSON in and out, for every view of the API.

`json_body(request)` reads the request's JSON object (or its form fields) and raises
`ClientError` for anything a client got wrong: 400 for a body that is not JSON, 413
past MAX_REQUEST_BODY_BYTES, 415 for another media type, 422 for JSON that is not
an object, no body at all, or text no database column holds (a NUL, which
PostgreSQL refuses, or a lone surrogate, which is no character).
`JsonErrorsMiddleware`, first in MIDDLEWARE, answers those and every error Django
answers itself (404, 405, a disallowed host, even the debug pages of development) in
JSON: `{"detail": ...}`. None is a Sentry event.
"""

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from {{ cookiecutter.project_slug }}.media_types import is_json, is_utf8, texts

Handler = Callable[[HttpRequest], HttpResponse]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Django's admin answers in HTML, as it should.
HTML_PREFIXES = ("/admin/",)


class ClientError(Exception):
    """A request the client got wrong: answered with `status` and `detail`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object, or its form fields (HTML forms post those)."""
    if not is_json(request.content_type) and request.content_type not in FORM_TYPES:
        raise ClientError(415, "send the body as JSON (Content-Type: application/json)")
    try:
        if request.content_type in FORM_TYPES:
            return storable(request.POST.dict())
        raw = request.body
    except RequestDataTooBig:
        raise ClientError(413, "the request body is too large") from None
    except (MultiPartParserError, SuspiciousOperation):
        raise ClientError(400, "the form body cannot be read") from None
    if not raw:
        raise ClientError(422, "a JSON object body is required")
    try:
        body = json.loads(raw)
    # Malformed JSON and invalid UTF-8 alike; nesting too deep for the parser too.
    except (ValueError, RecursionError):
        raise ClientError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ClientError(422, "the body must be a JSON object")
    return storable(body)


def storable(body: dict[str, Any]) -> dict[str, Any]:
    """`body`, when every text in it (keys too, at any depth) can be stored: no NUL
    (PostgreSQL's text cannot hold one), no lone surrogate."""
    if not all("\x00" not in text and is_utf8(text) for text in texts(body)):
        raise ClientError(422, "the body holds a NUL character or a lone surrogate")
    return body


class JsonErrorsMiddleware:
    """Every error answer of the API in JSON (see the module docstring)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
            or request.path.startswith(HTML_PREFIXES)
        ):
            return response
        # Django's own answer (or debug page): keep the status and what it allows.
        answer = JsonResponse(
            {"detail": reason(response.status_code)}, status=response.status_code
        )
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        # Django logs an error answer once, marking it logged: the new answer too, or
        # the request's handler would log it again.
        answer._has_been_logged = getattr(response, "_has_been_logged", False)  # type: ignore[attr-defined]
        return answer

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> JsonResponse | None:
        """A view's client error, answered here rather than by Django (which would
        log it as an error, and in development show its HTML debug page)."""
        status = client_error_status(exception)
        if status is None:
            return None
        # Only our own messages: Django's may quote what the client sent.
        if isinstance(exception, ClientError):
            return JsonResponse({"detail": exception.detail}, status=status)
        return JsonResponse({"detail": reason(status)}, status=status)


def client_error_status(exception: Exception) -> int | None:
    if isinstance(exception, ClientError):
        return exception.status
    if isinstance(exception, RequestDataTooBig):
        return 413
    if isinstance(exception, BadRequest | SuspiciousOperation):
        return 400
    if isinstance(exception, PermissionDenied):
        return 403
    if isinstance(exception, Http404):
        return 404
    return None


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
