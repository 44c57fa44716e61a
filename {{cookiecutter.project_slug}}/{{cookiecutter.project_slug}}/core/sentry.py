"""The one place that talks to the Sentry SDK.

Each entry point (the web app, the worker, manage.py) starts Sentry once with
`init_sentry()`, passing what its features add (`SentryFeature`: integrations with
non-default options, event filters, start and close hooks), and closes it with
`close_sentry()` at shutdown. The rest of the code reports through the helpers
below (or the `ErrorTracker` facade), so that scrubbing, grouping and sampling
policy live here and nowhere else.
"""

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.integrations.logging import (
    LoggingIntegration,
    ignore_logger,
    ignore_logger_for_sentry_logs,
)
from sentry_sdk.tracing import Span
from sentry_sdk.types import Event, Hint

from . import integrations, logs, reported, scrubber, transport
from .event_size import SIZE_OPTIONS, fit_event
from .fingerprints import fingerprint_event
from .frame_variables import VARIABLE_OPTIONS, add_frame_variables
from .settings import SentrySettings, get_settings, reset_settings
from .source_context import SOURCE_OPTIONS, add_source_context

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
Level = Literal["fatal", "critical", "error", "warning", "info", "debug"]
# Called on every error event before grouping and scrubbing; None drops the event.
EventFilter = Callable[[Event, Hint], Event | None]

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

# Web servers' access logs: a line per request naming the client's address (behind the
# proxy, from its X-Forwarded-For), which must leave neither as a breadcrumb nor as a
# Sentry log; the event's own request says the rest.
ACCESS_LOGGERS = ("uvicorn.access", "gunicorn.access")


@dataclass(frozen=True)
class SentryFeature:
    """What one feature (a framework's glue, a worker, the alerts) adds to Sentry.

    integrations: SDK integrations whose options differ from the defaults (the SDK
        enables the others for whatever is installed).
    event_filters: run in order on every error event, before grouping and
        scrubbing; returning None drops the event.
    on_start: called once Sentry is enabled (with a DSN).
    on_close: called by `close_sentry(timeout)` with its timeout, in seconds.
    on_transaction: called with each transaction event Sentry sends, once health
        checks are dropped and it is scrubbed (a copy of the trace for another
        backend); it must not raise or change the event.
    """

    integrations: Sequence[Integration] = ()
    event_filters: Sequence[EventFilter] = ()
    on_start: Callable[[], object] | None = None
    on_close: Callable[[float], object] | None = None
    on_transaction: Callable[[Event], object] | None = None


@dataclass
class _State:
    service: str = "web"
    initialized: bool = False
    features: tuple[SentryFeature, ...] = ()


_state = _State()


def init_sentry(
    service: str = "web",
    *,
    features: Iterable[SentryFeature] = (),
    **overrides: Any,
) -> bool:
    """Initialise the SDK once from the settings; return whether Sentry is enabled.

    `service` tags every event ("web", "worker"). `features` add integrations, event
    filters and hooks. `overrides` are passed to `sentry_sdk.init` over the computed
    options (tests pass `transport`, the worker passes its own `dsn`). Without a DSN
    this only logs.
    """
    if _state.initialized:
        return sentry_sdk.get_client().is_active()
    settings = get_settings()
    chosen = tuple(features)
    options = _options(settings, chosen) | overrides
    if not options.get("dsn"):
        logger.info("Sentry disabled: SENTRY_DSN is not set")
        return False
    scrubber.configure(
        settings.pii_mode,
        settings.extra_sensitive_keys,
        settings.sentry_send_default_pii,
    )
    for name in ACCESS_LOGGERS:
        ignore_logger(name)
        ignore_logger_for_sentry_logs(name)
    reported.install()  # One event per error: no second one from the server's log.
    transport.install_log_filters()  # SDK lines once; an outage reported once.
    _state.service, _state.features = service, chosen
    sentry_sdk.init(**options)
    _state.initialized = True
    sentry_sdk.get_global_scope().set_tag("service", service)
    for feature in chosen:
        if feature.on_start is not None:
            feature.on_start()
    logger.info("Sentry initialized for environment: %s", options["environment"])
    return True


def close_sentry(timeout: float = 2.0) -> None:
    """Flush what is queued and shut the client down (call at process exit)."""
    client = sentry_sdk.get_client()
    if client.is_active():
        client.close(timeout=timeout)  # Flushes first.
        sentry_sdk.get_global_scope().set_client(None)
    for feature in _state.features:
        if feature.on_close is not None:
            feature.on_close(timeout)
    _state.initialized, _state.features = False, ()


