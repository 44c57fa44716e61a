"""Sentry's traces, also exported over OTLP/HTTP (OpenTelemetry), with the same ids.

Sentry's integrations stay the tracer of record. Every transaction Sentry sends
(sampled by SENTRY_TRACES_SAMPLE_RATE, health checks dropped, scrubbed) is copied,
with its child spans, into OpenTelemetry spans that keep Sentry's trace id and span
ids, and the OpenTelemetry SDK exports them over OTLP/HTTP (protobuf): the trace id
Sentry shows finds the same request in the OTLP backend.

The SDK reads its own variables from the process environment: OTEL_EXPORTER_OTLP_*
(endpoint, HEADERS, TIMEOUT, COMPRESSION...), OTEL_SERVICE_NAME,
OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER (+ _ARG: applied on top of Sentry's
sampling), OTEL_BSP_* (batching), OTEL_SPAN_*_LIMIT, OTEL_SDK_DISABLED.
`OtlpSettings` checks the endpoints once at start-up (the environment or `.env`).

Every exported span goes through `ScrubbingSpanExporter`: its name, attributes,
events and links are scrubbed by the core's scrubber, the policy of Sentry's events.
"""

import json
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import (
    SERVICE_NAME,
    SERVICE_VERSION,
    OTELResourceDetector,
    Resource,
)
from opentelemetry.sdk.trace import Event as SpanEvent
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    Tracer,
    set_span_in_context,
)
from opentelemetry.util.types import Attributes, AttributeValue
from pydantic import Field, field_validator
from sentry_sdk.types import Event, Hint

from . import __version__
from .core import scrubber
from .core.sentry import SentryFeature, sentry_status
from .core.settings import (
    OptionalStr,
    ServiceSettings,
    is_http_url,
    port_is_valid,
    read_settings,
)
from .project import PROJECT_SLUG

logger = logging.getLogger(__name__)

# Where OTLP/HTTP receivers take traces, under OTEL_EXPORTER_OTLP_ENDPOINT.
TRACES_PATH = "/v1/traces"
ENVIRONMENT_ATTRIBUTE = "deployment.environment.name"
# Sentry's span operation -> the OpenTelemetry span kind (by prefix; else INTERNAL).
KINDS = (
    ("http.server", SpanKind.SERVER),
    ("websocket.server", SpanKind.SERVER),
    ("http.client", SpanKind.CLIENT),
    ("db", SpanKind.CLIENT),
    ("cache", SpanKind.CLIENT),
    ("queue.publish", SpanKind.PRODUCER),
    ("queue.submit", SpanKind.PRODUCER),
    ("queue.process", SpanKind.CONSUMER),
    ("queue.task", SpanKind.CONSUMER),
)
# The loggers of the OpenTelemetry SDK and its exporters.
OTEL_LOGGERS = "opentelemetry."
# The trace exporter's: a line per retry and per lost batch while the receiver is down.
EXPORTER_LOGGER = "opentelemetry.exporter.otlp.proto.http.trace_exporter"
EXPORT_FAILURES = ("Transient error", "Failed to export")
# Span statuses Sentry reports for a span that went well.
OK_STATUSES = frozenset({"", "ok"})


class OtlpSettings(ServiceSettings):
    """Where spans go: the OTel SDK's own variables, checked here once.

    OTEL_EXPORTER_OTLP_ENDPOINT: the receiver's base URL (traces to <it>/v1/traces);
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full traces URL, over the former;
    OTEL_SERVICE_NAME: the service's name, default the package name.
    Unset endpoints: the SDK's default, http://localhost:4318/v1/traces.
    """

    # A receiver's URL may hold credentials: never shown in an error.
    otel_exporter_otlp_endpoint: OptionalStr = Field(default=None, repr=False)
    otel_exporter_otlp_traces_endpoint: OptionalStr = Field(default=None, repr=False)
    otel_service_name: OptionalStr = None

    @field_validator(
        "otel_exporter_otlp_endpoint", "otel_exporter_otlp_traces_endpoint"
    )
    @classmethod
    def _check_endpoint(cls, value: str | None) -> str | None:
        if value is not None and not (is_http_url(value) and port_is_valid(value)):
            raise ValueError("must be an http(s) URL, e.g. http://localhost:4318")
        return value

    @field_validator("otel_service_name")
    @classmethod
    def _check_service_name(cls, value: str | None) -> str | None:
        if value is not None and not value.isprintable():
            raise ValueError("must be one line of printable text")
        return value

    @property
    def traces_endpoint(self) -> str | None:
        """The URL spans are posted to; None: the SDK's (from the environment)."""
        if self.otel_exporter_otlp_traces_endpoint is not None:
            return self.otel_exporter_otlp_traces_endpoint
        if self.otel_exporter_otlp_endpoint is not None:
            return self.otel_exporter_otlp_endpoint.rstrip("/") + TRACES_PATH
        return None


