"""What `POST /api/v1/test/error` does, the same for every framework.

The framework glue maps the request to `trigger_test_error` and, for "http", raises its
own HTTP 500 error; everything else happens here. The kinds named after the error
categories of `fingerprints` raise what a real failure of that kind raises, so that
their grouping can be seen end to end.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from .errors import (
    AuthenticationError,
    ExternalServiceError,
    RateLimitError,
    ValidationError,
)
from .sentry import capture_exception, capture_message

# A query every database rejects: the table never exists.
FAILING_QUERY = "SELECT id FROM sentry_test_missing_table"


class ErrorKind(StrEnum):
    EXCEPTION = "exception"
    HTTP = "http"
    CAPTURE = "capture"
    MESSAGE = "message"
    ZERO = "zero"
    DATABASE = "database"
    AUTHENTICATION = "authentication"
    EXTERNAL_SERVICE = "external_service"
    RATE_LIMIT = "rate_limit"
    VALIDATION = "validation"


class SentryTestError(RuntimeError):
    """Raised on purpose to prove that unhandled errors reach Sentry."""


def describe(base: str, message: str | None) -> str:
    return f"{base}: {message}" if message else base


# The unhandled errors, by kind: each makes a 500 answer and one event.
_RAISED: dict[ErrorKind, Callable[[str | None], Exception]] = {
    ErrorKind.EXCEPTION: lambda message: SentryTestError(
        describe("Test exception for Sentry", message)
    ),
    ErrorKind.AUTHENTICATION: lambda message: AuthenticationError(
        describe("Test authentication error", message)
    ),
    ErrorKind.EXTERNAL_SERVICE: lambda message: ExternalServiceError(
        "payments", describe("Test upstream error", message)
    ),
    ErrorKind.RATE_LIMIT: lambda message: RateLimitError(
        "test-error", describe("Test rate limit", message)
    ),
    ErrorKind.VALIDATION: lambda message: ValidationError(
        describe("Test validation error", message)
    ),
}


def trigger_test_error(
    kind: ErrorKind,
    message: str | None = None,
    *,
    execute_sql: Callable[[str], object],
) -> dict[str, Any]:
    """Report or raise one kind of test error; return the reply for handled kinds.

    `execute_sql` runs a statement on the service's own database connection, so that
    the database error is the driver's own, with its query span.
    """
    if kind in _RAISED:
        raise _RAISED[kind](message)
    if kind is ErrorKind.DATABASE:
        execute_sql(FAILING_QUERY)
        raise SentryTestError(f"{FAILING_QUERY!r} did not fail")
    if kind is ErrorKind.ZERO:
        return {"result": 1 / 0}
    if kind is ErrorKind.CAPTURE:
        error = SentryTestError(describe("Test captured exception", message))
        return {"event_id": capture_exception(error, test_error_type=kind.value)}
    if kind is ErrorKind.MESSAGE:
        text = describe("Test message", message)
        return {"event_id": capture_message(text, level="error")}
    raise ValueError(f"{kind} is handled by the framework glue")
