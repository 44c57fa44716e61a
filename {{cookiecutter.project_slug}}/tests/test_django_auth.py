"""Bearer login/logout/me, the Sentry user middleware and the auth signals."""

from typing import Any

import httpx2
import pytest
import sentry_sdk
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import IntegrityError, transaction

from {{ cookiecutter.project_slug }}.core.settings import get_settings

from .conftest import CapturingTransport, Flush

USER = {"username": "jane", "email": "jane@example.com", "password": "s3cret-pass!x"}


def _login(client: httpx2.Client) -> tuple[int, dict[str, str]]:
    registered = client.post("/api/v1/auth/register", json=USER)
    assert registered.status_code == 201, registered.text
    response = client.post(
        "/api/v1/auth/login",
        json={"username": USER["username"], "password": USER["password"]},
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    return registered.json()["id"], {"Authorization": f"Bearer {token}"}


def _fail(client: httpx2.Client, headers: dict[str, str] | None = None) -> None:
    client.post("/api/v1/test/error", json={"error_type": "zero"}, headers=headers)


def _breadcrumbs(event: dict[str, Any]) -> list[str]:
    return [crumb.get("message") for crumb in event["breadcrumbs"]["values"]]


def test_register_login_me_logout(client: httpx2.Client) -> None:
    user_id, headers = _login(client)
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.json() == {"id": user_id, "username": "jane", "email": USER["email"]}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_duplicate_and_wrong_password(client: httpx2.Client) -> None:
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
    client: httpx2.Client, taken: dict[str, str]
) -> None:
    _login(client)
    other = {"username": "joan", "email": "joan@example.com"} | taken
    response = client.post("/api/v1/auth/register", json=USER | other)
    assert response.status_code == 409
    assert response.json() == {"detail": "user already exists"}


def test_the_database_holds_one_account_per_name_in_any_case(db: None) -> None:
    """Not a check before the insert: two sign-ups at once cannot both win. Accounts
    without an e-mail (createsuperuser allows none) do not collide."""
    users = get_user_model().objects
    users.create_user("jane", "jane@example.com", "pw")
    taken = [("JANE", "other@example.com"), ("joan", "JANE@example.com")]
    for username, email in taken:
        with pytest.raises(IntegrityError), transaction.atomic():
            users.create_user(username, email, "pw")
    users.create_user("admin", "", "pw")
    users.create_user("admin2", "", "pw")


def test_login_takes_the_username_in_any_case(client: httpx2.Client) -> None:
    user_id, _ = _login(client)
    credentials = {"username": "JaNe", "password": USER["password"]}
    response = client.post("/api/v1/auth/login", json=credentials)
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me == {"id": user_id, "username": "jane", "email": USER["email"]}


def test_authenticated_errors_carry_the_user(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    user_id, headers = _login(client)
    _fail(client, headers)
    (event,) = transport.events
    assert event["user"]["id"] == str(user_id)
    if get_settings().pii_mode == "standard":
        assert event["user"]["username"] == "jane"
    else:
        assert set(event["user"]) == {"id"}
    assert _breadcrumbs(event)[-1] == "Authenticated request"


def test_login_and_logout_signals_are_breadcrumbs(
    transport: CapturingTransport, client: httpx2.Client, flush: Flush
) -> None:
    _, headers = _login(client)
    client.get("/api/v1/auth/me", headers=headers)
    client.post("/api/v1/auth/logout", headers=headers)
    flush()
    by_name = {sent["transaction"]: sent for sent in transport.transactions}
    assert by_name["/api/v1/auth/me"]["user"]["id"]
    logout = by_name["/api/v1/auth/logout"]
    assert not logout.get("user", {}).get("id"), "logout clears the Sentry user"
    # Transactions carry no breadcrumbs: fire the signals where an event follows.
    user = get_user_model().objects.get(username=USER["username"])
    user_logged_in.send(sender=type(user), request=None, user=user)
    user_logged_out.send(sender=type(user), request=None, user=user)
    sentry_sdk.capture_message("after the signals")
    crumbs = _breadcrumbs(transport.events[-1])
    assert crumbs[-2:] == ["User logged in", "User logged out"]


def test_revoked_and_invalid_tokens_are_breadcrumbs_not_users(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    _, headers = _login(client)
    client.post("/api/v1/auth/logout", headers=headers)
    _fail(client, headers)
    _fail(client, {"Authorization": "Bearer not.a.token"})
    revoked, invalid = transport.events
    assert not revoked.get("user", {}).get("id")
    assert "Rejected bearer token" in _breadcrumbs(revoked)
    assert not invalid.get("user", {}).get("id")
    assert "Rejected bearer token" in _breadcrumbs(invalid)


JOHN = {"username": "john", "email": "john@example.com", "password": "x9-Secret!john"}


def _sign_in(client: httpx2.Client, user: dict[str, str]) -> str:
    """Log `user` in (the client keeps the session cookie); return the token."""
    response = client.post(
        "/api/v1/auth/login",
        json={"username": user["username"], "password": user["password"]},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _user_id(event: dict[str, Any]) -> str | None:
    user: dict[str, str] = event.get("user") or {}
    return user.get("id")


def test_a_session_alone_authenticates_the_request(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    user_id, _ = _login(client)  # The login also starts a session (its cookie).
    _fail(client)
    assert _user_id(transport.events[-1]) == str(user_id)


def test_a_bearer_token_decides_over_the_session(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    """In a session as Jane, a request with John's token is John's; with a rejected
    token it is nobody's, not Jane's."""
    jane_id, _ = _login(client)
    john_id = client.post("/api/v1/auth/register", json=JOHN).json()["id"]
    client.cookies.clear()
    john = {"Authorization": f"Bearer {_sign_in(client, JOHN)}"}
    revoked = {"Authorization": f"Bearer {_sign_in(client, JOHN)}"}
    assert client.post("/api/v1/auth/logout", headers=revoked).status_code == 204
    client.cookies.clear()
    _sign_in(client, USER)  # Jane's session from here on.
    _fail(client, john)
    _fail(client, revoked)
    _fail(client, {"Authorization": "Bearer not.a.token"})
    _fail(client)
    users = [_user_id(event) for event in transport.events[-4:]]
    assert users == [str(john_id), None, None, str(jane_id)]


def test_a_logout_by_token_alone_ends_the_session_of_its_login(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    _, headers = _login(client)  # The client keeps the session cookie.
    session = dict(client.cookies)
    client.cookies.clear()
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    client.cookies.update(session)
    _fail(client)
    _fail(client)
    first, second = transport.events[-2:]
    assert _user_id(first) is None
    assert "Ended session" in _breadcrumbs(first)
    assert _user_id(second) is None


def test_a_deactivated_users_session_is_nobodys(
    transport: CapturingTransport, client: httpx2.Client
) -> None:
    user_id, _ = _login(client)
    get_user_model().objects.filter(pk=user_id).update(is_active=False)
    _fail(client)
    assert _user_id(transport.events[-1]) is None
