"""/health and the test-error endpoint, through the framework's real request stack."""

import httpx2
import pytest

from .conftest import TEST_DSN, CapturingTransport, Flush

ERROR_PATH = "/api/v1/test/error"
{%- if cookiecutter.framework == "django" %}
# Django has no HTTP 500 exception: the view reports a SentryTestError, answers 500.
HTTP_ERROR_TYPE = "SentryTestError"
{%- else %}
HTTP_ERROR_TYPE = "HTTPException"
{%- endif %}


def test_health_reports_sentry_status_without_the_dsn(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["sentry"]["enabled"] is True
    assert body["sentry"]["dsn_configured"] is True
    assert body["sentry"]["environment"] == "development"
    assert TEST_DSN not in response.text
    assert "public@" not in response.text


def test_health_answers_head_for_uptime_monitors(client: httpx2.Client) -> None:
    # The status only: the server, not the app, leaves a HEAD answer's body out.
    assert client.head("/health").status_code == 200


def test_health_without_sentry(client: httpx2.Client) -> None:
    body = client.get("/health").json()
    assert body["sentry"]["enabled"] is False
    assert body["sentry"]["dsn_configured"] is False


def test_health_checks_are_not_traced(
    transport: CapturingTransport, client: httpx2.Client, flush: Flush
) -> None:
    client.get("/health")
    flush()
    assert transport.transactions == []


@pytest.mark.parametrize(
    ("error_type", "exception_type"),
    [
        ("exception", "SentryTestError"),
        ("zero", "ZeroDivisionError"),
        ("http", HTTP_ERROR_TYPE),
    ],
)
def test_failing_requests_become_events(
    transport: CapturingTransport,
    client: httpx2.Client,
    error_type: str,
    exception_type: str,
) -> None:
    response = client.post(ERROR_PATH, json={"error_type": error_type})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"  # As every answer.
    assert set(response.json()) == {"detail"}
    (event,) = transport.events
    assert event["exception"]["values"][-1]["type"] == exception_type
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"].endswith(ERROR_PATH)
    assert event["transaction"] == ERROR_PATH
    assert event["environment"] == "development"
    assert event["tags"]["service"] == "web"


@pytest.mark.parametrize(
    ("error_type", "fingerprint_start"),
    [
        ("database", ["database"]),
        ("authentication", ["auth", "AuthenticationError"]),
        ("external_service", ["external-service", "payments"]),
        ("rate_limit", ["rate-limit", "test-error"]),
        ("validation", ["validation", "ValidationError"]),
    ],
)
def test_error_categories_get_their_fingerprint(
    transport: CapturingTransport,
    client: httpx2.Client,
    error_type: str,
    fingerprint_start: list[str],
) -> None:
    response = client.post(ERROR_PATH, json={"error_type": error_type})
    assert response.status_code == 500
    (event,) = transport.events
    fingerprint = event["fingerprint"]
    assert fingerprint[: len(fingerprint_start)] == fingerprint_start, fingerprint


@pytest.mark.parametrize("error_type", ["capture", "message"])
def test_handled_reports_return_the_event_id(
    transport: CapturingTransport, client: httpx2.Client, error_type: str
) -> None:
    response = client.post(ERROR_PATH, json={"error_type": error_type})
    assert response.status_code == 200
    (event,) = transport.events
    assert response.json()["event_id"] == event["event_id"]


def test_client_errors_are_not_reported(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    assert client.post(ERROR_PATH, json={"error_type": "bogus"}).status_code == 422
    assert client.get("/no/such/route").status_code == 404
    assert transport.events == []


def test_secrets_in_a_failing_request_are_scrubbed(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    response = client.post(
        ERROR_PATH,
        params={"api_key": "querysecret456"},
        json={
            "error_type": "exception",
            "message": "card 4111 1111 1111 1111 owner leak.me@example.com",
            "password": "hunter2-body",
        },
        headers={
            "X-Api-Key": "sk_live_headersecret",
            "Cookie": "sessionid=cookiesecret123",
        },
    )
    assert response.status_code == 500
    text = repr(transport.events)
    for secret in (
        "querysecret456",
        "4111 1111 1111 1111",
        "leak.me@example.com",
        "hunter2-body",
        "sk_live_headersecret",
        "cookiesecret123",
    ):
        assert secret not in text


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    """ENVIRONMENT=production, set before the app reads it (list it before client)."""
    monkeypatch.setenv("ENVIRONMENT", "production")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"error_type": "exception"}', "application/json"),
        (b'{"error_type": ', "application/json"),
        (b'{"error_type": "no such kind"}', "application/json"),
        (b"", "application/json"),
        (b"error_type=exception", "text/plain"),
    ],
    ids=["valid", "malformed", "invalid", "empty", "text"],
)
def test_test_error_endpoint_is_hidden_in_production(
    production: None,
    transport: CapturingTransport,
    client: httpx2.Client,
    flush: Flush,
    content: bytes,
    content_type: str,
) -> None:
    """Hidden whatever the body: its answer never tells the route is there."""
    response = client.post(
        ERROR_PATH, content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    flush()
    assert transport.events == []
