"""Custom grouping: one issue per cause, not per message text.

Database errors group by exception and statement kind, authentication and validation
errors by the function that raised them, external-service errors by service and
rate-limit errors by endpoint. Other events keep Sentry's default grouping.
"""

from collections.abc import Callable
from typing import Any

from .errors import (
    AuthenticationError,
    ExternalServiceError,
    RateLimitError,
    ValidationError,
)

Event = dict[str, Any]
Rule = Callable[[BaseException, Event], list[str] | None]

# Matched by class name as well, so that libraries need not be importable here.
_DATABASE_ERROR_NAMES = {
    "DatabaseError",
    "OperationalError",
    "IntegrityError",
    "ProgrammingError",
    "InterfaceError",
    "DataError",
}
_AUTH_ERROR_NAMES = {
    "AuthenticationError",
    "AuthenticationFailed",
    "NotAuthenticated",
    "PermissionDenied",
    "InvalidTokenError",
    "ExpiredSignatureError",
}
_EXTERNAL_ERROR_NAMES = {"ConnectError", "ConnectTimeout", "ReadTimeout", "HTTPError"}
_VALIDATION_ERROR_NAMES = {"ValidationError", "RequestValidationError"}
_STATEMENT_KINDS = ("SELECT", "INSERT", "UPDATE", "DELETE")


def fingerprint_event(event: Event, hint: dict[str, Any]) -> Event:
    """Set `event["fingerprint"]` when a rule knows the exception; never raises."""
    error = _exception(hint)
    if error is None or "fingerprint" in event:
        return event
    try:
        for rule in _RULES:
            fingerprint = rule(error, event)
            if fingerprint:
                event["fingerprint"] = fingerprint
                break
    except Exception:
        pass  # Default grouping is a fine fallback; never lose the event.
    return event


def _exception(hint: dict[str, Any]) -> BaseException | None:
    exc_info = hint.get("exc_info") if hint else None
    if exc_info and isinstance(exc_info[1], BaseException):
        return exc_info[1]
    return None


def _names(error: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(error).__mro__}


def _database(error: BaseException, event: Event) -> list[str] | None:
    # PEP 249: every database error derives from a DatabaseError, in the drivers
    # and in the ORMs that wrap their errors alike.
    names = _names(error)
    if "DatabaseError" not in names or not names & _DATABASE_ERROR_NAMES:
        return None
    statement = str(getattr(error, "statement", "") or "").lstrip().upper()
    kind = next((k for k in _STATEMENT_KINDS if statement.startswith(k)), "query")
    return ["database", type(error).__name__, kind, _transaction(event)]


def _authentication(error: BaseException, event: Event) -> list[str] | None:
    if isinstance(error, AuthenticationError) or _names(error) & _AUTH_ERROR_NAMES:
        return ["auth", type(error).__name__, _function(event)]
    return None


def _external_service(error: BaseException, event: Event) -> list[str] | None:
    if isinstance(error, ExternalServiceError):
        return ["external-service", error.service]
    module = type(error).__module__
    if module.startswith(("httpx", "requests", "urllib3")) and (
        _names(error) & _EXTERNAL_ERROR_NAMES
    ):
        return ["external-service", _host(error) or type(error).__name__]
    return None


def _rate_limit(error: BaseException, event: Event) -> list[str] | None:
    if isinstance(error, RateLimitError):
        return ["rate-limit", error.endpoint]
    if getattr(error, "status_code", None) == 429:
        return ["rate-limit", _transaction(event)]
    return None


def _validation(error: BaseException, event: Event) -> list[str] | None:
    if isinstance(error, ValidationError) or _names(error) & _VALIDATION_ERROR_NAMES:
        return ["validation", type(error).__name__, _function(event)]
    return None


def _transaction(event: Event) -> str:
    return str(event.get("transaction") or "unknown")


def _function(event: Event) -> str:
    """The innermost in-app frame's function: where the error was raised from."""
    for value in reversed(event.get("exception", {}).get("values", [])):
        frames = (value.get("stacktrace") or {}).get("frames") or []
        in_app = [frame for frame in frames if frame.get("in_app")] or frames
        if in_app:
            frame = in_app[-1]
            return f"{frame.get('module', '?')}.{frame.get('function', '?')}"
    return "unknown"


def _host(error: BaseException) -> str | None:
    request = getattr(error, "request", None)
    url = getattr(request, "url", None)
    host = getattr(url, "host", None)
    return str(host) if host else None


# Order matters: the first rule that recognises the exception wins.
_RULES: tuple[Rule, ...] = (
    _rate_limit,
    _database,
    _authentication,
    _external_service,
    _validation,
)
