"""One log line per HTTP request, and the request id, in every framework.

`RequestLogging` (pure ASGI: the outermost middleware, see `features.wrap_asgi`, so
that it also sees the 500 answers of the framework's last-resort error handler) and
the framework's own middleware, where it has one, do the same with the functions
here:

- the request id is the client's `X-Request-ID` when it is a plain token (letters,
  digits, `._-`, at most 128 characters) in which the scrubbing policy finds
  nothing (no card number, token, IP address...), else a new one (32 hex digits); it is
  echoed in the response's `X-Request-ID`, set as the Sentry tag `request_id` of the
  request's transaction and error events, and carried by every line logged while the
  request runs (`core.logs.log_context`);
- when the response is done, one line on the `request` logger: "GET /path 200",
  with `method`, `path`, `status`, `duration_ms` (milliseconds), `client` (the
  address the server saw: the visitor's behind a trusted proxy, FORWARDED_ALLOW_IPS)
  and the ids of the request's Sentry transaction. It replaces the servers' access
  logs, which `core.logs.configure_logging` turns off. The address stays on this
  service's stdout (the scrubber removes it in strict mode) and never reaches Sentry
  without SENTRY_SEND_DEFAULT_PII.

An exception the application lets out is logged as status 500 and raised again.
"""

import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import sentry_sdk
import structlog

from . import logs, scrubber

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

logger = structlog.get_logger(logs.REQUEST_LOGGER)


def request_id(incoming: str | None) -> str:
    """`incoming` (the client's X-Request-ID) when it is a plain token that the
    scrubbing policy leaves as it is, else a new uuid4 hex. The id is written as it
    is on every line, tag and log of the request (`core.logs.KEPT_FIELDS`): a card
    number, a token or (strict mode) an IP address sent as one must not be."""
    if (
        incoming is not None
        and REQUEST_ID.fullmatch(incoming)
        and scrubber.scrub_text(incoming) == incoming
    ):
        return incoming
    return uuid.uuid4().hex


@contextmanager
def request_context(rid: str, *, outside_sentry: bool) -> Iterator[dict[str, Any]]:
    """The request's log context, and its Sentry tag `request_id`. `outside_sentry`:
    called before the framework's Sentry integration has made the request's scope:
    the tag then goes on a new isolation scope, which that one copies."""
    with logs.log_context(request_id=rid) as fields:
        if not outside_sentry:
            sentry_sdk.set_tag("request_id", rid)
            yield fields
            return
        with sentry_sdk.isolation_scope() as scope:
            scope.set_tag("request_id", rid)
            yield fields


def log_request(
    method: str,
    path: str,
    status: int,
    started: float,
    ids: tuple[str | None, str | None] | None = None,
    client: str | None = None,
) -> None:
    """The request's line; `started`: its `time.perf_counter()` at the start; `ids`:
    the trace and span ids of its Sentry transaction (by default the current
    span's); `client`: the client's address as the server saw it.

    The path is scrubbed on its own before it is joined to the message: a secret at
    its end (`/cards/4111111111111111`) must not hide in the message by running into
    the status that follows it (`.../4111111111111111 404`)."""
    path = scrubber.scrub_text(path)
    fields: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "client": client,
    }
    trace_id, span_id = ids or logs.trace_ids() or (None, None)
    if trace_id is not None:  # None: Sentry is off, or the request was not traced.
        fields.update(trace_id=trace_id, span_id=span_id)
    logger.info(f"{method} {path} {status}", **fields)


class RequestLogging:
    """ASGI middleware: the request id, and one line per request (see above)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(header(scope, REQUEST_ID_HEADER))
        sent: dict[str, Any] = {"status": 500, "ids": (None, None)}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Sent from inside the framework's Sentry transaction: its ids.
                sent["status"], sent["ids"] = message["status"], logs.trace_ids()
                headers = list(message.get("headers") or [])
                headers.append((REQUEST_ID_HEADER.lower().encode(), rid.encode()))
                message["headers"] = headers
            await send(message)

        with request_context(rid, outside_sentry=True):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as error:
                # The server logs it once this context is gone: with these ids.
                trace_id, span_id = sent["ids"] or (None, None)
                logs.keep_fields(
                    error, request_id=rid, trace_id=trace_id, span_id=span_id
                )
                raise
            finally:
                method, path = scope.get("method", ""), scope.get("path", "")
                client = (scope.get("client") or (None,))[0]
                log_request(method, path, sent["status"], started, sent["ids"], client)


def header(scope: Scope, name: str) -> str | None:
    """The value of header `name` in an ASGI scope (the first), or None."""
    wanted = name.lower().encode("latin-1")
    for key, value in scope.get("headers") or ():
        if key.lower() == wanted:
            return str(value.decode("latin-1"))
    return None
