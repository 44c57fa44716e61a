{%- set django = cookiecutter.framework == "django" -%}
"""What a client may send, enforced in front of the application (request_limits.py).

The ASGI application the server runs is called directly, as uvicorn calls it, with
clients no HTTP library would be: a body that never comes, one that never ends,
headers past the limit. Each is answered at once (or after the body timeout) in JSON,
before the framework runs, and none is a Sentry event.
"""

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
{%- if cookiecutter.framework == "fastapi" %}

from {{ cookiecutter.project_slug }}.api.app import create_app
{%- elif cookiecutter.framework == "starlette-graphql" %}

from {{ cookiecutter.project_slug }}.graphql_api.app import create_app
{%- endif %}

from .conftest import CapturingTransport

BODY_LIMIT = 65_536
HEADER_LIMIT = 8_192
BODY_TIMEOUT = 0.2
ERROR_PATH = "/api/v1/test/error"


@dataclass
class Exchange:
    """One request as a server hands it to the application, and what came back."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    # What the client sends, piece by piece; then, unless `complete`, it sends
    # nothing more, ever.
    pieces: list[bytes] = field(default_factory=list)
    complete: bool = False
    pieces_read: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def response_headers(self) -> dict[str, str]:
        return {
            name.decode(): value.decode() for name, value in self.sent[0]["headers"]
        }

    @property
    def body(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))


def run(app: Any, exchange: Exchange) -> Exchange:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": exchange.method,
        "scheme": "http",
        "path": exchange.path,
        "raw_path": exchange.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in exchange.headers.items()
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    declares_body = {"content-length", "transfer-encoding"} & {
        name.lower() for name in exchange.headers
    }
    pieces = list(exchange.pieces) if declares_body else [b""]

    async def receive() -> dict[str, Any]:
        if pieces:
            exchange.pieces_read += 1
            body = pieces.pop(0)
            more = bool(pieces) or not exchange.complete
            return {"type": "http.request", "body": body, "more_body": more}
        await asyncio.Event().wait()  # The client never sends another byte.
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        exchange.sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=10))
    return exchange


@pytest.fixture
def app(
    transport: CapturingTransport, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """The ASGI application the server runs, with small limits."""
    monkeypatch.setenv("MAX_REQUEST_BODY_BYTES", str(BODY_LIMIT))
    monkeypatch.setenv("MAX_REQUEST_HEADER_BYTES", str(HEADER_LIMIT))
    monkeypatch.setenv("REQUEST_BODY_TIMEOUT_SECONDS", str(BODY_TIMEOUT))
{%- if django %}
    from {{ cookiecutter.project_slug }}.config.asgi import application

    yield application
{%- else %}
    yield create_app()
{%- endif %}


def assert_refused(
    exchange: Exchange, status: int, transport: CapturingTransport
) -> None:
    assert exchange.status == status, exchange.sent
    assert exchange.response_headers["content-type"] == "application/json"
    assert exchange.body["detail"]
    assert transport.events == []


def test_a_declared_body_over_the_limit_is_refused_unread(
    app: Any, transport: CapturingTransport
) -> None:
    exchange = run(
        app,
        Exchange(
            "POST",
            ERROR_PATH,
            {"Content-Type": "application/json", "Content-Length": str(20_000_000)},
            [b"{" * 1024],
        ),
    )
    assert_refused(exchange, 413, transport)
    assert exchange.pieces_read == 0


def test_a_chunked_body_is_refused_once_past_the_limit(
    app: Any, transport: CapturingTransport
) -> None:
    piece = b"x" * 16_384
    exchange = run(
        app,
        Exchange(
            "POST",
            ERROR_PATH,
            {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            [piece] * 100,
        ),
    )
    assert_refused(exchange, 413, transport)
    assert exchange.pieces_read == BODY_LIMIT // len(piece) + 1


@pytest.mark.parametrize(("method", "path"), [("POST", ERROR_PATH), ("GET", "/health")])
def test_a_body_that_never_arrives_times_out(
    app: Any, transport: CapturingTransport, method: str, path: str
) -> None:
    """Content-Length: 5 and no body: answered after the body timeout, not never."""
    started = time.monotonic()
    exchange = run(app, Exchange(method, path, {"Content-Length": "5"}))
    assert_refused(exchange, 408, transport)
    assert exchange.response_headers["connection"] == "close"
    assert BODY_TIMEOUT <= time.monotonic() - started < BODY_TIMEOUT + 5


def test_a_body_that_stops_halfway_times_out(
    app: Any, transport: CapturingTransport
) -> None:
    exchange = run(
        app,
        Exchange(
            "POST",
            ERROR_PATH,
            {"Content-Type": "application/json", "Content-Length": "100"},
            [b'{"error_type": '],
        ),
    )
    assert_refused(exchange, 408, transport)


def test_headers_over_the_limit_are_refused(
    app: Any, transport: CapturingTransport
) -> None:
    headers = {f"X-Padding-{n}": "x" * 1000 for n in range(HEADER_LIMIT // 1000 + 1)}
    assert_refused(run(app, Exchange("GET", "/health", headers)), 431, transport)


def test_a_request_target_over_the_limit_is_refused(
    app: Any, transport: CapturingTransport
) -> None:
    path = "/api/v1/" + "x" * HEADER_LIMIT
    assert_refused(run(app, Exchange("GET", path)), 414, transport)


def test_a_body_in_pieces_reaches_the_application_whole(
    app: Any, transport: CapturingTransport
) -> None:
    body = json.dumps({"error_type": "message", "message": "in pieces"}).encode()
    exchange = run(
        app,
        Exchange(
            "POST",
            ERROR_PATH,
            {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            [body[:10], body[10:20], body[20:]],
            complete=True,
        ),
    )
    assert exchange.status == 200, exchange.sent
    (event,) = transport.events
    assert exchange.body["event_id"] == event["event_id"]
