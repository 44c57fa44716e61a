"""A Sentry-compatible endpoint on 127.0.0.1, for tests of the SDK's real HTTP transport
(in this process, or in a real worker process)."""

import gzip
import json
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from sentry_sdk.envelope import Envelope


class EnvelopeReceiver(HTTPServer):
    """A Sentry-compatible endpoint on 127.0.0.1 that keeps every item it gets."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.items: list[tuple[str, dict[str, Any]]] = []

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
        for item in Envelope.deserialize(body).items:
            # Parsed here: check-in items carry no content type, so no `.json`.
            payload = json.loads(item.payload.get_bytes() or b"null")
            if isinstance(payload, dict):
                self.server.items.append((item.type or "", payload))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass
