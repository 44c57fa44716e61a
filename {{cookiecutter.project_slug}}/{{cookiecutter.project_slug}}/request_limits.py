"""Limits on what a client may send, the same for every framework (pure ASGI).

`RequestLimits` wraps the application and answers, in JSON, before it runs:

- 431 when the headers take more than MAX_REQUEST_HEADER_BYTES (414 when the request
  target alone does);
- 413 when the body is larger than MAX_REQUEST_BODY_BYTES: at once when its
  Content-Length says so, as soon as a chunked body passes it otherwise;
- 408 when the body stops arriving for REQUEST_BODY_TIMEOUT_SECONDS (a client that
  declares a body and never sends it must not hold the server forever).

A refused request never reaches the framework, so it never becomes a Sentry event.
The application receives an accepted body whole, in one `http.request` message.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from pydantic import Field

from .core.settings import ServiceSettings, read_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestLimitSettings(ServiceSettings):
    """What a client may send: a larger body answers 413, larger headers 431, a body
    that stops arriving for this many seconds 408."""

    max_request_body_bytes: int = Field(default=1_048_576, gt=0)
    # Below the 64 KiB request line that uvicorn's parser accepts, so that a longer
    # request target gets this JSON 414 rather than the server's plain-text 400.
    max_request_header_bytes: int = Field(default=32_768, gt=0)
    request_body_timeout_seconds: float = Field(default=10.0, gt=0)


class Refusal(Exception):
    """A request the limits turn away: its status, reason and whether to close."""

    def __init__(self, status: int, detail: str, *, close: bool = False) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.close = close


class ClientDisconnected(Exception):
    """The client went away while sending its body: nobody to answer."""


class RequestLimits:
    """ASGI middleware enforcing the request limits of the settings (see above)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = read_settings(RequestLimitSettings)
        try:
            check_headers(scope, settings.max_request_header_bytes)
            if not has_body(scope):
                await self.app(scope, receive, send)
                return
            body = await read_body(scope, receive, settings)
        except Refusal as refusal:
            await answer(send, refusal)
            return
        except ClientDisconnected:
            return
        await self.app(scope, replay(body, receive), send)


def check_headers(scope: Scope, limit: int) -> None:
    """Raise Refusal when the request target or the headers exceed `limit` bytes."""
    target = len(scope.get("raw_path") or scope["path"].encode())
    target += len(scope.get("query_string", b""))
    if target > limit:
        raise Refusal(414, f"the request target is longer than {limit} bytes")
    size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
    if size > limit:
        raise Refusal(431, f"the request headers take more than {limit} bytes")


def has_body(scope: Scope) -> bool:
    """Whether the request announces a body (a length above 0, or chunks)."""
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return True
        if name == b"content-length" and value != b"0":
            return True
    return False


async def read_body(
    scope: Scope, receive: Receive, settings: RequestLimitSettings
) -> bytes:
    """The whole body, within the size and time limits of `settings`."""
    limit = settings.max_request_body_bytes
    too_large = Refusal(413, f"the request body is larger than {limit} bytes")
    if declared_length(scope) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await next_message(receive, settings.request_body_timeout_seconds)
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def declared_length(scope: Scope) -> int:
    """The Content-Length header (the server has checked it is a number), or 0."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value)
    return 0


async def next_message(receive: Receive, timeout: float) -> Message:
    try:
        return await asyncio.wait_for(receive(), timeout)
    except TimeoutError:
        raise Refusal(
            408, f"the request body stopped arriving for {timeout:g} s", close=True
        ) from None


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the application the body read, then the client's
    own messages (a disconnect, while a response streams)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive_replayed() -> Message:
        return pending.pop() if pending else await receive()

    return receive_replayed


async def answer(send: Send, refusal: Refusal) -> None:
    """A JSON answer, `{"detail": ...}`, like every other answer of the API."""
    body = json.dumps({"detail": refusal.detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if refusal.close:
        headers.append((b"connection", b"close"))
    await send(
        {"type": "http.response.start", "status": refusal.status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": body})