# --- scrubbing ----------------------------------------------------------------------


def scrub_attributes(attributes: Attributes) -> dict[str, AttributeValue]:
    """`attributes` through the core's scrubber, as an event's `extra` would be: a
    value under a sensitive key is replaced, secrets in any string are. Nothing is
    kept if scrubbing fails."""
    if not attributes:
        return {}
    extra = {
        key: list(value) if isinstance(value, tuple | list) else value
        for key, value in attributes.items()
    }
    scrubbed = scrubber.scrub_event({"extra": extra})
    if scrubbed is None:
        return {}
    return {
        key: attribute_value(value)
        for key, value in scrubbed.get("extra", {}).items()
        if value is not None
    }


def scrubbed_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of `span` with its name, attributes, events, links and status
    description scrubbed."""
    status = span.status
    description = status.description
    return ReadableSpan(
        name=scrubber.scrub_text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=[
            SpanEvent(event.name, scrub_attributes(event.attributes), event.timestamp)
            for event in span.events
        ],
        links=[
            Link(link.context, scrub_attributes(link.attributes)) for link in span.links
        ],
        kind=span.kind,
        status=Status(
            status.status_code,
            scrubber.scrub_text(description) if description else None,
        ),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ExportOutage(logging.Filter):
    """Each outage of the OTLP receiver in one line, as `core/transport.py` reports
    Sentry's: on the exporter's logger, the first failure line of an outage becomes
    one warning and the others are dropped; the first batch exported afterwards says
    that the receiver takes spans again."""

    def __init__(self) -> None:
        super().__init__()
        self.lost_batches = 0
        self.reported = False
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(EXPORT_FAILURES):
            return True
        with self._lock:
            first, self.reported = not self.reported, True
        if first:
            logger.warning(
                "OTLP export failing: %s Spans are lost until the receiver takes them "
                "again (reported once per outage)",
                record.getMessage(),
            )
        return False

    def exported(self, result: SpanExportResult) -> None:
        with self._lock:
            if result is not SpanExportResult.SUCCESS:
                self.lost_batches += 1
                return
            lost, reported = self.lost_batches, self.reported
            self.lost_batches, self.reported = 0, False
        if reported:
            logger.warning(
                "OTLP export works again (%d span batches lost meanwhile)", lost
            )


_OUTAGE = ExportOutage()


class ScrubbingSpanExporter(SpanExporter):
    """Exports through `exporter` what `scrubbed_span` leaves of each span; an
    outage of the receiver is logged once (`ExportOutage`)."""

    def __init__(self, exporter: SpanExporter) -> None:
        self._exporter = exporter
        self._shut_down = False
        logging.getLogger(EXPORTER_LOGGER).addFilter(_OUTAGE)  # Once: the same.

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        result = self._exporter.export([scrubbed_span(span) for span in spans])
        _OUTAGE.exported(result)
        return result

    def shutdown(self) -> None:
        """Stop `exporter` (once): a retry in progress is abandoned."""
        if not self._shut_down:
            self._shut_down = True
            self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._exporter.force_flush(timeout_millis)


# --- Sentry's transactions as OpenTelemetry spans ------------------------------------


class SentryIds(IdGenerator):
    """The trace and span ids of the Sentry span being copied (`use`), random ids
    otherwise: the copies keep Sentry's ids."""

    def __init__(self) -> None:
        self._pending: ContextVar[tuple[int, int] | None] = ContextVar(
            "sentry_ids", default=None
        )
        self._random = RandomIdGenerator()

    @contextmanager
    def use(self, trace_id: int, span_id: int) -> Iterator[None]:
        token = self._pending.set((trace_id, span_id))
        try:
            yield
        finally:
            self._pending.reset(token)

    def generate_trace_id(self) -> int:
        pending = self._pending.get()
        return pending[0] if pending else self._random.generate_trace_id()

    def generate_span_id(self) -> int:
        pending = self._pending.get()
        return pending[1] if pending else self._random.generate_span_id()


