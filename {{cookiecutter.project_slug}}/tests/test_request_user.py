{%- set django = cookiecutter.framework == "django" -%}
{%- set graphql = cookiecutter.framework == "starlette-graphql" -%}
"""The user on an event is exactly the one the request authenticated as.

On every route (here the REST test-error route, which needs no login): a valid
bearer token's user, read from the database; nobody after logout, with an expired,
forged or malformed token, or for a user deactivated or deleted since.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
{%- if django %}
from django.contrib.auth import get_user_model
{%- endif %}

from {{ cookiecutter.project_slug }}.core.settings import get_settings, read_settings
{%- if not django %}
from {{ cookiecutter.project_slug }}.db import get_sessionmaker
from {{ cookiecutter.project_slug }}.models import User
{%- endif %}
from {{ cookiecutter.project_slug }}.tokens import ALGORITHM, AuthSettings

from .conftest import CapturingTransport

PASSWORD = "s3cret-pass!word"
ERROR_PATH = "/api/v1/test/error"
{%- if graphql %}
REGISTER = """
mutation Register($username: String!, $email: String!, $password: String!) {
  register(username: $username, email: $email, password: $password) { id }
}"""
LOGIN = """
mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) { accessToken }
}"""
{%- endif %}


def sign_up(client: Any, username: str) -> tuple[str, str]:
    """Register and log in `username`; return the user's id and an access token."""
    email = f"{username}@example.com"
{%- if graphql %}
    registered = _graphql(
        client, REGISTER, {"username": username, "email": email, "password": PASSWORD}
    )
    logged_in = _graphql(client, LOGIN, {"username": username, "password": PASSWORD})
    return str(registered["register"]["id"]), logged_in["login"]["accessToken"]


def log_out(client: Any, token: str) -> None:
    assert _graphql(client, "mutation Logout { logout }", {}, token) == {"logout": True}


def _graphql(
    client: Any, query: str, variables: dict[str, str], token: str | None = None
) -> Any:
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
{%- else %}
    registered = client.post(
        "/api/v1/auth/register",
        json={"username": username, "email": email, "password": PASSWORD},
    )
    assert registered.status_code == 201, registered.text
    logged_in = client.post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert logged_in.status_code == 200, logged_in.text
    return str(registered.json()["id"]), logged_in.json()["access_token"]


def log_out(client: Any, token: str) -> None:
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
{%- endif %}


def deactivate(user_id: str) -> None:
{%- if django %}
    get_user_model().objects.filter(pk=user_id).update(is_active=False)
{%- else %}
    with get_sessionmaker()() as session:
        user = session.get(User, int(user_id))
        assert user is not None
        user.is_active = False
        session.commit()
{%- endif %}


def delete(user_id: str) -> None:
{%- if django %}
    get_user_model().objects.filter(pk=user_id).delete()
{%- else %}
    with get_sessionmaker()() as session:
        session.delete(session.get(User, int(user_id)))
        session.commit()
{%- endif %}


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token is not None else {}


def failing_request(
    client: Any, transport: CapturingTransport, headers: dict[str, str]
) -> dict[str, Any]:
    """The one event of a request that fails on purpose."""
    before = len(transport.events)
    response = client.post(ERROR_PATH, json={"error_type": "zero"}, headers=headers)
    assert response.status_code == 500
    (event,) = transport.events[before:]
    return event


def user_id_of(event: dict[str, Any]) -> str | None:
    return (event.get("user") or {}).get("id")


def rejections(event: dict[str, Any]) -> list[str]:
    return [
        (crumb.get("data") or {}).get("reason", "")
        for crumb in event["breadcrumbs"]["values"]
        if crumb.get("message") == "Rejected bearer token"
    ]


def test_a_request_carries_the_user_of_its_token(
    transport: CapturingTransport, client: Any
) -> None:
    user_id, token = sign_up(client, "jane")
    event = failing_request(client, transport, bearer(token))
    assert user_id_of(event) == user_id
    if get_settings().pii_mode == "standard":
        assert event["user"]["username"] == "jane"
        assert event["user"]["email"] == "jane@example.com"
    else:
        assert set(event["user"]) == {"id"}


