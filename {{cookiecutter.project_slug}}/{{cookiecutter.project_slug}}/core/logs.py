"""Structured logs: one set-up for every process of the service.

`configure_logging(settings)` is called once by each entry point (the web app, the
worker, the migrations, the management commands). Every record, from structlog
(`structlog.get_logger()`) or from the standard library (the servers, the framework,
the worker, the database layer...), leaves through one handler on stdout, rendered
by structlog's `ProcessorFormatter`:

- LOG_FORMAT=json (staging and production by default): one JSON object per line;
- LOG_FORMAT=console (development by default): one readable line.

Each line carries `timestamp`, `level`, `logger` and `event` (the message), the
fields of the call, and, inside a request or a job:

- `trace_id`, `span_id`: the current Sentry span's (the transaction's trace), when
  Sentry is enabled;
- `request_id` (see `core.request_log`), `user_id` once a user is
  authenticated (`core.sentry.set_user_context` calls `bind`), `job_id` and `job_name`
  in the workers.

Before a line is rendered, `scrub_log` runs the scrubbing policy (`core.scrubber`,
SENTRY_PII_MODE) over its message and every field: a password, a token, a card
number... never reaches stdout. The same functions scrub what Sentry Logs and Sentry
metrics send (`before_send_log`, `before_send_metric`).

`processors()` is the chain every record goes through before rendering; another
log exporter can reuse it, and `trace_ids()` is where the ids come from.
"""

import functools
import inspect
import io
import logging
import logging.config
import re
import sys
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar, Token
from typing import Any, TextIO, TypeVar, cast

import sentry_sdk
import structlog
from sentry_sdk.types import Hint, Log, Metric
from structlog.typing import EventDict, Processor, WrappedLogger

from . import scrubber
from .settings import SentrySettings, get_settings

F = TypeVar("F", bound=Callable[..., Any])

# The logger of the one line per request (see core.request_log).
REQUEST_LOGGER = "request"
# Servers' and libraries' loggers that come with handlers of their own: theirs are
# removed, so that their records reach the root's handler and its format.
OWN_HANDLERS = ("uvicorn", "uvicorn.error", "gunicorn", "gunicorn.error")
# Access logs: replaced by the one line per request of core.request_log.
ACCESS_LOGGERS = ("uvicorn.access", "gunicorn.access")
# Extra fields of other libraries' records that add nothing: uvicorn's message
# again, with terminal colours.
DROPPED_EXTRAS = ("color_message",)
# The smallest integer with the 13 digits of the shortest card number.
CARD_NUMBER_FLOOR = 10**12
# The SDK's attributes of a log's message arguments: sentry.message.parameter.<n>.
MESSAGE_PARAMETER = "sentry.message.parameter."
# A trace id and a span id as Sentry writes them.
TRACE_ID = re.compile(r"[0-9a-f]{32}")
SPAN_ID = re.compile(r"[0-9a-f]{16}")
# Fields the service sets itself: never scrubbed (ids and the record's own fields).
KEPT_FIELDS = frozenset(
    {
        "timestamp",
        "level",
        "logger",
        "trace_id",
        "span_id",
        "request_id",
        "job_id",
        "job_name",
        "job_try",
        "status",
        "duration_ms",
    }
)
# What the SDK itself puts on every Sentry log (its code location, thread, process,
# release): never scrubbed, like the SDK's fields of events (a 15-digit thread id can
# pass for a card number). The message's template and arguments, the user and the
# transaction name (`sentry.segment.name`, which may be a raw URL) are scrubbed.
SDK_LOG_ATTRIBUTES = frozenset(
    {
        "code.file.path",
        "code.function.name",
        "code.line.number",
        "logger.name",
        "process.executable.name",
        "process.pid",
        "process.runtime.name",
        "process.runtime.version",
        "sentry.environment",
        "sentry.origin",
        "sentry.release",
        "sentry.sdk.name",
        "sentry.sdk.version",
        "sentry.segment.id",
        "server.address",
        "thread.id",
        "thread.name",
    }
)

# The fields of the request or job running in this context (see `log_context`): a
# dict, so that what `bind` adds from a thread the request runs code in (sync views,
# dependencies) shows in the request's later lines too.
_context: ContextVar[dict[str, Any] | None] = ContextVar("log_context", default=None)


# --- context ------------------------------------------------------------------------


@contextmanager
def log_context(**fields: Any) -> Iterator[dict[str, Any]]:
    """Every line logged inside carries `fields` (and what `bind` adds later):
    `with log_context(request_id="..."): ...`. Yields the fields' dict."""
    token = start_context(**fields)
    try:
        yield cast("dict[str, Any]", _context.get())
    finally:
        end_context(token)


def start_context(**fields: Any) -> Token[dict[str, Any] | None]:
    """`log_context` for code with a start and an end hook (a worker's signals)."""
    return _context.set(dict(fields))


def end_context(token: Token[dict[str, Any] | None]) -> None:
    _context.reset(token)


