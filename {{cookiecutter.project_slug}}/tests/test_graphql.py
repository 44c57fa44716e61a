"""GraphQL glue: the context's user and breadcrumbs, one report per resolver error,
none for client errors, and variables that never leave the process."""

import json
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.graphql_api.schema import (
    MAX_ALIASES,
    MAX_TOKENS,
)

from .conftest import CapturingTransport, Flush

USER = {"username": "jane", "email": "jane@example.com", "password": "s3cret-pass!"}
REGISTER = """
mutation Register($username: String!, $email: String!, $password: String!) {
  register(username: $username, email: $email, password: $password) { id }
}"""
LOGIN = """
mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) { accessToken }
}"""
ME = "query Me { me { id username email } }"
LOGOUT = "mutation Logout { logout }"
FAIL = "mutation Fail($message: String) { triggerError(message: $message) }"


def graphql(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    operation = query.split("{")[0].split("(")[0].split()[-1]
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}, "operationName": operation},
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _login(client: TestClient) -> tuple[int, str]:
    registered = graphql(client, REGISTER, USER)
    user_id = registered["data"]["register"]["id"]
    credentials = {"username": USER["username"], "password": USER["password"]}
    token = graphql(client, LOGIN, credentials)["data"]["login"]["accessToken"]
    return user_id, token


def _breadcrumbs(event: dict[str, Any]) -> list[str]:
    return [crumb.get("message", "") for crumb in event["breadcrumbs"]["values"]]


def test_register_login_me_logout(client: TestClient) -> None:
    user_id, token = _login(client)
    me = graphql(client, ME, token=token)["data"]["me"]
    assert me == {"id": user_id, "username": "jane", "email": USER["email"]}
    assert graphql(client, LOGOUT, token=token)["data"]["logout"] is True
    assert graphql(client, ME, token=token)["errors"][0]["message"] == (
        "not authenticated"
    )


def test_resolver_error_is_reported_once_with_the_user_and_operation(
    transport: CapturingTransport, client: TestClient
) -> None:
    user_id, token = _login(client)
    result = graphql(client, FAIL, {"message": "boom"}, token=token)
    # The client learns that it failed, never why: a bug's message may hold SQL.
    assert result["errors"][0]["message"] == "Internal Server Error"
    (event,) = transport.events
    types = [value["type"] for value in event["exception"]["values"]]
    assert "SentryTestError" in types
    assert event["tags"]["graphql.operation"] == "Fail"
    assert event["user"]["id"] == str(user_id)
    if get_settings().pii_mode == "standard":
        assert event["user"]["username"] == "jane"
    else:
        assert set(event["user"]) == {"id"}
    assert "Authenticated request" in _breadcrumbs(event)


# Registrations the columns cannot hold (PostgreSQL refuses a NUL in text).
BAD_REGISTRATIONS = {
    "a username over 64 characters": {"username": "j" * 65},
    "a NUL in the username": {"username": "ja\x00ne"},
    "a NUL in the e-mail": {"email": "jane\x00@example.com"},
    "an e-mail over 254 characters": {"email": "j" * 250 + "@example.com"},
    "a password over 128 characters": {"password": "p" * 129},
}


@pytest.mark.parametrize("name", BAD_REGISTRATIONS)
def test_a_registration_the_database_cannot_hold_is_the_clients_error(
    transport: CapturingTransport, client: TestClient, name: str
) -> None:
    result = graphql(client, REGISTER, USER | BAD_REGISTRATIONS[name])
    assert result["data"] is None
    assert result["errors"][0]["message"] == (
        "username, a valid email and 8+ character password needed"
    )
    assert transport.events == []


def test_a_login_with_a_name_no_user_can_have_is_refused(
    transport: CapturingTransport, client: TestClient
) -> None:
    for username in ("ja\x00ne", "j" * 65):
        result = graphql(client, LOGIN, {"username": username, "password": "x" * 8})
        assert result["errors"][0]["message"] == "wrong username or password"
    assert transport.events == []