def reset_state() -> None:
    """Back to a fresh process: Sentry closed, and the settings, the scrubbing policy
    and what was built from them forgotten. Tests call it between cases."""
    close_sentry()
    scrubber.reset()
    reset_settings()


def capture_exception(
    error: BaseException,
    *,
    context: Mapping[str, Any] | None = None,
    level: Level | None = None,
    **details: Any,
) -> str | None:
    """Report `error`; return the event id (None when Sentry is off).

    `context` maps context names to dicts, `{"payment": {"amount": 10}}` (a value
    that is not a dict joins the "details" context); keyword `details` go to the
    "details" context: `capture_exception(error, order_id=7)`.
    """
    with sentry_sdk.new_scope() as scope:
        _attach(scope, context, details, level)
        return sentry_sdk.capture_exception(error)


def capture_message(
    message: str,
    level: Level = "info",
    *,
    context: Mapping[str, Any] | None = None,
    **details: Any,
) -> str | None:
    """Report `message` at `level`; `context` and `details` as for capture_exception."""
    with sentry_sdk.new_scope() as scope:
        _attach(scope, context, details, None)
        return sentry_sdk.capture_message(message, level=level)


def add_breadcrumb(
    message: str, category: str = "default", level: Level = "info", **data: Any
) -> None:
    sentry_sdk.add_breadcrumb(
        message=message, category=category, level=level, data=data
    )


def start_transaction(name: str, op: str = "task") -> Span:
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
    logs.bind(user_id=str(user_id))  # The request's or job's log lines carry it.


def clear_user_context() -> None:
    sentry_sdk.set_user(None)
    logs.unbind("user_id")


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
    """The helpers above as one object, for code that prefers it (seed 001):
    `ErrorTracker.capture_exception(error, context={"payment": {...}}, level="error")`.
    Each method is the module function of the same call.
    """

    capture_exception = staticmethod(capture_exception)
    capture_message = staticmethod(capture_message)
    set_user = staticmethod(set_user_context)
    clear_user = staticmethod(clear_user_context)
    set_tag = staticmethod(set_tag)
    set_context = staticmethod(set_context)
    add_breadcrumb = staticmethod(add_breadcrumb)


def before_send(event: Event, hint: Hint) -> Event | None:
    """The SDK's `before_send`: the features' filters, then grouping and scrubbing,
    then cut to fit Sentry's size limit (`event_size.fit_event`). The exception is
    marked as reported first, so that the server's log of it builds no second event
    (see `reported`)."""
    reported.mark_reported(hint)
    for feature in _state.features:
        for event_filter in feature.event_filters:
            if event_filter(event, hint) is None:
                return None
    event.setdefault("tags", {}).setdefault("service", _state.service)
    fingerprint_event(cast("dict[str, Any]", event), hint)
    add_source_context(cast("dict[str, Any]", event))
    if get_settings().include_local_variables:
        add_frame_variables(cast("dict[str, Any]", event), hint)
    scrubbed: Event | None = scrubber.scrub_event(event, hint)
    return _fitted(scrubbed)


def before_send_transaction(event: Event, hint: Hint) -> Event | None:
    """The SDK's `before_send_transaction`: drops health checks, scrubs the rest,
    and hands what is sent to the features' `on_transaction`."""
    request_path = _url_path(str(event.get("request", {}).get("url", "")))
    if event.get("transaction") in HEALTH_CHECK_PATHS or (
        request_path in HEALTH_CHECK_PATHS
    ):
        return None
    scrubbed: Event | None = scrubber.scrub_event(event, hint)
    fitted = _fitted(scrubbed)
    if fitted is not None:
        for feature in _state.features:
            if feature.on_transaction is not None:
                feature.on_transaction(fitted)
    return fitted


def _fitted(event: Event | None) -> Event | None:
    if event is None:
        return None
    return cast("Event", fit_event(cast("dict[str, Any]", event)))


def traces_sampler(context: dict[str, Any]) -> float:
    """The SDK's `traces_sampler`: the parent's decision, else the route's rate (see
    ROUTE_TRACES_SAMPLE_RATES), else SENTRY_TRACES_SAMPLE_RATE."""
    parent = context.get("parent_sampled")
    if parent is not None:
        return float(parent)  # Keep distributed traces whole.
    path = _sampled_path(context)
    for prefix, rate in ROUTE_TRACES_SAMPLE_RATES.items():
        if path.startswith(prefix):
            return rate
    return get_settings().traces_sample_rate


