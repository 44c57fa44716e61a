"""What only the Django glue does: host validation, form bodies, JSON answers even
where Django answers in HTML (debug pages), the ASGI lifespan."""

import asyncio
import importlib
import json
import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import httpx2
import pytest
import sentry_sdk

from {{ cookiecutter.project_slug }}.core.logs import configure_logging

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


# Django's debug pages (development) are HTML: the API answers JSON all the same.
MISTAKES_IN_DEVELOPMENT = {
    "malformed JSON": ("POST", "/api/v1/test/error", b'{"error_type": ', 400),
    "an unknown route": ("GET", "/api/v1/nowhere", b"", 404),
    "a wrong method": ("GET", "/api/v1/test/error", b"", 405),
    # No redirect to the path with a slash (for a POST, an error in development).
    "a path without its slash": ("POST", "/api/v1/notes", b"{}", 404),
}


@pytest.mark.parametrize("name", MISTAKES_IN_DEVELOPMENT)
def test_development_answers_client_mistakes_in_json(
    settings: Any, transport: CapturingTransport, client: httpx2.Client, name: str
) -> None:
    settings.DEBUG = True
    method, path, body, status = MISTAKES_IN_DEVELOPMENT[name]
    response = client.request(
        method, path, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert response.json()["detail"]
    assert len(response.content) < 500
    assert transport.events == []


def test_development_answers_a_server_error_in_json_and_reports_it(
    settings: Any, transport: CapturingTransport, client: httpx2.Client
) -> None:
    settings.DEBUG = True
    response = client.post("/api/v1/test/error", json={"error_type": "zero"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    (event,) = transport.events
    assert event["exception"]["values"][-1]["type"] == "ZeroDivisionError"


def test_a_server_error_is_logged_once(
    transport: CapturingTransport,
    client: httpx2.Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post("/api/v1/test/error", json={"error_type": "zero"})
    assert response.status_code == 500
    logged = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert logged == ["Internal Server Error: /api/v1/test/error"]


def test_error_answer_lines_carry_the_request_id(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    client: httpx2.Client,
) -> None:
    """Django's "Not Found: /x" lines are the request's lines, whether Django or a
    view made the answer."""
    monkeypatch.setenv("LOG_FORMAT", "json")
    configure_logging()
    headers = {"X-Request-ID": "req-4xx"}
    assert client.get("/api/v1/nowhere", headers=headers).status_code == 404
    mistake = {"error_type": "nope"}
    response = client.post("/api/v1/test/error", json=mistake, headers=headers)
    assert response.status_code == 422
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    django_lines = [line for line in lines if line["logger"] == "django.request"]
    assert [line["event"] for line in django_lines] == [
        "Not Found: /api/v1/nowhere",
        "Unprocessable Entity: /api/v1/test/error",
    ]
    assert {line.get("request_id") for line in django_lines} == {"req-4xx"}


def test_the_asgi_lifespan_is_answered_without_an_event(
    transport: CapturingTransport,
) -> None:
    from {{ cookiecutter.project_slug }}.config.asgi import application

    incoming: list[MutableMapping[str, Any]] = [
        {"type": "lifespan.startup"},
        {"type": "lifespan.shutdown"},
    ]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
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