@pytest.mark.parametrize(
    "taken",
    [{"username": "JANE"}, {"email": "Jane@Example.COM"}],
    ids=["name", "email"],
)
def test_a_username_or_email_in_another_case_is_taken(
    transport: CapturingTransport, client: TestClient, taken: dict[str, str]
) -> None:
    _login(client)
    other = {"username": "joan", "email": "joan@example.com"} | taken
    result = graphql(client, REGISTER, USER | other)
    assert result["data"] is None
    assert result["errors"][0]["message"] == "user already exists"
    assert transport.events == []


def test_login_takes_the_username_in_any_case(client: TestClient) -> None:
    user_id, _ = _login(client)
    credentials = {"username": "JaNe", "password": USER["password"]}
    token = graphql(client, LOGIN, credentials)["data"]["login"]["accessToken"]
    me = graphql(client, ME, token=token)["data"]["me"]
    assert me == {"id": user_id, "username": "jane", "email": USER["email"]}


def test_validation_and_client_errors_are_not_reported(
    transport: CapturingTransport, client: TestClient
) -> None:
    assert graphql(client, "query Broken { nope }")["errors"]
    assert graphql(client, "query Syntax { me ")["errors"]
    assert graphql(client, ME)["errors"]  # Not signed in: the client's mistake.
    wrong = {"username": "ghost", "password": "not-the-password"}
    assert graphql(client, LOGIN, wrong)["errors"]
    assert transport.events == []


def test_variables_never_leave_the_process(
    transport: CapturingTransport, client: TestClient, flush: Flush
) -> None:
    secrets = {
        "password": "hunter2-variable",
        "message": "card 4111 1111 1111 1111 for leak.me@example.com",
    }
    graphql(client, FAIL, secrets)
    flush()
    sent = repr(transport.envelopes[0].items[0].payload.json) + repr(transport.events)
    assert transport.events
    for secret in ("hunter2-variable", "4111 1111 1111 1111", "leak.me@example.com"):
        assert secret not in sent
    for envelope in transport.envelopes:
        for item in envelope.items:
            assert b"hunter2-variable" not in item.payload.get_bytes()


def test_logout_clears_the_user(
    transport: CapturingTransport, client: TestClient, flush: Flush
) -> None:
    _, token = _login(client)
    graphql(client, ME, token=token)
    graphql(client, LOGOUT, token=token)
    flush()
    by_name = {sent["transaction"]: sent for sent in transport.transactions}
    assert by_name["Me"]["user"]["id"]
    assert not by_name["Logout"].get("user", {}).get("id")


def test_queries_are_traced_with_database_spans(
    transport: CapturingTransport, client: TestClient, flush: Flush
) -> None:
    _login(client)
    flush()
    by_name = {sent["transaction"]: sent for sent in transport.transactions}
    spans = by_name["Login"]["spans"]
    assert any(span["op"] == "db" and "users" in span["description"] for span in spans)
    assert any(span["op"] == "graphql.mutation" for span in spans)


def test_the_operation_is_named_from_the_document_too(
    transport: CapturingTransport, client: TestClient, flush: Flush
) -> None:
    """Without `operationName`, the name in the document tags the event."""
    response = client.post(
        "/graphql", json={"query": 'mutation Inline { triggerError(message: "x") }'}
    )
    assert response.json()["errors"]
    flush()
    (event,) = transport.events
    assert event["tags"]["graphql.operation"] == "Inline"
    assert [sent["transaction"] for sent in transport.transactions] == ["Inline"]


