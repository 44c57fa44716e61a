"""End to end: the baked service, started as its README says, reports a failing
request to a real Bugsink - with environment, release, user, tags and request
data, and without any secret. The envelope recorder in between also checks the
transactions Bugsink does not store.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.bugsink import Bugsink
from tests.e2e.client import sign_up
from tests.e2e.planted import (
    CARD,
    EMAIL,
    JWT,
    PLANTED,
    PLANTED_HEADERS,
    PLANTED_PARAMS,
    planted_message,
    secrets_found,
)
from tests.e2e.recorder import Item, Recorder
from tests.e2e.service import Service
from tests.helpers.combos import DEFAULT_SLUG

pytestmark = [pytest.mark.e2e]

ERROR_PATH = "/api/v1/test/error"
USER = {
    "username": "e2e_user",
    "email": "e2e.user@example.com",
    "password": "E2e-Passw0rd-very-private",
}
SECRET_MESSAGE = f"customer {EMAIL} paid with {CARD} using token {JWT}"


@dataclass
class FailedRequest:
    """What the test sent and what the service answered."""

    user_id: str
    access_token: str
    response: httpx.Response


@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def failed_request(
    client: httpx.Client, service: Service, framework: str
) -> FailedRequest:
    """Register and log in a user, then make the test-error endpoint fail with
    secrets planted in the body, the headers, the cookies and the query."""
    user_id, token = sign_up(client, framework, USER)
    response = client.post(
        ERROR_PATH,
        params={
            "api_key": PLANTED["api_key query"],
            "token": PLANTED["token query"],
            **PLANTED_PARAMS,
        },
        json={
            "error_type": "exception",
            "message": planted_message(f"{SECRET_MESSAGE} {marker(framework)}"),
            "password": PLANTED["body password"],
        },
        headers={
            **PLANTED_HEADERS,
            "Authorization": f"Bearer {token}",
            "X-Api-Key": PLANTED["X-Api-Key header"],
            "Cookie": f"sessionid={PLANTED['session cookie']}",
        },
    )
    return FailedRequest(user_id=user_id, access_token=token, response=response)


def marker(framework: str) -> str:
    """A harmless word in the error message telling one service's event from
    another's (every service of the session reports to the same Bugsink)."""
    return f"e2e-{framework}"


def is_failing_request_event(event: dict[str, Any], framework: str) -> bool:
    data = event.get("data") or {}
    url = (data.get("request") or {}).get("url") or ""
    values = (data.get("exception") or {}).get("values") or []
    text = " ".join(str(value.get("value")) for value in values)
    return ERROR_PATH in url and marker(framework) in text


def is_runtime_error(service: Service, module: str | None, name: str) -> bool:
    """Is the exception class ``module.name`` RuntimeError or a subclass of it?"""
    if name == "RuntimeError":
        return True
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return False
    code = (
        "import importlib\n"
        f"cls = getattr(importlib.import_module({module!r}), {name!r}, None)\n"
        "print(isinstance(cls, type) and issubclass(cls, RuntimeError))"
    )
    return service.python(code) == "True"


@pytest.fixture(scope="module")
def bugsink_event(
    failed_request: FailedRequest,
    bugsink_server: Bugsink,
    service: Service,
    framework: str,
) -> dict[str, Any]:
    """The event Bugsink stored for the failing request (polls up to 30 s)."""
    assert failed_request.response.status_code == 500
    events = bugsink_server.events(
        timeout=30, predicate=lambda event: is_failing_request_event(event, framework)
    )
    if not events:
        stored = [
            [(v.get("type"), v.get("value")) for v in e["data"]["exception"]["values"]]
            for e in bugsink_server.all_events()
            if (e.get("data") or {}).get("exception")
        ]
        pytest.fail(
            "no RuntimeError event for the failing request reached Bugsink in 30 s; "
            f"stored: {stored}\nservice log:\n{service.log()}"
        )
    return events[0]["data"]


def test_health_shows_sentry_without_the_dsn(
    client: httpx.Client, recorder_dsn: str
) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    sentry = body["sentry"]
    assert sentry["enabled"] is True
    assert sentry["dsn_configured"] is True
    assert sentry["environment"] == "staging"
    key = urllib.parse.urlsplit(recorder_dsn).username or ""
    assert recorder_dsn not in response.text
    assert key and key not in response.text, "the DSN's key is exposed by /health"


def test_failing_request_answers_500(failed_request: FailedRequest) -> None:
    assert failed_request.response.status_code == 500, failed_request.response.text