def bind(**fields: Any) -> None:
    """Add `fields` to the current request's or job's lines; outside of one, to the
    lines of this context (structlog's contextvars)."""
    current = _context.get()
    if current is None:
        structlog.contextvars.bind_contextvars(**fields)
    else:
        current.update(fields)


def unbind(*names: str) -> None:
    """Remove fields added with `bind`."""
    current = _context.get()
    if current is None:
        structlog.contextvars.unbind_contextvars(*names)
    else:
        for name in names:
            current.pop(name, None)


def job_name(function: F) -> F:
    """Decorate a job so that its lines carry `job_name` (its function's name)."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def async_job(*args: Any, **kwargs: Any) -> Any:
            bind(job_name=function.__name__)
            return await function(*args, **kwargs)

        return cast("F", async_job)

    @functools.wraps(function)
    def job(*args: Any, **kwargs: Any) -> Any:
        bind(job_name=function.__name__)
        return function(*args, **kwargs)

    return cast("F", job)


# --- processors ---------------------------------------------------------------------


def trace_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current Sentry span (or of the scope's trace when
    no span is sampled): the ids of the transaction and error events of this request
    or job. None when Sentry is disabled."""
    if not sentry_sdk.get_client().is_active():
        return None
    traceparent = sentry_sdk.get_traceparent()
    if not traceparent:
        return None
    trace_id, _, rest = traceparent.partition("-")
    return trace_id, rest.partition("-")[0]


# Where an exception keeps the fields of the request it escaped (`keep_fields`).
_KEPT_FIELDS = "__log_fields__"


def keep_fields(error: BaseException, **fields: Any) -> None:
    """Have the lines that log `error` later, outside its request's context (the
    server's "Exception in ASGI application"), carry `fields` (its request's ids)."""
    kept = {name: value for name, value in fields.items() if value is not None}
    with suppress(AttributeError):  # An exception type without attributes: none.
        setattr(error, _KEPT_FIELDS, kept)


def kept_fields(error: BaseException | None) -> dict[str, Any]:
    """The fields `keep_fields` gave `error` (none for another exception)."""
    kept = getattr(error, _KEPT_FIELDS, None)
    return dict(kept) if isinstance(kept, dict) else {}


