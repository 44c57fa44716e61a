"""The OTLP export (otlp.py) against real receivers on 127.0.0.1.

The OpenTelemetry SDK posts to `OtlpReceiver`, which decodes each body with the
official OTLP protobuf messages (`ExportTraceServiceRequest`); Sentry's HTTP transport
posts to the envelope receiver. One request through the framework's real stack must
give one trace id in both, and none of the secrets it carried in the export.
"""

import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import httpx2
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import SpanContext, TraceFlags

from {{ cookiecutter.project_slug }}.core.sentry import close_sentry, start_transaction
from {{ cookiecutter.project_slug }}.core.settings import SettingsError, load_settings
from {{ cookiecutter.project_slug }}.features import start_sentry
from {{ cookiecutter.project_slug }}.otlp import OtlpSettings, ScrubbingSpanExporter

from .conftest import CapturingTransport, Flush, closed_port
from .envelope_receiver import EnvelopeReceiver
from .otlp_receiver import OtlpReceiver, attributes

ERROR_PATH = "/api/v1/test/error"
QUERY_SECRET = "querysecret-hunter2"
HEADER_SECRET = "sk_live_headersecret42"
BEARER_SECRET = "bearer-secret-9f8e7d6c5b4a"
SECRETS = (QUERY_SECRET, HEADER_SECRET, BEARER_SECRET)
# An incoming distributed trace (W3C ids in Sentry's `sentry-trace` header).
UPSTREAM_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
UPSTREAM_SPAN_ID = "00f067aa0ba902b7"


def root_of(spans: Sequence[Span], transaction: dict[str, Any]) -> Span:
    """The exported span of the Sentry transaction itself."""
    (root,) = [
        span
        for span in spans
        if span.span_id.hex() == transaction["contexts"]["trace"]["span_id"]
    ]
    return root


@pytest.fixture
def sentry_receiver() -> Iterator[EnvelopeReceiver]:
    server = EnvelopeReceiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def exporting(
    monkeypatch: pytest.MonkeyPatch,
    otlp_receiver: OtlpReceiver,
    sentry_receiver: EnvelopeReceiver,
) -> None:
    """Sentry started as the app starts it, with its real HTTP transport, and the
    OTLP export pointed at the receiver (list it before `client`)."""
    monkeypatch.setenv("SENTRY_DSN", sentry_receiver.dsn)
    monkeypatch.delenv("OTEL_SDK_DISABLED")  # Set by the conftest for other tests.
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", otlp_receiver.endpoint)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "checkout")
    assert start_sentry()


def failing_request(client: httpx2.Client, **headers: str) -> None:
    response = client.post(
        ERROR_PATH,
        params={"password": QUERY_SECRET},
        json={"error_type": "exception"},
        headers={
            "X-Api-Key": HEADER_SECRET,
            "Authorization": f"Bearer {BEARER_SECRET}",
            **headers,
        },
    )
    assert response.status_code == 500


def test_the_exported_trace_has_the_sentry_trace_id(
    exporting: None,
    client: httpx2.Client,
    otlp_receiver: OtlpReceiver,
    sentry_receiver: EnvelopeReceiver,
) -> None:
    failing_request(client)
    close_sentry()  # Flushes Sentry's queue, then the OTLP batch.
    (transaction,) = sentry_receiver.wait_for("transaction", 1)
    (error,) = sentry_receiver.wait_for("event", 1)
    trace = transaction["contexts"]["trace"]
    spans = otlp_receiver.wait_for_spans(1 + len(transaction["spans"]))

    assert otlp_receiver.paths and set(otlp_receiver.paths) == {"/v1/traces"}
    assert {span.trace_id.hex() for span in spans} == {trace["trace_id"]}
    assert error["contexts"]["trace"]["trace_id"] == trace["trace_id"]
    root = root_of(spans, transaction)
    assert root.kind == Span.SpanKind.SPAN_KIND_SERVER
    assert root.name == transaction["transaction"]
    assert root.parent_span_id == b""
    assert root.status.code == root.status.STATUS_CODE_ERROR
    assert attributes(root.attributes)["http.request.method"] == "POST"
    assert attributes(root.attributes)["sentry.tag.service"] == "web"
    sentry_span_ids = {trace["span_id"], *(s["span_id"] for s in transaction["spans"])}
    assert {span.span_id.hex() for span in spans} == sentry_span_ids
    ((resource, _), *_) = otlp_receiver.spans()
    assert resource["service.name"] == "checkout"
    assert resource["deployment.environment.name"] == "development"


def test_no_secret_of_the_request_is_exported(
    exporting: None,
    client: httpx2.Client,
    otlp_receiver: OtlpReceiver,
    sentry_receiver: EnvelopeReceiver,
) -> None:
    failing_request(client)
    close_sentry()
    (transaction,) = sentry_receiver.wait_for("transaction", 1)
    spans = otlp_receiver.wait_for_spans(1)
    exported = b"".join(otlp_receiver.bodies)
    for secret in SECRETS:
        assert secret.encode() not in exported
    root = root_of(spans, transaction)
    assert attributes(root.attributes)["url.query"] == "password=[Filtered]"


def test_an_incoming_trace_is_continued_in_both(
    exporting: None,
    client: httpx2.Client,
    otlp_receiver: OtlpReceiver,
    sentry_receiver: EnvelopeReceiver,
) -> None:
    upstream = f"{UPSTREAM_TRACE_ID}-{UPSTREAM_SPAN_ID}-1"
    failing_request(client, **{"sentry-trace": upstream})
    close_sentry()
    (transaction,) = sentry_receiver.wait_for("transaction", 1)
    assert transaction["contexts"]["trace"]["trace_id"] == UPSTREAM_TRACE_ID
    root = root_of(otlp_receiver.wait_for_spans(1), transaction)
    assert root.trace_id.hex() == UPSTREAM_TRACE_ID
    assert root.parent_span_id.hex() == UPSTREAM_SPAN_ID