@dataclass
class TransactionCopier:
    """Starts and ends one OpenTelemetry span per Sentry span of a transaction."""

    tracer: Tracer
    ids: SentryIds

    def copy(self, event: Mapping[str, Any]) -> None:
        """Copy a transaction event (as `before_send_transaction` gets it)."""
        trace = event.get("contexts", {}).get("trace", {})
        trace_id, span_id = hex_id(trace.get("trace_id")), hex_id(trace.get("span_id"))
        if trace_id is None or span_id is None:
            return
        root = self._start(
            trace_id,
            span_id,
            parent_context(trace_id, hex_id(trace.get("parent_span_id"))),
            name=str(event.get("transaction") or trace.get("op") or "transaction"),
            fields=trace,
            start=event.get("start_timestamp"),
            attributes=transaction_attributes(event),
        )
        ends: list[tuple[Span, int | None]] = []
        opened = {span_id: root}
        children = [child for child in event.get("spans", []) if hex_id_of(child)]
        for child in sorted(children, key=lambda child: nanoseconds(child) or 0):
            child_id = hex_id_of(child) or 0
            parent = opened.get(hex_id(child.get("parent_span_id")) or 0, root)
            span = self._start(
                trace_id,
                child_id,
                set_span_in_context(parent),
                name=str(child.get("description") or child.get("op") or "span"),
                fields=child,
                start=child.get("start_timestamp"),
                attributes=span_attributes(child),
            )
            opened[child_id] = span
            ends.append((span, nanoseconds(child, "timestamp")))
        for span, end in reversed(ends):
            span.end(end)
        root.end(nanoseconds(event, "timestamp"))

    def _start(
        self,
        trace_id: int,
        span_id: int,
        context: Context,
        *,
        name: str,
        fields: Mapping[str, Any],
        start: Any,
        attributes: dict[str, AttributeValue],
    ) -> Span:
        op = str(fields.get("op") or "")
        with self.ids.use(trace_id, span_id):
            span = self.tracer.start_span(
                name,
                context=context,
                kind=span_kind(op),
                attributes=attributes,
                start_time=to_nanoseconds(start),
            )
        status = str(fields.get("status") or "")
        if status not in OK_STATUSES:
            span.set_status(Status(StatusCode.ERROR, status))
        return span