def test_event_context(
    bugsink_event: dict[str, Any],
    failed_request: FailedRequest,
    service: Service,
    framework: str,
) -> None:
    event = bugsink_event
    assert event.get("environment") == "staging"
    release = event.get("release") or ""
    assert release.startswith(f"{DEFAULT_SLUG}@"), f"release {release!r}"
    # The route needs no login: the bearer token still says who the request is.
    user = event.get("user") or {}
    assert str(user.get("id")) == failed_request.user_id, f"user {user!r}"
    request = event.get("request") or {}
    assert ERROR_PATH in (request.get("url") or ""), f"request {request!r}"
    assert request.get("method") == "POST", f"request {request!r}"
    assert event.get("tags"), "the event has no tags"
    values = event["exception"]["values"]
    types = [(v.get("module"), v.get("type")) for v in values]
    assert any(is_runtime_error(service, m, t) for m, t in types), (
        f"no RuntimeError among {types}"
    )


def test_no_secret_reaches_bugsink(
    bugsink_event: dict[str, Any],
    failed_request: FailedRequest,
    bugsink_server: Bugsink,
) -> None:
    extra = {
        "login access token": failed_request.access_token,
        "registered password": USER["password"],
    }
    leaks = secrets_found(json.dumps(bugsink_event), extra)
    assert not leaks, f"secrets in the Bugsink event: {leaks}"
    stored = json.dumps([event["data"] for event in bugsink_server.all_events()])
    leaks = secrets_found(stored, extra)
    assert not leaks, f"secrets in some event stored by Bugsink: {leaks}"


def _failing_transaction(service: Service) -> Callable[[Item], bool]:
    """Matches this service's transaction for the failing request (its port is its
    own, so another framework's service never matches)."""

    def matches(item: Item) -> bool:
        payload = item.payload if isinstance(item.payload, dict) else {}
        url = (payload.get("request") or {}).get("url") or ""
        return url.startswith(service.base_url + ERROR_PATH)

    return matches


def test_recorder_saw_the_transaction(
    bugsink_event: dict[str, Any], recorder: Recorder, service: Service
) -> None:
    transactions = recorder.wait_for(
        _failing_transaction(service), timeout=20, item_type="transaction"
    )
    assert transactions, (
        "no transaction for the failing request was sent; item types seen: "
        f"{sorted({item.type for item in recorder.items()})}; errors: {recorder.errors}"
    )


def test_no_secret_in_any_envelope(
    bugsink_event: dict[str, Any],
    failed_request: FailedRequest,
    recorder: Recorder,
    service: Service,
) -> None:
    # After the transaction arrived, every envelope of the request has been sent.
    recorder.wait_for(
        _failing_transaction(service), timeout=20, item_type="transaction"
    )
    assert not recorder.errors, recorder.errors
    everything = recorder.all_bytes().decode("utf-8", errors="replace")
    extra = {
        "login access token": failed_request.access_token,
        "registered password": USER["password"],
    }
    leaks = secrets_found(everything, extra)
    assert not leaks, f"secrets in the envelopes the SDK sent: {leaks}"


def large_marker(framework: str) -> str:
    """Tells the large request's event from the other failing request's."""
    return f"large-{framework}"


def test_an_event_over_1_mb_arrives_cut_to_fit(
    client: httpx.Client, bugsink_server: Bugsink, service: Service, framework: str
) -> None:
    """A body under the service's 1 MiB limit whose frames hold several megabytes
    (the message is in the exception and in the variables of each frame) still
    reaches Bugsink, which refuses events over 1 MiB."""
    message = f"{large_marker(framework)} " + "B" * 1_000_000
    response = client.post(
        ERROR_PATH, json={"error_type": "exception", "message": message}
    )
    assert response.status_code == 500, response.text[:200]

    def is_large_event(event: dict[str, Any]) -> bool:
        values = ((event.get("data") or {}).get("exception") or {}).get("values")
        return any(large_marker(framework) in str(v.get("value")) for v in values or [])

    events = bugsink_server.events(timeout=30, predicate=is_large_event)
    assert events, f"the large event never reached Bugsink\n{service.log()[-3000:]}"
    stored = events[0]["data"]
    assert len(json.dumps(stored)) < 1_048_576
    frames = [
        frame
        for value in stored["exception"]["values"]
        for frame in (value.get("stacktrace") or {}).get("frames", [])
    ]
    assert any(frame.get("vars") for frame in frames), "no frame variables kept"


def test_a_body_over_the_limit_answers_413_without_an_event(
    client: httpx.Client, recorder: Recorder, framework: str
) -> None:
    refused = f"refused-{framework}"
    message = f"{refused} " + "B" * 2_000_000
    response = client.post(
        ERROR_PATH, json={"error_type": "exception", "message": message}
    )
    assert response.status_code == 413, response.text[:200]
    assert response.json()["detail"]

    def mentions_refused(item: Item) -> bool:
        return refused in json.dumps(item.payload)

    assert not recorder.wait_for(mentions_refused, timeout=5, item_type="event")
