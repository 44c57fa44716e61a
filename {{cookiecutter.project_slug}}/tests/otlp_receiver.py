"""An OTLP/HTTP trace receiver on 127.0.0.1: the protocol decoded with the official
OTLP protobuf messages (opentelemetry-proto), as a collector decodes it."""

import gzip
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span


class OtlpReceiver(HTTPServer):
    """An OTLP/HTTP (protobuf) trace receiver on 127.0.0.1, keeping every request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _OtlpHandler)
        self.bodies: list[bytes] = []
        self.paths: list[str] = []
        self.requests: list[ExportTraceServiceRequest] = []

    @property
    def endpoint(self) -> str:
        """OTEL_EXPORTER_OTLP_ENDPOINT: the base URL (the SDK adds /v1/traces)."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def spans(self) -> list[tuple[dict[str, Any], Span]]:
        """Every span received, with the attributes of its resource."""
        return [
            (attributes(resource_spans.resource.attributes), span)
            for request in self.requests
            for resource_spans in request.resource_spans
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        ]

    def wait_for_span(self, span_id: str, timeout: float = 20.0) -> Span:
        """The span whose id (hex) is `span_id`, once it has arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, span in self.spans():
                if span.span_id.hex() == span_id:
                    return span
            time.sleep(0.05)
        raise AssertionError(f"no span {span_id} received")

    def wait_for_spans(self, count: int, timeout: float = 20.0) -> list[Span]:
        deadline = time.monotonic() + timeout
        while len(self.spans()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return [span for _, span in self.spans()]


class _OtlpHandler(BaseHTTPRequestHandler):
    server: OtlpReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        self.server.bodies.append(body)
        self.server.paths.append(self.path)
        self.server.requests.append(request)
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


def value_of(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [value_of(item) for item in value.array_value.values]
    return getattr(value, kind) if kind else None


def attributes(pairs: Sequence[KeyValue]) -> dict[str, Any]:
    return {pair.key: value_of(pair.value) for pair in pairs}