def parent_context(trace_id: int, parent_span_id: int | None) -> Context:
    """An empty context (a new trace), or the remote parent the request came with."""
    if parent_span_id is None:
        return Context()
    parent = SpanContext(
        trace_id,
        parent_span_id,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    return set_span_in_context(NonRecordingSpan(parent), Context())


def transaction_attributes(event: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """The root span's attributes: the trace's data, the request, the response's
    status, the user id and the event's tags (`sentry.tag.<name>`)."""
    contexts = event.get("contexts", {})
    attributes = span_attributes(contexts.get("trace", {}))
    request = event.get("request") or {}
    for attribute, key in (
        ("http.request.method", "method"),
        ("url.full", "url"),
        ("url.query", "query_string"),
    ):
        if request.get(key):
            attributes[attribute] = attribute_value(request[key])
    status_code = (contexts.get("response") or {}).get("status_code")
    if isinstance(status_code, int):
        attributes["http.response.status_code"] = status_code
    user_id = (event.get("user") or {}).get("id")
    if user_id is not None:
        attributes["enduser.id"] = str(user_id)
    for name, value in (event.get("tags") or {}).items():
        attributes[f"sentry.tag.{name}"] = attribute_value(value)
    return attributes


def span_attributes(fields: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """A Sentry span's data as attributes, with its operation and origin."""
    attributes = {
        str(key): attribute_value(value)
        for key, value in (fields.get("data") or {}).items()
        if value is not None
    }
    for key in ("op", "origin"):
        if fields.get(key):
            attributes[f"sentry.{key}"] = str(fields[key])
    return attributes


def attribute_value(value: Any) -> AttributeValue:
    """A value OpenTelemetry accepts: a str, bool, int, float or a list of one of
    them; anything else as JSON text."""
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple) and value:
        kinds = {type(item) for item in value}
        if len(kinds) == 1 and kinds <= {str, bool, int, float}:
            return list(value)
    return json.dumps(value, default=str, sort_keys=True)


def span_kind(op: str) -> SpanKind:
    for prefix, kind in KINDS:
        if op.startswith(prefix):
            return kind
    return SpanKind.INTERNAL


def hex_id(value: Any) -> int | None:
    """A trace or span id written in hex, as Sentry writes them; None if it is not."""
    if not isinstance(value, str) or not value:
        return None
    try:
        number = int(value, 16)
    except ValueError:
        return None
    return number or None


def hex_id_of(span: Mapping[str, Any]) -> int | None:
    return hex_id(span.get("span_id"))


def nanoseconds(fields: Mapping[str, Any], key: str = "start_timestamp") -> int | None:
    return to_nanoseconds(fields.get(key))


def to_nanoseconds(value: Any) -> int | None:
    """A Sentry timestamp (a datetime, seconds since the epoch, or ISO 8601 text)
    in nanoseconds since the epoch; None (now) if it is none of them."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return int(value.timestamp() * 1_000_000) * 1000
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value * 1_000_000) * 1000
    return None


# --- the feature ----------------------------------------------------------------------


@dataclass
class _Export:
    provider: TracerProvider | None = None
    exporter: ScrubbingSpanExporter | None = None
    copier: TransactionCopier | None = None
    ids: SentryIds = field(default_factory=SentryIds)


_export = _Export()


def resource(settings: OtlpSettings) -> Resource:
    """The service's name (OTEL_SERVICE_NAME, default the package name), Sentry's
    release and environment; OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME from the
    process environment win."""
    status = sentry_status()
    defaults: dict[str, AttributeValue] = {
        SERVICE_NAME: settings.otel_service_name or PROJECT_SLUG,
        SERVICE_VERSION: str(status["release"] or __version__),
        ENVIRONMENT_ATTRIBUTE: str(status["environment"]),
    }
    return Resource.create(defaults).merge(OTELResourceDetector().detect())


def start_export() -> None:
    """Start exporting (once Sentry is enabled): a tracer provider of our own (the
    global one is left to the application) batching spans to the OTLP exporter."""
    settings = read_settings(OtlpSettings)
    provider = TracerProvider(resource=resource(settings), id_generator=_export.ids)
    otlp = OTLPSpanExporter(endpoint=settings.traces_endpoint)
    exporter = ScrubbingSpanExporter(otlp)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    _export.provider, _export.exporter = provider, exporter
    _export.copier = TransactionCopier(
        provider.get_tracer(__name__, __version__), _export.ids
    )
    logger.info(
        "OTLP export of traces to %s",
        settings.traces_endpoint or "the OTEL_EXPORTER_OTLP_* default",
    )


def export_transaction(event: Mapping[str, Any]) -> None:
    """Copy a transaction Sentry sends; a failure is logged, never raised."""
    copier = _export.copier
    if copier is None:
        return
    try:
        copier.copy(event)
    except Exception:
        logger.warning("a transaction could not be copied for OTLP", exc_info=True)


def stop_export(timeout: float) -> None:
    """Export what is queued, for `timeout` seconds at most, and stop: a receiver
    that is down holds the process no longer (the exporter would retry for up to
    OTEL_EXPORTER_OTLP_TIMEOUT)."""
    provider, exporter = _export.provider, _export.exporter
    _export.provider, _export.exporter, _export.copier = None, None, None
    if provider is None or exporter is None:
        return
    provider.force_flush(int(timeout * 1000))
    exporter.shutdown()
    provider.shutdown()


def drop_export_errors(event: Event, hint: Hint) -> Event | None:
    """The OpenTelemetry SDK's own errors (a receiver that is down, a batch it
    refused) stay in the log and the breadcrumbs: as Sentry events they would come
    back with every batch, every few seconds."""
    logger_name = str(event.get("logger") or "")
    return None if logger_name.startswith(OTEL_LOGGERS) else event


SENTRY = SentryFeature(
    event_filters=(drop_export_errors,),
    on_start=start_export,
    on_transaction=export_transaction,
    on_close=stop_export,
)
