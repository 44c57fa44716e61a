"""What only the Django glue does: host validation, form and malformed bodies."""

import asyncio
import importlib
import sys

import httpx2
import pytest
import sentry_sdk

from .conftest import TEST_DSN, CapturingTransport


def test_disallowed_host_is_not_reported(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    response = client.get("/health", headers={"Host": "evil.example.com"})
    assert response.status_code == 400
    assert transport.events == []


def test_form_bodies_of_failing_requests_are_scrubbed(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    response = client.post(
        "/api/v1/test/error",
        data={
            "error_type": "exception",
            "message": "for leak.me@example.com",
            "password": "hunter2-form",
        },
    )
    assert response.status_code == 500
    (event,) = transport.events
    assert event["request"]["data"]
    text = repr(event)
    assert "hunter2-form" not in text
    assert "leak.me@example.com" not in text


@pytest.mark.parametrize(
    "body",
    [b'{"error_type": "exception", "password": "hunter2-bad"', b"[1, 2]", b"\xff\xfe"],
    ids=["truncated", "not an object", "not UTF-8"],
)
def test_malformed_json_answers_400_without_an_event(
    transport: CapturingTransport, client: httpx2.Client, body: bytes
) -> None:
    response = client.post(
        "/api/v1/test/error",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert transport.events == []


def test_the_asgi_lifespan_is_answered_without_an_event(
    transport: CapturingTransport,
) -> None:
    from {{ cookiecutter.project_slug }}.config.asgi import application

    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, str]] = []

    async def receive() -> dict[str, str]:
        return incoming.pop(0)

    async def send(message: dict[str, str]) -> None:
        sent.append(message)

    asyncio.run(application({"type": "lifespan"}, receive, send))
    assert [message["type"] for message in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert transport.events == []


@pytest.mark.parametrize("environment", ["development", "production"])
def test_the_settings_never_start_sentry(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    """The entry points (asgi, wsgi, manage.py) do: a worker that loads Django
    imports the settings too, and must start Sentry as the worker."""
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    module = f"{{ cookiecutter.project_slug }}.config.settings.{environment}"
    sys.modules.pop(module, None)
    importlib.import_module(module)
    assert not sentry_sdk.get_client().is_active()
