"""An envelope recorder: a tiny Sentry ingestion endpoint that keeps everything.

It listens on 127.0.0.1, accepts ``POST /api/<project>/envelope/`` and
``POST /api/<project>/store/``, decompresses the body, parses the envelope into
items and keeps them, then forwards the original request to an upstream server
(Bugsink) and answers with the upstream status and body. One DSN pointed at the
recorder therefore feeds both: Bugsink stores errors and messages, the recorder
also keeps what Bugsink drops (transactions, sessions, check-ins, ...).

The recorder stands for a full Sentry: it never passes the upstream's
rate-limit headers back to the SDK (Bugsink answers transactions with one, which
would make the SDK stop sending them).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

# Headers a Sentry client sends that the upstream needs to see.
FORWARDED_REQUEST_HEADERS = (
    "content-type",
    "content-encoding",
    "x-sentry-auth",
    "user-agent",
)
# Headers of the upstream answer that are NOT passed back to the SDK.
DROPPED_RESPONSE_HEADERS = (
    "x-sentry-rate-limits",
    "retry-after",
    "transfer-encoding",
    "connection",
    "content-length",
    "server",
    "date",
    "access-control-allow-origin",
    "access-control-allow-headers",
)


@dataclass
class Item:
    """One envelope item: header, payload (parsed JSON when possible), bytes."""

    type: str
    headers: dict[str, Any]
    payload: Any
    raw: bytes


@dataclass
class Envelope:
    """One request received by the recorder."""

    path: str
    query: str
    request_headers: dict[str, str]
    header: dict[str, Any]
    items: list[Item]
    body: bytes  # decompressed
    upstream_status: int | None = None
    upstream_body: bytes = b""


def decompress(body: bytes, encoding: str) -> bytes:
    """Undo the Content-Encoding a Sentry SDK may use (gzip, deflate, br)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress(body)
    if encoding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    if encoding == "br":
        try:
            import brotli  # type: ignore[import-not-found]
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ValueError(
                "brotli body but the brotli module is not installed"
            ) from error
        return bytes(brotli.decompress(body))
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def parse_envelope(body: bytes) -> tuple[dict[str, Any], list[Item]]:
    """Parse a Sentry envelope (header line, then item header + payload per item)."""
    header_line, _, rest = body.partition(b"\n")
    header = json.loads(header_line) if header_line.strip() else {}
    items: list[Item] = []
    pos = 0
    while pos < len(rest):
        end = rest.find(b"\n", pos)
        line = rest[pos:] if end == -1 else rest[pos:end]
        pos = len(rest) if end == -1 else end + 1
        if not line.strip():
            continue
        item_header = json.loads(line)
        length = item_header.get("length")
        if length is not None:
            raw = rest[pos : pos + int(length)]
            pos += int(length)
            if rest[pos : pos + 1] == b"\n":
                pos += 1
        else:
            end = rest.find(b"\n", pos)
            raw = rest[pos:] if end == -1 else rest[pos:end]
            pos = len(rest) if end == -1 else end + 1
        items.append(
            Item(
                type=str(item_header.get("type", "")),
                headers=item_header,
                payload=_json_or_none(raw),
                raw=raw,
            )
        )
    return header, items


@dataclass
class Recorder:
    """A running recorder; ``upstream``: base URL to forward to (or None)."""

    upstream: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    envelopes: list[Envelope] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def dsn_for(self, upstream_dsn: str) -> str:
        """The upstream DSN with its host:port swapped for the recorder's."""
        parts = urllib.parse.urlsplit(upstream_dsn)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = (
            f"{userinfo}@{self.host}:{self.port}"
            if userinfo
            else f"{self.host}:{self.port}"
        )
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))

    def start(self) -> Self:
        self._server = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, envelope: Envelope) -> None:
        with self._lock:
            self.envelopes.append(envelope)

    def items(self, item_type: str | None = None) -> list[Item]:
        """Every recorded item, optionally only those of one type."""
        with self._lock:
            envelopes = list(self.envelopes)
        return [
            item
            for envelope in envelopes
            for item in envelope.items
            if item_type is None or item.type == item_type
        ]

    def all_bytes(self) -> bytes:
        """All recorded (decompressed) envelope bodies, concatenated."""
        with self._lock:
            return b"\n".join(envelope.body for envelope in self.envelopes)

    def wait_for(
        self,
        predicate: Callable[[Item], bool],
        timeout: float = 30.0,
        item_type: str | None = None,
    ) -> list[Item]:
        """Poll until some item satisfies ``predicate``; return the matches."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [item for item in self.items(item_type) if predicate(item)]
            if matching or time.monotonic() > deadline:
                return matching
            time.sleep(0.1)


def _make_handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One write per answer (buffered, flushed once per request) and TCP_NODELAY:
        # an answer written in pieces waits for the SDK's delayed ACK (~40 ms) on a
        # kept-alive connection.
        wbufsize = -1
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return  # keep test output quiet

        def do_OPTIONS(self) -> None:
            # A browser SDK's preflight, as a Sentry server answers it.
            self._answer(200, b"")

        def do_POST(self) -> None:
            split = urllib.parse.urlsplit(self.path)
            parts = split.path.strip("/").split("/")
            if (
                len(parts) != 3
                or parts[0] != "api"
                or parts[2] not in ("envelope", "store")
            ):
                self._answer(404, b'{"detail":"not an ingestion endpoint"}')
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length)
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                body = decompress(raw_body, headers.get("content-encoding", ""))
                if parts[2] == "envelope":
                    header, items = parse_envelope(body)
                else:
                    payload = json.loads(body)
                    header = {"event_id": payload.get("event_id")}
                    items = [Item(type="event", headers={}, payload=payload, raw=body)]
            except Exception as error:  # report it, never crash the server
                recorder.errors.append(f"{self.path}: {error!r}")
                self._answer(400, b'{"detail":"recorder could not parse the body"}')
                return
            envelope = Envelope(
                path=split.path,
                query=split.query,
                request_headers=headers,
                header=header,
                items=items,
                body=body,
            )
            status, response_headers, response_body = self._forward(raw_body, headers)
            envelope.upstream_status = status
            envelope.upstream_body = response_body
            recorder.record(envelope)
            self._answer(status, response_body, response_headers)

        def _forward(
            self, raw_body: bytes, headers: dict[str, str]
        ) -> tuple[int, dict[str, str], bytes]:
            if recorder.upstream is None:
                return 200, {"Content-Type": "application/json"}, b"{}"
            request = urllib.request.Request(
                recorder.upstream.rstrip("/") + self.path,
                data=raw_body,
                method="POST",
                headers={
                    k: v for k, v in headers.items() if k in FORWARDED_REQUEST_HEADERS
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return (
                        response.status,
                        dict(response.headers.items()),
                        response.read(),
                    )
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers.items()), error.read()
            except OSError as error:
                recorder.errors.append(f"forwarding {self.path} failed: {error!r}")
                return 502, {}, b'{"detail":"upstream unreachable"}'

        def _answer(
            self, status: int, body: bytes, headers: dict[str, str] | None = None
        ) -> None:
            if status == 429:  # upstream quota: a full Sentry would have accepted it
                status, body = 200, b"{}"
            self.send_response(status)
            for key, value in (headers or {}).items():
                if key.lower() not in DROPPED_RESPONSE_HEADERS:
                    self.send_header(key, value)
            # Browser SDKs post from the page's origin and read the answer.
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
