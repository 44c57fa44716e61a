"""End to end for GraphQL: a failing mutation whose variables carry secrets arrives
at Bugsink with the user, and none of the secrets arrives anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.bugsink import Bugsink
from tests.e2e.client import sign_up
from tests.e2e.recorder import Recorder
from tests.e2e.service import Service

pytestmark = [pytest.mark.e2e]

USER = {
    "username": "graph_user",
    "email": "graph.user@example.com",
    "password": "Graph-Passw0rd-secret",
}
FAIL = "mutation Fail($message: String) { triggerError(message: $message) }"
MARKER = "e2e-graphql-variables"
SECRETS = {
    "password": "variable-hunter2-pass",
    "card": "4242 4242 4242 4242",
    "email": "variable.leak@example.com",
}


@pytest.fixture(scope="module")
def framework() -> str:
    """Overrides the package-wide parameter: this module is GraphQL only."""
    return "starlette-graphql"


@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def failing_mutation(client: httpx.Client) -> tuple[str, dict[str, Any]]:
    user_id, token = sign_up(client, "starlette-graphql", USER)
    message = f"{MARKER} paid with {SECRETS['card']} for {SECRETS['email']}"
    response = client.post(
        "/graphql",
        json={
            "query": FAIL,
            "operationName": "Fail",
            "variables": {"message": message, "password": SECRETS["password"]},
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return user_id, response.json()


def _is_fail_event(event: dict[str, Any]) -> bool:
    values = ((event.get("data") or {}).get("exception") or {}).get("values") or []
    return any(MARKER in str(value.get("value")) for value in values)


def test_failing_mutation_answers_with_an_error(
    failing_mutation: tuple[str, dict[str, Any]],
) -> None:
    _, body = failing_mutation
    assert body["errors"][0]["path"] == ["triggerError"]


def test_event_has_the_user_and_operation_and_no_secret(
    failing_mutation: tuple[str, dict[str, Any]],
    bugsink_server: Bugsink,
    recorder: Recorder,
) -> None:
    user_id, _ = failing_mutation
    events = bugsink_server.events(timeout=30, predicate=_is_fail_event)
    assert len(events) == 1, "the resolver error is reported exactly once"
    event = events[0]["data"]
    assert str((event.get("user") or {}).get("id")) == user_id
    assert (event.get("tags") or {}).get("graphql.operation") == "Fail"
    text = json.dumps(event) + recorder.all_bytes().decode("utf-8", "replace")
    leaked = [name for name, secret in SECRETS.items() if secret in text]
    assert not leaked, f"secrets that left the process: {leaked}"
