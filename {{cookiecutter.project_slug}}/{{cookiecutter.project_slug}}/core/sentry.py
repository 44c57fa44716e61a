"""The one place that talks to the Sentry SDK.

Every framework calls `init_sentry()` at start-up and `close_sentry()` at shutdown; the
rest of the code reports through the helpers below (or the `ErrorTracker` facade), so
that scrubbing, grouping and sampling policy live here and nowhere else.
"""

import asyncio
import functools
import importlib.util
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.types import Event, Hint

from . import {% if cookiecutter.alerts != "none" %}alerts, {% endif %}scrubber
from .fingerprints import fingerprint_event
from .settings import Settings, get_settings

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# Transactions on these paths are never sent: probes would drown real traffic.
HEALTH_CHECK_PATHS = frozenset({"/health"})

# Per-route trace sample rates (path prefix -> rate), checked before the default rate.
ROUTE_TRACES_SAMPLE_RATES: dict[str, float] = {
    "/health": 0.0,
    "/api/v1/test/": 1.0,
}

# Noise from shutting down, never a bug worth an issue.
IGNORED_ERRORS: list[type[BaseException]] = [
    KeyboardInterrupt,
    SystemExit,
    GeneratorExit,
    asyncio.CancelledError,
]

# The SDK drops events once its queue is full; bursts of errors need room.
TRANSPORT_QUEUE_SIZE = 1000

_DROPPED_LOGGERS = frozenset({"django.security.DisallowedHost"})
_DROPPED_EXCEPTIONS = frozenset({"DisallowedHost"})

_state: dict[str, Any] = {"initialized": False, "service": "web"}


def init_sentry(service: str = "web", **overrides: Any) -> bool:
    """Initialise the SDK once from the settings; return whether Sentry is enabled.

    `overrides` are passed to `sentry_sdk.init` over the computed options (tests pass
    `transport`, workers pass their own `dsn`). Without a DSN this only logs.
    """
    if _state["initialized"]:
        return sentry_sdk.get_client().is_active()
    settings = get_settings()
    options = _options(settings, service) | overrides
    if not options.get("dsn"):
        logger.info("Sentry disabled: SENTRY_DSN is not set")
        return False
    scrubber.configure(
        settings.pii_mode,
        settings.extra_sensitive_keys,
        settings.sentry_send_default_pii,
    )
    sentry_sdk.init(**options)
{%- if cookiecutter.alerts != "none" %}
    alerts.init_alerts(settings)
{%- endif %}
    _state.update(initialized=True, service=service)
    sentry_sdk.get_global_scope().set_tag("service", service)
    logger.info("Sentry initialized for environment: %s", options["environment"])
    return True


def close_sentry(timeout: float = 2.0) -> None:
    """Flush what is queued and shut the client down (call at process exit)."""
    client = sentry_sdk.get_client()
    if client.is_active():
        client.close(timeout=timeout)  # Flushes first.
        sentry_sdk.get_global_scope().set_client(None)
{%- if cookiecutter.alerts != "none" %}
    alerts.close_alerts(timeout)
{%- endif %}
    _state["initialized"] = False


def capture_exception(error: BaseException, **context: Any) -> str | None:
    """Report `error` with `context` attached; return the event id."""
    with sentry_sdk.new_scope() as scope:
        if context:
            scope.set_context("details", context)
        return sentry_sdk.capture_exception(error)


def capture_message(message: str, level: str = "info", **context: Any) -> str | None:
    with sentry_sdk.new_scope() as scope:
        if context:
            scope.set_context("details", context)
        return sentry_sdk.capture_message(message, level=level)


def add_breadcrumb(
    message: str, category: str = "default", level: str = "info", **data: Any
) -> None:
    sentry_sdk.add_breadcrumb(
        message=message, category=category, level=level, data=data
    )


def start_transaction(name: str, op: str = "task") -> Any:
    """Start a transaction; use it as a context manager, add spans with start_child."""
    return sentry_sdk.start_transaction(name=name, op=op)


