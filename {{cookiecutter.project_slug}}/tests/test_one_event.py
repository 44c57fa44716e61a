"""One event per error, served by uvicorn as in production.

uvicorn logs an error the app let through ("Exception in ASGI application", logger
`uvicorn.error`); that record may not build a second event (which the SDK would
only drop as a duplicate, an `event_processor` discard in its client reports). What
only the log reports, a failing start-up, still arrives.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpx2
{%- if cookiecutter.framework == "django" %}
import pytest
{%- endif %}
import sentry_sdk
import uvicorn

from .envelope_receiver import EnvelopeReceiver

ERROR_PATH = "/api/v1/test/error"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(app: Any) -> Iterator[uvicorn.Server]:
    """`app` served by uvicorn on 127.0.0.1 in a thread, until the block ends (or
    until its start-up fails)."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=free_port(), lifespan="on", log_level="info"
    )
    server = uvicorn.Server(config)

    def run() -> None:
        with suppress(SystemExit):  # uvicorn's exit when the start-up fails.
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def the_app() -> Any:
    """The ASGI application the README's uvicorn command serves."""
{%- if cookiecutter.framework == "django" %}
    from {{ cookiecutter.project_slug }}.config.asgi import application

    return application
{%- else %}
    from {{ cookiecutter.project_slug }}.main import app

    return app
{%- endif %}


def discards(receiver: EnvelopeReceiver) -> list[dict[str, Any]]:
    return [
        discard
        for kind, payload in receiver.items
        if kind == "client_report"
        for discard in payload.get("discarded_events", [])
    ]


{% if cookiecutter.framework == "django" -%}
@pytest.mark.django_db(transaction=True)
{% endif -%}
def test_a_failing_request_builds_one_event(sending: EnvelopeReceiver) -> None:
    with served(the_app()) as server:
        assert server.started
        base = f"http://127.0.0.1:{server.config.port}"
        response = httpx2.post(
            base + ERROR_PATH,
            json={"error_type": "exception"},
            # A host every framework's test settings allow.
            headers={"Host": "localhost"},
            timeout=20,
        )
        assert response.status_code == 500
        sentry_sdk.get_client().flush(timeout=5)
    events = [payload for kind, payload in sending.items if kind == "event"]
    assert len(events) == 1, [event.get("logger") for event in events]
    assert events[0]["exception"]["values"][-1]["value"].startswith("Test exception")
    assert not [d for d in discards(sending) if d["reason"] == "event_processor"]


def test_a_failing_start_up_still_reports(sending: EnvelopeReceiver) -> None:
    async def failing_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            raise RuntimeError("start-up failed on purpose")

    with served(failing_app) as server:
        assert not server.started
    sentry_sdk.get_client().flush(timeout=5)
    texts = [
        str(payload)
        for kind, payload in sending.items
        if kind == "event" and payload.get("logger") == "uvicorn.error"
    ]
    assert any("start-up failed on purpose" in text for text in texts), texts