def add_context(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The processor adding the request's or job's fields and the trace ids (those
    an exception kept, for a record logging it after its request)."""
    record = event_dict.get("_record")
    if isinstance(record, logging.LogRecord) and record.exc_info:
        for name, value in kept_fields(record.exc_info[1]).items():
            event_dict.setdefault(name, value)
    current = _context.get()
    if current:
        for name, value in current.items():
            event_dict.setdefault(name, value)
    # Only inside a request, a job or a span: elsewhere (start-up, shutdown) the ids
    # would be those of a trace no transaction or event has.
    inside = current is not None or sentry_sdk.get_current_span() is not None
    if "trace_id" not in event_dict and inside:
        ids = trace_ids()
        if ids is not None:
            event_dict["trace_id"], event_dict["span_id"] = ids
    return event_dict


def scrub_fields(fields: MutableMapping[str, Any]) -> None:
    """Scrub `fields` in place with the scrubbing policy (key rules and detectors of
    SENTRY_PII_MODE); `KEPT_FIELDS` and structlog's own (`_record`) stay. A value
    that is not JSON is first turned into its text. If scrubbing fails, every
    scrubbed field becomes "[Filtered]"."""
    names = [
        name
        for name, value in fields.items()
        if name not in KEPT_FIELDS
        and not str(name).startswith("_")
        and not is_plain_number(value)
    ]
    if not names:
        return
    payload = {"fields": {name: plain(fields[name]) for name in names}}
    if scrubber.scrub_event(payload) is None or not isinstance(
        payload.get("fields"), dict
    ):
        payload["fields"] = dict.fromkeys(names, scrubber.FILTERED)
    fields.update(payload["fields"])


def is_plain_number(value: Any) -> bool:
    """None, a bool, a float, or an integer too short to be a card number (fewer than
    13 digits): nothing the scrubbing policy replaces."""
    if value is None or isinstance(value, (bool, float)):
        return True
    return isinstance(value, int) and abs(value) < CARD_NUMBER_FLOOR


def plain(value: Any) -> Any:
    """`value` as JSON types: containers kept, other objects as their text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    return str(value)


def drop_extras(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The processor removing `DROPPED_EXTRAS`."""
    for name in DROPPED_EXTRAS:
        event_dict.pop(name, None)
    return event_dict


def scrub_log(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The processor running the scrubbing policy over the message and every field
    (the rendered traceback included), right before rendering."""
    scrub_fields(event_dict)
    return event_dict


def processors() -> list[Processor]:
    """What every record goes through, from the call to the renderer: the request's
    context and trace ids, level, logger name, time (ISO 8601, UTC), the call's
    extra fields (but `DROPPED_EXTRAS`), the traceback as text, then the scrubbing
    policy."""
    return [
        structlog.contextvars.merge_contextvars,
        add_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        drop_extras,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        scrub_log,
    ]


def renderer(log_format: str) -> Processor:
    """JSON lines, or readable lines (coloured on a terminal)."""
    if log_format == "json":
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty())


class LogLines(io.TextIOBase):
    """A text stream whose lines become log records on `logger` (INFO): for a
    tool that prints, so that its output takes the format of every other line."""

    def __init__(self, logger: str) -> None:
        super().__init__()
        self._logger = logging.getLogger(logger)
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *complete, self._pending = (self._pending + text).split("\n")
        for line in complete:
            self._log(line)
        return len(text)

    def flush(self) -> None:
        """A line without its end stays until it has one (or the stream closes)."""

    def close(self) -> None:
        if not self.closed:
            self._log(self._pending)
            self._pending = ""
        super().close()

    def _log(self, line: str) -> None:
        if line.strip():
            self._logger.info(line.strip())


# --- set-up -------------------------------------------------------------------------


class StdoutHandler(logging.StreamHandler[TextIO]):
    """A handler writing to `sys.stdout` as it is when a record comes, not as it was
    at set-up (tests and tools replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """`StreamHandler.__init__` sets it: nothing to keep."""


def formatter(log_format: str) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the one handler (a `logging.config` factory)."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            renderer(log_format),
        ],
    )


def logging_config(settings: SentrySettings) -> dict[str, Any]:
    """The `logging.config.dictConfig` dict of `configure_logging`: for the tools
    that take one (a worker's command line, gunicorn's logconfig_dict)."""
    own: dict[str, Any] = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": f"{__name__}.formatter",
                "log_format": settings.resolved_log_format,
            }
        },
        "handlers": {
            "stdout": {"()": f"{__name__}.StdoutHandler", "formatter": "structured"}
        },
        "root": {"handlers": ["stdout"], "level": settings.log_level},
        "loggers": {
            **{name: own for name in OWN_HANDLERS},
            **{
                name: {"handlers": [], "propagate": False, "level": "WARNING"}
                for name in ACCESS_LOGGERS
            },
        },
    }


def configure_logging(settings: SentrySettings | None = None) -> None:
    """Send every record of this process through structlog to stdout, in
    LOG_FORMAT, at LOG_LEVEL (the settings' when `settings` is None). Call it at
    start-up, before the first line; calling it again applies the settings anew."""
    settings = settings or get_settings()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.render_to_log_kwargs,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    logging.config.dictConfig(logging_config(settings))
    logging.captureWarnings(True)  # Python's warnings as lines of the same format.


# --- Sentry Logs and metrics ---------------------------------------------------------


def before_send_log(log: Log, hint: Hint) -> Log | None:
    """The SDK's `before_send_log`: the scrubbing policy over the body and the
    attributes of a Sentry log, as over events and stdout, but for the SDK's own
    (SDK_LOG_ATTRIBUTES). The log gains the fields its stdout line has (those of the
    request or job, or those the exception being handled kept: `keep_fields`) as
    attributes, and is linked to the trace and span those fields name (see
    `link_to_trace`)."""
    attributes = {
        **(_context.get() or {}),
        # uvicorn logs an error that escaped a request in the `except` block that
        # caught it: the exception being handled is the one logged.
        **kept_fields(sys.exc_info()[1]),
        **dict(log.get("attributes") or {}),
    }
    link_to_trace(log, attributes)
    sdk_names = SDK_LOG_ATTRIBUTES & attributes.keys()
    sdk = {name: attributes.pop(name) for name in sdk_names}
    fields: dict[str, Any] = {"body": log.get("body", ""), "attributes": attributes}
    scrub_fields(fields)
    log["body"] = body = str(fields["body"])
    log["attributes"] = attributes = {**sdk, **fields["attributes"]}
    for name, value in attributes.items():
        # A message's argument alone may look harmless ("%s" of "Bearer %s"): one
        # that is no longer in the scrubbed message was part of a secret.
        if name.startswith(MESSAGE_PARAMETER) and str(value) not in body:
            attributes[name] = scrubber.FILTERED
    return log


def before_send_metric(metric: Metric, hint: Hint) -> Metric | None:
    """The SDK's `before_send_metric`: the scrubbing policy over a metric's
    attributes (its name and value are the code's)."""
    link_to_trace(metric, _context.get() or {})
    fields: dict[str, Any] = {"attributes": dict(metric.get("attributes") or {})}
    scrub_fields(fields)
    metric["attributes"] = fields["attributes"]
    return metric


def link_to_trace(item: Log | Metric, fields: Mapping[str, Any]) -> None:
    """Link a Sentry log or metric to the trace (and span) `fields` name, when they
    name one: the SDK links it to the current span's, which is not always the trace
    its line shows and its events have. The request's line is written once the
    request's transaction is over; a job continues the trace of the request that
    queued it (its transaction's trace id is changed as it is sent)."""
    trace_id, span_id = fields.get("trace_id"), fields.get("span_id")
    if isinstance(trace_id, str) and TRACE_ID.fullmatch(trace_id):
        item["trace_id"] = trace_id
        if isinstance(span_id, str) and SPAN_ID.fullmatch(span_id):
            item["span_id"] = span_id