def monitor_performance(name: str) -> Callable[[F], F]:
    """Time a function as a span (or a transaction when none is running)."""

    def decorate(function: F) -> F:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with _span_or_transaction(name):
                    return await function(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _span_or_transaction(name):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def set_user_context(
    user_id: Any, username: str | None = None, email: str | None = None, **extra: Any
) -> None:
    """Attach the user to this request's events, as far as the PII mode allows."""
    user: dict[str, Any] = {"id": str(user_id)}
    if get_settings().pii_mode == "standard":
        user |= {"username": username, "email": email, **extra}
    sentry_sdk.set_user({key: value for key, value in user.items() if value})


def clear_user_context() -> None:
    sentry_sdk.set_user(None)


def set_context(name: str, data: dict[str, Any]) -> None:
    sentry_sdk.set_context(name, data)


def set_tag(key: str, value: str) -> None:
    sentry_sdk.set_tag(key, value)


def sentry_status() -> dict[str, Any]:
    """What /health shows: the effective configuration, never the DSN itself."""
    settings = get_settings()
    client = sentry_sdk.get_client()
    enabled = client.is_active()
    return {
        "enabled": enabled,
        "dsn_configured": settings.dsn is not None,
        "environment": client.options["environment"]
        if enabled
        else settings.resolved_environment,
        "release": client.options["release"] if enabled else settings.resolved_release,
        "sample_rate": settings.sample_rate,
        "traces_sample_rate": settings.traces_sample_rate,
    }


class ErrorTracker:
    """The same powers as the helpers, for code that prefers one object.

    `context` maps context names to dicts: {"payment": {"amount": 10}}.
    """

    @staticmethod
    def capture_exception(
        error: BaseException,
        context: dict[str, dict[str, Any]] | None = None,
        level: str = "error",
    ) -> str | None:
        with sentry_sdk.new_scope() as scope:
            scope.set_level(level)
            for name, data in (context or {}).items():
                scope.set_context(name, data)
            return sentry_sdk.capture_exception(error)

    @staticmethod
    def capture_message(
        message: str,
        level: str = "info",
        context: dict[str, dict[str, Any]] | None = None,
    ) -> str | None:
        with sentry_sdk.new_scope() as scope:
            for name, data in (context or {}).items():
                scope.set_context(name, data)
            return sentry_sdk.capture_message(message, level=level)

    @staticmethod
    def set_user(
        user_id: Any,
        email: str | None = None,
        username: str | None = None,
        **extra: Any,
    ) -> None:
        set_user_context(user_id, username=username, email=email, **extra)

    set_tag = staticmethod(set_tag)
    set_context = staticmethod(set_context)


def _options(settings: Settings, service: str) -> dict[str, Any]:
    dsn = settings.worker_dsn if service == "worker" else settings.dsn
    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": settings.resolved_environment,
        "release": settings.resolved_release,
        "sample_rate": settings.sample_rate,
        "debug": settings.debug,
        "attach_stacktrace": settings.sentry_attach_stacktrace,
        "include_local_variables": settings.include_local_variables,
        "max_breadcrumbs": settings.sentry_max_breadcrumbs,
        "integrations": _integrations(),
        "ignore_errors": IGNORED_ERRORS,
        "before_send": _before_send,
        "before_send_transaction": _before_send_transaction,
        "transport_queue_size": TRANSPORT_QUEUE_SIZE,
    }
    if settings.traces_sample_rate > 0:
        options["traces_sampler"] = _traces_sampler
    if settings.profiles_sample_rate > 0 and "traces_sampler" in options:
        options["profile_session_sample_rate"] = settings.profiles_sample_rate
        options["profile_lifecycle"] = "trace"
    if settings.sentry_send_default_pii:
        options["data_collection"] = data_collection(settings)
    return options


def data_collection(settings: Settings) -> dict[str, Any]:
    """What SENTRY_SEND_DEFAULT_PII=true turns on, and nothing more: the user the
    framework knows, the client's IP address (headers, REMOTE_ADDR) and cookies that are
    not sensitive. SQL parameters, task arguments, GraphQL documents, variables and
    responses and AI inputs stay off, as with the switch off, and frame variables follow
    SENTRY_INCLUDE_LOCAL_VARIABLES. (Setting `data_collection` at all makes the SDK
    drop its own EventScrubber: `scrub_event`, installed as before_send, does it all.)
    """
    return {
        "user_info": True,
        "cookies": {"mode": "denylist"},
        "http_headers": {"request": {"mode": "denylist"}},
        "url_query_params": {"mode": "denylist"},
        # Request bodies as without the switch; response bodies (GraphQL) never.
        "http_bodies": ["incoming_request", "outgoing_request"],
        "graphql": {"document": False, "variables": False},
        "gen_ai": {"inputs": False, "outputs": False},
        "database_query_data": False,
        "queues": False,
        "stack_frame_variables": settings.include_local_variables,
    }