# Requests the GraphQL endpoint cannot read: (headers, body) -> status.
UNREADABLE = {
    "malformed JSON": ({"Content-Type": "application/json"}, b'{"query": "{ me', 400),
    "invalid UTF-8": ({"Content-Type": "application/json"}, b'{"query": "\xff"}', 400),
    "text/plain": ({"Content-Type": "text/plain"}, b"query { me { id } }", 400),
    "a batch": ({"Content-Type": "application/json"}, b'[{"query": "{ me }"}]', 400),
    "no query": ({"Content-Type": "application/json"}, b'{"variables": {}}', 400),
    "query not a string": ({"Content-Type": "application/json"}, b'{"query": 1}', 400),
    "an integer too long to convert": (
        {"Content-Type": "application/json"},
        b'{"query": "{ me { id } }", "variables": {"n": ' + b"9" * 5_000 + b"}}",
        400,
    ),
    "a lone surrogate in a variable": (
        {"Content-Type": "application/json"},
        json.dumps(
            {"query": LOGIN, "variables": {"username": "\ud800", "password": "x" * 8}}
        ).encode(),
        400,
    ),
    "nested too deeply": (
        {"Content-Type": "application/json"},
        b'{"query": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        400,
    ),
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_unreadable_requests_answer_4xx_in_json_without_an_event(
    transport: CapturingTransport, client: TestClient, name: str
) -> None:
    headers, body, status = UNREADABLE[name]
    response = client.post("/graphql", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["message"]
    assert transport.events == []


def _many(aliases: int) -> str:
    """A query asking `aliases` times who the user is."""
    fields = " ".join("a" + str(number) + ": me { id }" for number in range(aliases))
    return "query Many { " + fields + " }"


def _fragments(count: int) -> str:
    """A query spreading `count` fragments, each of about 8 tokens."""
    names = ["F" + str(number) for number in range(count)]
    spreads = " ".join("..." + name for name in names)
    fragments = " ".join(
        "fragment " + name + " on Query { __typename }" for name in names
    )
    return "query Many { __typename " + spreads + " } " + fragments


TOO_LARGE = {
    "too many aliases": _many(MAX_ALIASES + 1),
    "too many tokens": _fragments(MAX_TOKENS // 8),
}


@pytest.mark.parametrize("name", TOO_LARGE)
def test_a_document_too_large_to_validate_quickly_is_refused(
    transport: CapturingTransport, client: TestClient, name: str
) -> None:
    """Validation is quadratic in the fields: past the limits, the document is the
    client's mistake, refused at once (30,000 aliases would hold the server for
    minutes)."""
    _, token = _login(client)
    started = time.monotonic()
    result = graphql(client, TOO_LARGE[name], token=token)
    assert time.monotonic() - started < 2
    assert result["data"] is None
    assert result["errors"][0]["message"]
    assert transport.events == []


def test_a_document_within_the_limits_runs(client: TestClient) -> None:
    _, token = _login(client)
    result = graphql(client, _many(MAX_ALIASES), token=token)
    assert len(result["data"]) == MAX_ALIASES


@pytest.mark.parametrize(
    "variables",
    [{"message": {"password": "hunter2-variable"}}, {"message": ["hunter2-variable"]}],
    ids=["object", "list"],
)
def test_errors_never_quote_the_values_sent(
    transport: CapturingTransport, client: TestClient, variables: dict[str, Any]
) -> None:
    result = graphql(client, FAIL, variables)
    assert result["errors"][0]["message"] == "Variable '$message' has invalid value."
    assert "hunter2-variable" not in repr(result)
    assert transport.events == []


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_graphiql_is_off_in_production(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    """GraphiQL (a page loading scripts from a CDN) and the schema's introspection
    are served out of production only."""
    monkeypatch.setenv("ENVIRONMENT", environment)
    from {{ cookiecutter.project_slug }}.graphql_api.app import create_app

    with TestClient(create_app()) as client:
        response = client.get("/graphql", headers={"accept": "text/html"})
        introspection = graphql(client, "query Schema { __schema { types { name } } }")
        typename = graphql(client, "query Typename { __typename }")
        misspelt = graphql(client, "query Me { mee { id } }")["errors"][0]["message"]
    assert typename == {"data": {"__typename": "Query"}}
    assert misspelt.startswith("Cannot query field 'mee' on type 'Query'.")
    if environment == "production":
        assert response.status_code == 404
        assert introspection["data"] is None
        assert introspection["errors"][0]["message"]
        assert misspelt == "Cannot query field 'mee' on type 'Query'."
    else:
        assert misspelt.endswith("Did you mean 'me'?")
        assert response.status_code == 200
        assert "graphiql" in response.text.lower()
        assert introspection["data"]["__schema"]["types"]
