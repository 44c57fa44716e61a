"""What `POST /api/v1/test/error` does, the same for every framework.

The framework glue maps the request to `trigger_test_error` and, for "http", raises its
own HTTP 500 error; everything else happens here.
"""

from enum import StrEnum
from typing import Any

from .sentry import capture_exception, capture_message


class ErrorKind(StrEnum):
    EXCEPTION = "exception"
    HTTP = "http"
    CAPTURE = "capture"
    MESSAGE = "message"
    ZERO = "zero"


class SentryTestError(RuntimeError):
    """Raised on purpose to prove that unhandled errors reach Sentry."""


def describe(base: str, message: str | None) -> str:
    return f"{base}: {message}" if message else base


def trigger_test_error(kind: ErrorKind, message: str | None = None) -> dict[str, Any]:
    """Report or raise one kind of test error; return the reply for handled kinds."""
    if kind is ErrorKind.EXCEPTION:
        raise SentryTestError(describe("Test exception for Sentry", message))
    if kind is ErrorKind.ZERO:
        return {"result": 1 / 0}
    if kind is ErrorKind.CAPTURE:
        error = SentryTestError(describe("Test captured exception", message))
        return {"event_id": capture_exception(error, test_error_type=kind.value)}
    if kind is ErrorKind.MESSAGE:
        text = describe("Test message", message)
        return {"event_id": capture_message(text, level="error")}
    raise ValueError(f"{kind} is handled by the framework glue")
