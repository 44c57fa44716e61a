"""JWT login/logout/me, and the Sentry user and breadcrumbs they produce."""

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.project_slug }}.core.settings import get_settings

from .conftest import CapturingTransport, Flush

EXPLORERS = ("/docs", "/redoc", "/openapi.json")

USER = {"username": "jane", "email": "jane@example.com", "password": "s3cret-pass!"}


def _login(client: TestClient) -> tuple[int, dict[str, str]]:
    registered = client.post("/api/v1/auth/register", json=USER)
    assert registered.status_code == 201
    response = client.post(
        "/api/v1/auth/login",
        json={"username": USER["username"], "password": USER["password"]},
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    return registered.json()["id"], {"Authorization": f"Bearer {token}"}


def test_register_login_me_logout(client: TestClient) -> None:
    user_id, headers = _login(client)
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.json() == {"id": user_id, "username": "jane", "email": USER["email"]}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_duplicate_and_wrong_password(client: TestClient) -> None:
    _login(client)
    assert client.post("/api/v1/auth/register", json=USER).status_code == 409
    wrong = {"username": USER["username"], "password": "nope-nope"}
    assert client.post("/api/v1/auth/login", json=wrong).status_code == 401


@pytest.mark.parametrize(
    "taken",
    [{"username": "JANE"}, {"email": "Jane@Example.COM"}],
    ids=["name", "email"],
)
def test_a_username_or_email_in_another_case_is_taken(
    client: TestClient, taken: dict[str, str]
) -> None:
    _login(client)
    other = {"username": "joan", "email": "joan@example.com"} | taken
    response = client.post("/api/v1/auth/register", json=USER | other)
    assert response.status_code == 409
    assert response.json() == {"detail": "user already exists"}


def test_login_takes_the_username_in_any_case(client: TestClient) -> None:
    user_id, _ = _login(client)
    credentials = {"username": "JaNe", "password": USER["password"]}
    response = client.post("/api/v1/auth/login", json=credentials)
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me == {"id": user_id, "username": "jane", "email": USER["email"]}


def test_authenticated_errors_carry_the_user(
    transport: CapturingTransport, client: TestClient
) -> None:
    user_id, headers = _login(client)
    client.post("/api/v1/test/error", json={"error_type": "zero"}, headers=headers)
    (event,) = transport.events
    assert event["user"]["id"] == str(user_id)
    if get_settings().pii_mode == "standard":
        assert event["user"]["username"] == "jane"
    else:
        assert set(event["user"]) == {"id"}
    auth_crumbs = [
        crumb
        for crumb in event["breadcrumbs"]["values"]
        if crumb.get("category") == "auth"
    ]
    assert auth_crumbs[-1]["message"] == "Authenticated request"


def test_user_does_not_leak_into_anonymous_requests(
    transport: CapturingTransport, client: TestClient
) -> None:
    _, headers = _login(client)
    client.get("/api/v1/auth/me", headers=headers)
    client.post("/api/v1/test/error", json={"error_type": "zero"})
    (event,) = transport.events
    assert not event.get("user", {}).get("id")


def test_logout_clears_the_user(
    transport: CapturingTransport, client: TestClient, flush: Flush
) -> None:
    _, headers = _login(client)
    client.get("/api/v1/auth/me", headers=headers)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    flush()
    by_name = {sent["transaction"]: sent for sent in transport.transactions}
    assert by_name["/api/v1/auth/me"]["user"]["id"]
    assert not by_name["/api/v1/auth/logout"].get("user", {}).get("id")


def test_invalid_token_is_a_breadcrumb_not_an_error(
    transport: CapturingTransport, client: TestClient
) -> None:
    headers = {"Authorization": "Bearer not.a.token"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    client.post("/api/v1/test/error", json={"error_type": "zero"}, headers=headers)
    (event,) = transport.events
    assert not event.get("user", {}).get("id")
    messages = [crumb.get("message") for crumb in event["breadcrumbs"]["values"]]
    assert "Rejected bearer token" in messages


def test_requests_are_traced_with_database_spans(
    transport: CapturingTransport, client: TestClient, flush: Flush
) -> None:
    _, headers = _login(client)
    client.get("/api/v1/auth/me", headers=headers)
    flush()
    (me,) = [t for t in transport.transactions if t["transaction"] == "/api/v1/auth/me"]
    db_spans = [span for span in me["spans"] if span["op"] == "db"]
    assert any("FROM users" in span["description"] for span in db_spans)


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_the_api_explorers_are_off_in_production(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    """/docs, /redoc and the OpenAPI schema show every route: never in production."""
    monkeypatch.setenv("ENVIRONMENT", environment)
    from {{ cookiecutter.project_slug }}.api.app import create_app

    with TestClient(create_app()) as client:
        statuses = {client.get(path).status_code for path in EXPLORERS}
    assert statuses == ({404} if environment == "production" else {200})
