"""A Sentry-compatible endpoint on 127.0.0.1 for tests that send through the SDK's own
HTTP transport (in this process or in a real worker process). Like Sentry, it refuses
an envelope larger than 1 MiB once decompressed (413)."""

import gzip
import json
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from sentry_sdk.envelope import Envelope

# Sentry's limit on one event, uncompressed.
MAX_ENVELOPE_BYTES = 1_048_576


class EnvelopeReceiver(HTTPServer):
    """A Sentry-compatible endpoint on 127.0.0.1 that keeps every item it gets.

    `items`: (item type, payload) of each accepted item; `refused`: the size in bytes
    of each envelope refused for being larger than `max_bytes`.
    """

    def __init__(self, max_bytes: int = MAX_ENVELOPE_BYTES) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.max_bytes = max_bytes
        self.items: list[tuple[str, dict[str, Any]]] = []
        self.sizes: list[tuple[str, int]] = []
        self.refused: list[int] = []

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.server_address[1]}/1"

    def wait_for(
        self, kind: str, count: int, timeout: float = 20.0
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [payload for item, payload in self.items if item == kind]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return [payload for item, payload in self.items if item == kind]


class _ReceiverHandler(BaseHTTPRequestHandler):
    server: EnvelopeReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if len(body) > self.server.max_bytes:
            self.server.refused.append(len(body))
            self.send_response(413)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        for item in Envelope.deserialize(body).items:
            # Parsed here: check-in items carry no content type, so no `.json`.
            payload = json.loads(item.payload.get_bytes() or b"null")
            if isinstance(payload, dict):
                self.server.items.append((item.type or "", payload))
                size = len(item.payload.get_bytes())
                self.server.sizes.append((item.type or "", size))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass
