{%- set django = cookiecutter.framework == "django" -%}
{%- set graphql = cookiecutter.framework == "starlette-graphql" -%}
"""Client mistakes answer 4xx in JSON, with the same status in every framework of
this template, never echo what the client sent, and never become a Sentry event.

- 400: the body is not JSON;
- 404, 405: no such route, or not this method;
- 413: the body is over MAX_REQUEST_BODY_BYTES;
- 415: a body of another media type{% if django %} (Django also reads form bodies){% endif %};
- 422: no body, or JSON that does not say what the route needs.

Headers, stalled and chunked bodies: test_request_limits.py.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from .conftest import CapturingTransport

# Planted in every mistake: no answer may carry it back.
SECRET = "hunter2-planted-secret"
ERROR_PATH = "/api/v1/test/error"
JSON_TYPE = {"Content-Type": "application/json"}
# MAX_REQUEST_BODY_BYTES in these tests.
LIMIT = 65_536


@dataclass(frozen=True)
class Mistake:
    method: str
    path: str
    status: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _sized(fields: dict[str, str], size: int) -> bytes:
    """A JSON object of exactly `size` bytes: `fields` and a filler."""
    filler = size - len(_json(fields | {"filler": ""}))
    return _json(fields | {"filler": "x" * filler})


@pytest.fixture(autouse=True)
def body_limit(monkeypatch: pytest.MonkeyPatch{% if django %}, settings: Any{% endif %}) -> None:
    monkeypatch.setenv("MAX_REQUEST_BODY_BYTES", str(LIMIT))
{%- if django %}
    # Read once by the settings module, as Django reads it.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
{%- endif %}


MISTAKES = {
    "no body": Mistake("POST", ERROR_PATH, 422),
    "an empty JSON body": Mistake("POST", ERROR_PATH, 422, b"", JSON_TYPE),
    "a text/plain body": Mistake(
        "POST", ERROR_PATH, 415, SECRET.encode(), {"Content-Type": "text/plain"}
    ),
    "an XML body": Mistake(
        "POST",
        ERROR_PATH,
        415,
        f"<error_type>{SECRET}</error_type>".encode(),
        {"Content-Type": "application/xml"},
    ),
    "malformed JSON": Mistake(
        "POST", ERROR_PATH, 400, _json({"password": SECRET})[:-1], JSON_TYPE
    ),
    "invalid UTF-8": Mistake(
        "POST", ERROR_PATH, 400, _json({"password": SECRET}) + b"\xff", JSON_TYPE
    ),
    "JSON nested deeper than the parser goes": Mistake(
        "POST", ERROR_PATH, 400, b"[" * 20_000 + b"]" * 20_000, JSON_TYPE
    ),
    "a JSON array": Mistake("POST", ERROR_PATH, 422, _json([SECRET]), JSON_TYPE),
    "a JSON string": Mistake("POST", ERROR_PATH, 422, _json(SECRET), JSON_TYPE),
    "JSON null": Mistake("POST", ERROR_PATH, 422, b"null", JSON_TYPE),
    "a field of the wrong type": Mistake(
        "POST", ERROR_PATH, 422, _json({"error_type": {"password": SECRET}}), JSON_TYPE
    ),
    "an unknown error_type": Mistake(
        "POST", ERROR_PATH, 422, _json({"error_type": SECRET}), JSON_TYPE
    ),
    "a message that is not text": Mistake(
        "POST",
        ERROR_PATH,
        422,
        _json({"error_type": "message", "message": {"password": SECRET}}),
        JSON_TYPE,
    ),
    "a message holding a NUL": Mistake(
        "POST",
        ERROR_PATH,
        422,
        _json({"error_type": "message", "message": SECRET + "\x00"}),
        JSON_TYPE,
    ),
    "a message holding a lone surrogate": Mistake(
        "POST",
        ERROR_PATH,
        422,
        _json({"error_type": "message", "message": SECRET + "\ud800"}),
        JSON_TYPE,
    ),
    "a form body": Mistake(
        "POST",
        ERROR_PATH,
        {{ 422 if django else 415 }},
        f"error_type={SECRET}&password={SECRET}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    "an unknown route": Mistake("GET", f"/api/v1/{SECRET}", 404),
    "a wrong method": Mistake("GET", ERROR_PATH, 405),
    "a POST to a read-only route": Mistake("POST", "/health", 405, b"{}", JSON_TYPE),
    "a DELETE to a read-only route": Mistake("DELETE", "/health", 405),
{%- if not graphql %}
    "a POST to who-am-I": Mistake("POST", "/api/v1/auth/me", 405, b"{}", JSON_TYPE),
{%- endif %}
    "a body over the limit": Mistake(
        "POST", ERROR_PATH, 413, _sized({"password": SECRET}, LIMIT + 1), JSON_TYPE
    ),
{%- if not graphql %}
    "a login without a username": Mistake(
        "POST",
        "/api/v1/auth/login",
        422,
        _sized({"password": SECRET}, LIMIT),
        JSON_TYPE,
    ),
    "a login name holding a NUL": Mistake(
        "POST",
        "/api/v1/auth/login",
        422,
        _json({"username": "ja\x00ne", "password": SECRET}),
        JSON_TYPE,
    ),
    "a registration e-mail holding a NUL": Mistake(
        "POST",
        "/api/v1/auth/register",
        422,
        _json(
            {"username": "jane", "email": "ja\x00ne@example.com", "password": SECRET}
        ),
        JSON_TYPE,
    ),
    "a registration with a user name too long to store": Mistake(
        "POST",
        "/api/v1/auth/register",
        422,
        _json({"username": "j" * 151, "email": "jane@example.com", "password": SECRET}),
        JSON_TYPE,
    ),
    "a registration with a password too long": Mistake(
        "POST",
        "/api/v1/auth/register",
        422,
        _json(
            {"username": "jane", "email": "jane@example.com", "password": SECRET * 8}
        ),
        JSON_TYPE,
    ),
    "a registration with an e-mail that is not one": Mistake(
        "POST",
        "/api/v1/auth/register",
        422,
        _json({"username": "jane", "email": "@", "password": SECRET}),
        JSON_TYPE,
    ),
    "a login with a number for a name": Mistake(
        "POST",
        "/api/v1/auth/login",
        422,
        _json({"username": 12, "password": SECRET}),
        JSON_TYPE,
    ),
{%- endif %}
{%- if cookiecutter.worker != "none" %}
    "a fail flag that is not true or false": Mistake(
        "POST",
        "/api/v1/tasks/orders",
        422,
        _json({"order_id": "A-1", "email": "buyer@example.com", "fail": SECRET}),
        JSON_TYPE,
    ),
{%- endif %}
}


@pytest.mark.parametrize("name", MISTAKES)
def test_a_client_mistake_answers_4xx_in_json_without_an_event(
    transport: CapturingTransport, client: Any, name: str
) -> None:
    mistake = MISTAKES[name]
    response = client.request(
        mistake.method, mistake.path, content=mistake.content, headers=mistake.headers
    )
    assert response.status_code == mistake.status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"]
    assert SECRET not in response.text, "the answer echoes what the client sent"
    assert len(response.content) < 2_000
    assert transport.events == []


def test_a_body_at_the_limit_is_read(
    transport: CapturingTransport, client: Any
) -> None:
    body = _sized({"error_type": "message", "message": "at the limit"}, LIMIT)
    response = client.post(ERROR_PATH, content=body, headers=JSON_TYPE)
    assert response.status_code == 200, response.text[:500]
    (event,) = transport.events
    assert response.json()["event_id"] == event["event_id"]