def _integrations() -> list[Integration]:
    """Integrations with non-default options, for what is installed."""
    integrations: list[Integration] = [
        LoggingIntegration(level=logging.INFO, event_level=logging.ERROR)
    ]
    server_errors = set(range(500, 600))  # Only 5xx responses become events.
    if _installed("starlette"):
        from sentry_sdk.integrations.starlette import StarletteIntegration

        integrations.append(
            StarletteIntegration(
                transaction_style="url", failed_request_status_codes=server_errors
            )
        )
    if _installed("fastapi"):
        from sentry_sdk.integrations.fastapi import FastApiIntegration

        integrations.append(
            FastApiIntegration(
                transaction_style="url", failed_request_status_codes=server_errors
            )
        )
    if _installed("strawberry"):
        from sentry_sdk.integrations.strawberry import StrawberryIntegration

        # Under ASGI the schema executes asynchronously.
        integrations.append(StrawberryIntegration(async_execution=True))
    if _installed("django"):
        from sentry_sdk.integrations.django import DjangoIntegration

        # Middleware spans cost on every request and rarely explain a slow one.
        integrations.append(
            DjangoIntegration(transaction_style="url", middleware_spans=False)
        )
    if _installed("celery"):
        from sentry_sdk.integrations.celery import CeleryIntegration

        # Beat tasks report as cron monitors; traces continue from the request.
        integrations.append(CeleryIntegration(monitor_beat_tasks=True))
    if _installed("arq"):
        from sentry_sdk.integrations.arq import ArqIntegration

        integrations.append(ArqIntegration(monitor_cron_jobs=True))
    if _installed("sqlalchemy"):
        from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration

        integrations.append(SqlalchemyIntegration())
    return integrations


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _traces_sampler(context: dict[str, Any]) -> float:
    parent = context.get("parent_sampled")
    if parent is not None:
        return float(parent)  # Keep distributed traces whole.
    path = _sampled_path(context)
    for prefix, rate in ROUTE_TRACES_SAMPLE_RATES.items():
        if path.startswith(prefix):
            return rate
    return get_settings().traces_sample_rate


def _sampled_path(context: dict[str, Any]) -> str:
    scope = context.get("asgi_scope") or {}
    if "path" in scope:
        return str(scope["path"])
    environ = context.get("wsgi_environ") or {}
    if "PATH_INFO" in environ:
        return str(environ["PATH_INFO"])
    return str((context.get("transaction_context") or {}).get("name", ""))


def _before_send(event: Event, hint: Hint) -> Event | None:
    if event.get("logger") in _DROPPED_LOGGERS:
        return None
    exc_info = hint.get("exc_info")
    if exc_info and (
        type(exc_info[1]).__name__ in _DROPPED_EXCEPTIONS
        or _is_graphql_client_error(exc_info[1])
    ):
        return None
    event.setdefault("tags", {}).setdefault("service", _state["service"])
    fingerprint_event(event, hint)
{%- if cookiecutter.alerts != "none" %}
    scrubbed = scrubber.scrub_event(event, hint)
    monitor = alerts.current_monitor()
    if monitor is not None and scrubbed is not None and _is_error(scrubbed):
        monitor.record_error(_error_type(scrubbed), scrubbed.get("event_id"))
    return scrubbed


def _is_error(event: Event) -> bool:
    return event.get("level", "error") in ("error", "fatal")


def _error_type(event: Event) -> str:
    values = (event.get("exception") or {}).get("values") or []
    return str(values[-1].get("type", "Error")) if values else "Message"
{%- else %}
    return scrubber.scrub_event(event, hint)
{%- endif %}


def _is_graphql_client_error(error: BaseException) -> bool:
    """A GraphQL error the client caused: a syntax or validation error (no original
    error), or one a resolver raised on purpose (a GraphQLError itself)."""
    if not _is_graphql_error(error):
        return False
    original = getattr(error, "original_error", None)
    return original is None or _is_graphql_error(original)


def _is_graphql_error(error: object) -> bool:
    return any(cls.__name__ == "GraphQLError" for cls in type(error).__mro__)


def _before_send_transaction(event: Event, hint: Hint) -> Event | None:
    request_path = _url_path(event.get("request", {}).get("url", ""))
    if event.get("transaction") in HEALTH_CHECK_PATHS or (
        request_path in HEALTH_CHECK_PATHS
    ):
        return None
    return scrubber.scrub_event(event, hint)


def _url_path(url: str) -> str:
    without_scheme = url.split("://", 1)[-1]
    path = "/" + without_scheme.split("/", 1)[1] if "/" in without_scheme else "/"
    return path.split("?", 1)[0]


def _span_or_transaction(name: str) -> Any:
    if sentry_sdk.get_current_span() is not None:
        return sentry_sdk.start_span(op="function", name=name)
    return sentry_sdk.start_transaction(op="function", name=name)
