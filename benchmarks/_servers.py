"""Small stand-ins for a Sentry server, for the service benchmark (127.0.0.1 only).

- ``Sink``: accepts envelopes, answers 200 at once, counts what it received.
- ``SlowServer``: the same, but answers only after ``delay`` seconds.
- ``BlackHole``: accepts connections and reads everything, never answers.

Each runs in daemon threads of the calling process; use them as context managers.
"""

from __future__ import annotations

import gzip
import json
import socketserver
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from sentry_sdk.envelope import Envelope

HOST = "127.0.0.1"
# The public key of the DSNs handed out: any value works, nothing checks it.
PUBLIC_KEY = "benchmarkpublickey"


def dsn_for_port(port: int) -> str:
    """A DSN whose project lives at 127.0.0.1:``port``."""
    return f"http://{PUBLIC_KEY}@{HOST}:{port}/1"


class Tally:
    """What a server received, safe to update from its request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.items: Counter[str] = Counter()
        # (reason, category) -> quantity, from the SDK's client reports.
        self.discarded: Counter[tuple[str, str]] = Counter()
        self.bad_bodies = 0

    def add_envelope(self, body: bytes, encoding: str) -> None:
        try:
            envelope = Envelope.deserialize(_decompress(body, encoding))
        except (ValueError, OSError):
            with self._lock:
                self.requests += 1
                self.bad_bodies += 1
            return
        with self._lock:
            self.requests += 1
            for item in envelope.items:
                self.items[item.type or "unknown"] += 1
                if item.type == "client_report":
                    self._add_client_report(item.get_bytes())

    def _add_client_report(self, payload: bytes) -> None:
        try:
            report = json.loads(payload)
        except ValueError:
            return
        for entry in report.get("discarded_events") or []:
            key = (str(entry.get("reason")), str(entry.get("category")))
            self.discarded[key] += int(entry.get("quantity") or 0)

    def add_request(self) -> None:
        with self._lock:
            self.requests += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "items": dict(self.items),
                "discarded": dict(self.discarded),
                "bad_bodies": self.bad_bodies,
            }

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.items.clear()
            self.discarded.clear()
            self.bad_bodies = 0


def _decompress(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress(body)
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


class _EnvelopeHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps the SDK's connection open between envelopes, as Sentry does.
    protocol_version = "HTTP/1.1"
    # The answer leaves in one write (buffered, flushed once per request), with
    # TCP_NODELAY: written as status line and body apart, the body waited for the
    # client's delayed ACK (~40 ms) on a kept-alive connection, capping the sink at
    # ~25 envelopes a second.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _EnvelopeHTTPServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.tally.add_envelope(body, self.headers.get("Content-Encoding", ""))
        if self.server.delay:
            time.sleep(self.server.delay)
        answer = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # One line per envelope would drown the benchmark's output.


class _EnvelopeHTTPServer(ThreadingHTTPServer):
    def __init__(self, delay: float) -> None:
        self.tally = Tally()
        self.delay = delay
        super().__init__((HOST, 0), _EnvelopeHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A service stopped mid-request (slow answers) is expected, not news.
        pass


class _Running:
    """Runs a socketserver in a daemon thread between ``start()`` and ``stop()``."""

    def __init__(self, server: socketserver.BaseServer) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])  # type: ignore[index]

    @property
    def dsn(self) -> str:
        return dsn_for_port(self.port)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Sink(_Running):
    """Accepts envelopes and answers 200 at once."""

    def __init__(self) -> None:
        self._http = _EnvelopeHTTPServer(delay=0.0)
        super().__init__(self._http)

    @property
    def tally(self) -> Tally:
        return self._http.tally


class SlowServer(_Running):
    """Accepts envelopes and answers 200 after ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        self._http = _EnvelopeHTTPServer(delay=delay)
        super().__init__(self._http)

    @property
    def tally(self) -> Tally:
        return self._http.tally


class _SwallowHandler(socketserver.BaseRequestHandler):
    server: _BlackHoleServer

    def handle(self) -> None:
        self.server.tally.add_request()
        # Read until the client gives up; never write a byte back.
        try:
            while self.request.recv(65536):
                pass
        except OSError:
            pass  # The client reset the connection: it gave up.


class _BlackHoleServer(socketserver.ThreadingTCPServer):
    daemon_threads = True  # A client that never gives up must not block the exit.
    allow_reuse_address = True

    def __init__(self) -> None:
        self.tally = Tally()
        super().__init__((HOST, 0), _SwallowHandler)


class BlackHole(_Running):
    """Accepts connections and reads, never answers (tally counts connections)."""

    def __init__(self) -> None:
        self._tcp = _BlackHoleServer()
        super().__init__(self._tcp)

    @property
    def tally(self) -> Tally:
        return self._tcp.tally
