"""Custom grouping for the error categories that matter."""

import sqlite3
from typing import Any

from {{ cookiecutter.project_slug }}.core.errors import (
    AuthenticationError,
    ExternalServiceError,
    RateLimitError,
    ValidationError,
)
from {{ cookiecutter.project_slug }}.core.fingerprints import fingerprint_event


def _fingerprint(
    error: BaseException, event: dict[str, Any] | None = None
) -> list[str] | None:
    event = event or {
        "transaction": "/api/v1/orders",
        "exception": {
            "values": [
                {
                    "stacktrace": {
                        "frames": [
                            {"module": "lib", "function": "inner", "in_app": False},
                            {"module": "app.orders", "function": "pay", "in_app": True},
                        ]
                    }
                }
            ]
        },
    }
    hint = {"exc_info": (type(error), error, None)}
    return fingerprint_event(event, hint).get("fingerprint")


def test_database_errors_group_by_statement_kind() -> None:
    error = sqlite3.OperationalError("database is locked")
    # As the ORMs attach it.
    error.statement = "SELECT * FROM users"  # type: ignore[attr-defined]
    assert _fingerprint(error) == [
        "database",
        "OperationalError",
        "SELECT",
        "/api/v1/orders",
    ]


def test_authentication_errors_group_by_function() -> None:
    assert _fingerprint(AuthenticationError("bad token")) == [
        "auth",
        "AuthenticationError",
        "app.orders.pay",
    ]


def test_external_service_errors_group_by_service() -> None:
    assert _fingerprint(ExternalServiceError("stripe", "timeout 1")) == [
        "external-service",
        "stripe",
    ]
    assert _fingerprint(ExternalServiceError("stripe", "timeout 2")) == [
        "external-service",
        "stripe",
    ]


def test_rate_limit_errors_group_by_endpoint() -> None:
    assert _fingerprint(RateLimitError("/api/v1/search")) == [
        "rate-limit",
        "/api/v1/search",
    ]


def test_validation_errors_group_by_function() -> None:
    assert _fingerprint(ValidationError("amount < 0")) == [
        "validation",
        "ValidationError",
        "app.orders.pay",
    ]


def test_other_errors_keep_default_grouping() -> None:
    assert _fingerprint(KeyError("x")) is None


def test_never_raises_on_odd_events() -> None:
    event = {"exception": "not a dict"}
    error = AuthenticationError("x")
    assert fingerprint_event(event, {"exc_info": (type(error), error, None)}) is event
    assert fingerprint_event({}, {}) == {}