def test_the_next_request_without_a_token_has_no_user(
    transport: CapturingTransport, client: Any
) -> None:
    _, token = sign_up(client, "jane")
    failing_request(client, transport, bearer(token))
{%- if django %}
    # Without the session cookie the login also set (test_django_auth.py).
    client.cookies.clear()
{%- endif %}
    assert user_id_of(failing_request(client, transport, {})) is None


def test_no_user_after_logout(transport: CapturingTransport, client: Any) -> None:
    _, token = sign_up(client, "jane")
    log_out(client, token)
    event = failing_request(client, transport, bearer(token))
    assert "user" not in event or not event["user"]
    assert rejections(event) == ["revoked token"]


def _claims(user_id: str, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {"sub": user_id, "jti": "a" * 32, "iat": now}
    claims["exp"] = now + timedelta(minutes=5)
    return claims | changes


def _signed(claims: dict[str, Any], key: str | None = None) -> str:
    signing_key = key or read_settings(AuthSettings).signing_key
    return jwt.encode(claims, signing_key, algorithm=ALGORITHM)


# Tokens that must never stand for anybody: what makes each one wrong.
BAD_TOKENS: dict[str, Callable[[str], str]] = {
    "expired": lambda user_id: _signed(
        _claims(user_id, exp=datetime.now(UTC) - timedelta(seconds=1))
    ),
    "signed with another key": lambda user_id: _signed(
        _claims(user_id), key="another-key-that-is-long-enough-for-hs256!"
    ),
    "unsigned (alg none)": lambda user_id: jwt.encode(
        _claims(user_id), None, algorithm="none"
    ),
    "without an expiry": lambda user_id: _signed(
        {key: value for key, value in _claims(user_id).items() if key != "exp"}
    ),
    "subject not a user id": lambda user_id: _signed(_claims(user_id, sub="admin")),
    "not a JWT": lambda user_id: "not.a.token",
    "empty": lambda user_id: "",
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_a_rejected_token_sets_no_user(
    transport: CapturingTransport, client: Any, kind: str
) -> None:
    user_id, _ = sign_up(client, "jane")
    event = failing_request(client, transport, bearer(BAD_TOKENS[kind](user_id)))
    assert user_id_of(event) is None
    assert rejections(event) == ["invalid or expired token"]


def test_a_request_with_two_authorization_headers_is_nobodys(
    transport: CapturingTransport, client: Any
) -> None:
    """A valid token in the first of two Authorization headers stands for nobody."""
    _, token = sign_up(client, "jane")
    headers = [("Authorization", f"Bearer {token}"), ("Authorization", "Bearer x.y.z")]
    response = client.post(ERROR_PATH, json={"error_type": "zero"}, headers=headers)
    assert response.status_code == 500
    (event,) = transport.events
    assert user_id_of(event) is None
    assert len(rejections(event)) == 1


def test_a_deactivated_user_is_nobody(
    transport: CapturingTransport, client: Any
) -> None:
    user_id, token = sign_up(client, "jane")
    deactivate(user_id)
    event = failing_request(client, transport, bearer(token))
    assert user_id_of(event) is None
    assert rejections(event) == ["unknown or inactive user"]


def test_a_deleted_users_token_never_stands_for_the_next_user(
    transport: CapturingTransport, client: Any
) -> None:
    """Databases may hand a deleted user's id to the next one (SQLite does unless
    told not to): the old token must not sign in as the newcomer."""
    old_id, old_token = sign_up(client, "jane")
    delete(old_id)
    new_id, _ = sign_up(client, "john")
    assert new_id != old_id
    event = failing_request(client, transport, bearer(old_token))
    assert user_id_of(event) is None
    assert rejections(event) == ["unknown or inactive user"]


def test_a_token_names_its_user_by_id_only(client: Any) -> None:
    """Who the user is comes from the database, never from the token."""
    user_id, token = sign_up(client, "jane")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == user_id
    assert not {"username", "email"} & set(claims)