def test_child_spans_keep_their_ids_and_parents(
    exporting: None, otlp_receiver: OtlpReceiver, sentry_receiver: EnvelopeReceiver
) -> None:
    with (
        start_transaction("process_order") as transaction,
        transaction.start_child(op="db", name="SELECT 1") as query,
        query.start_child(op="http.client", name="GET https://payments.example/"),
    ):
        pass
    close_sentry()
    (sent,) = sentry_receiver.wait_for("transaction", 1)
    exported = {span.span_id.hex(): span for span in otlp_receiver.wait_for_spans(3)}
    trace = sent["contexts"]["trace"]
    assert set(exported) == {trace["span_id"], *(s["span_id"] for s in sent["spans"])}
    for span in sent["spans"]:
        copy = exported[span["span_id"]]
        assert copy.trace_id.hex() == trace["trace_id"]
        assert copy.parent_span_id.hex() == span["parent_span_id"]
        assert copy.name == span["description"]
    kinds = {span.name: span.kind for span in exported.values()}
    assert kinds == {
        "process_order": Span.SpanKind.SPAN_KIND_INTERNAL,
        "SELECT 1": Span.SpanKind.SPAN_KIND_CLIENT,
        "GET https://payments.example/": Span.SpanKind.SPAN_KIND_CLIENT,
    }
    root = exported[trace["span_id"]]
    assert all(
        root.start_time_unix_nano
        <= span.start_time_unix_nano
        <= span.end_time_unix_nano
        <= root.end_time_unix_nano
        for span in exported.values()
    )


def test_health_checks_are_not_exported(
    exporting: None,
    client: httpx2.Client,
    otlp_receiver: OtlpReceiver,
) -> None:
    assert client.get("/health").status_code == 200
    close_sentry()
    assert otlp_receiver.spans() == []


class KeepingExporter(SpanExporter):
    """Keeps what it is asked to export."""

    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans.extend(spans)
        return SpanExportResult.SUCCESS


def test_the_exporter_scrubs_any_span() -> None:
    """Spans the application makes itself are scrubbed too, not only Sentry's."""
    kept = KeepingExporter()
    context = SpanContext(
        int(UPSTREAM_TRACE_ID, 16),
        int(UPSTREAM_SPAN_ID, 16),
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    span = ReadableSpan(
        name=f"GET /login?password={QUERY_SECRET}",
        context=context,
        attributes={
            "http.request.header.x-api-key": HEADER_SECRET,
            "db.statement": f"UPDATE users SET token = '{BEARER_SECRET}'",
            "http.route": "/login",
            "http.response.status_code": 200,
        },
    )
    result = ScrubbingSpanExporter(kept).export([span])
    assert result is SpanExportResult.SUCCESS
    (exported,) = kept.spans
    text = repr((exported.name, dict(exported.attributes or {})))
    for secret in SECRETS:
        assert secret not in text
    assert exported.context == context
    assert dict(exported.attributes or {})["http.route"] == "/login"
    assert dict(exported.attributes or {})["http.response.status_code"] == 200


@pytest.mark.parametrize(
    "name", ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
)
@pytest.mark.parametrize("value", ["localhost:4318", "grpc://collector:4317"])
def test_a_bad_endpoint_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        load_settings(OtlpSettings)
    message = str(refused.value)
    assert name in message and "http(s) URL" in message and "\n" not in message


def test_the_traces_endpoint_follows_the_base_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    assert load_settings(OtlpSettings).traces_endpoint == (
        "http://collector:4318/v1/traces"
    )
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://otlp.example/t")
    assert load_settings(OtlpSettings).traces_endpoint == "https://otlp.example/t"


def test_a_receiver_outage_is_logged_once(
    otlp_receiver: OtlpReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    """The exporter logs a line per retry and per lost batch while the receiver is
    down; the log gets one line per outage, and one when it takes spans again."""
    context = SpanContext(
        int(UPSTREAM_TRACE_ID, 16),
        int(UPSTREAM_SPAN_ID, 16),
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    span = ReadableSpan(name="GET /orders", context=context)
    down = ScrubbingSpanExporter(
        OTLPSpanExporter(
            endpoint=f"http://127.0.0.1:{closed_port()}/v1/traces", timeout=1
        )
    )
    up = ScrubbingSpanExporter(
        OTLPSpanExporter(endpoint=otlp_receiver.endpoint + "/v1/traces", timeout=5)
    )
    caplog.set_level(logging.WARNING)

    results = [down.export([span]) for _ in range(3)]
    assert results == [SpanExportResult.FAILURE] * 3
    assert up.export([span]) is SpanExportResult.SUCCESS
    assert up.export([span]) is SpanExportResult.SUCCESS

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0].startswith("OTLP export failing: ")
    assert "reported once per outage" in lines[0]
    assert lines[1] == "OTLP export works again (3 span batches lost meanwhile)"


def test_export_failures_stay_out_of_sentry_events(
    transport: CapturingTransport, flush: Flush
) -> None:
    """A receiver that is down makes the exporter log an error with every batch."""
    exporter_log = logging.getLogger("opentelemetry.exporter.otlp.proto.http")
    exporter_log.error("Failed to export span batch code: 503")
    logging.getLogger("{{ cookiecutter.project_slug }}.orders").error("Order lost")
    flush()
    messages = [event["logentry"]["message"] for event in transport.events]
    assert messages == ["Order lost"]