def _options(
    settings: SentrySettings, features: Sequence[SentryFeature]
) -> dict[str, Any]:
    options: dict[str, Any] = {
        "dsn": settings.dsn,
        "environment": settings.resolved_environment,
        "release": settings.resolved_release,
        "sample_rate": settings.sample_rate,
        "debug": settings.debug,
        "attach_stacktrace": settings.sentry_attach_stacktrace,
        "max_breadcrumbs": settings.sentry_max_breadcrumbs,
        "integrations": [
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
            *integrations.base_integrations(),
            *(each for feature in features for each in feature.integrations),
        ],
        "ignore_errors": IGNORED_ERRORS,
        "before_send": before_send,
        "before_send_transaction": before_send_transaction,
        "transport_queue_size": TRANSPORT_QUEUE_SIZE,
        **transport.TRANSPORT_OPTIONS,
        **SIZE_OPTIONS,
        **integrations.LEAN_OPTIONS,
        **SOURCE_OPTIONS,
        # Variables of in-app frames, added by before_send (see frame_variables).
        **VARIABLE_OPTIONS,
    }
    if settings.traces_sample_rate > 0:
        options["traces_sampler"] = traces_sampler
    if settings.profiles_sample_rate > 0 and "traces_sampler" in options:
        options["profile_session_sample_rate"] = settings.profiles_sample_rate
        options["profile_lifecycle"] = "trace"
    if settings.sentry_send_default_pii:
        options["data_collection"] = data_collection(settings)
    return options | logs_and_metrics_options(settings)


def logs_and_metrics_options(settings: SentrySettings) -> dict[str, Any]:
    """Sentry Logs (SENTRY_ENABLE_LOGS: the log records the LoggingIntegration sees,
    INFO and above, each linked to its trace) and metrics (on by default in the
    SDK), both through the scrubbing policy of events (`core.logs`)."""
    return {
        "enable_logs": settings.enable_logs,
        "before_send_log": logs.before_send_log,
        "before_send_metric": logs.before_send_metric,
    }


def _attach(
    scope: sentry_sdk.Scope,
    context: Mapping[str, Any] | None,
    details: dict[str, Any],
    level: Level | None,
) -> None:
    """Put `context` and `details` on `scope` (see capture_exception)."""
    loose = dict(details)
    for name, data in (context or {}).items():
        if isinstance(data, Mapping):
            scope.set_context(name, dict(data))
        else:
            loose[name] = data
    if loose:
        scope.set_context("details", loose)
    if level is not None:
        scope.set_level(level)


def data_collection(settings: SentrySettings) -> dict[str, Any]:
    """What SENTRY_SEND_DEFAULT_PII=true turns on, and nothing more: the user the
    framework knows, the client's IP address (headers, REMOTE_ADDR) and cookies that are
    not sensitive. SQL parameters, task arguments, GraphQL documents, variables and
    responses and AI inputs stay off, as with the switch off, and frame variables follow
    SENTRY_INCLUDE_LOCAL_VARIABLES (added by `before_send`, see `frame_variables`).
    (Setting `data_collection` at all makes the SDK drop its own EventScrubber:
    `scrub_event`, installed as before_send, does it all.)
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
        # Added by before_send for in-app frames when SENTRY_INCLUDE_LOCAL_VARIABLES.
        "stack_frame_variables": False,
    }


def _sampled_path(context: dict[str, Any]) -> str:
    scope = context.get("asgi_scope") or {}
    if "path" in scope:
        return str(scope["path"])
    environ = context.get("wsgi_environ") or {}
    if "PATH_INFO" in environ:
        return str(environ["PATH_INFO"])
    return str((context.get("transaction_context") or {}).get("name", ""))


def _url_path(url: str) -> str:
    without_scheme = url.split("://", 1)[-1]
    path = "/" + without_scheme.split("/", 1)[1] if "/" in without_scheme else "/"
    return path.split("?", 1)[0]


def _span_or_transaction(name: str) -> Span:
    if sentry_sdk.get_current_span() is not None:
        return sentry_sdk.start_span(op="function", name=name)
    return sentry_sdk.start_transaction(op="function", name=name)
