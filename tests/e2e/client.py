"""Talking to a baked service as its users do: sign up and log in over REST, or over
GraphQL for starlette-graphql."""

from __future__ import annotations

from typing import Any

import httpx


def sign_up(
    client: httpx.Client, framework: str, user: dict[str, str]
) -> tuple[str, str]:
    """Register and log in through the framework's own API: (user id, token)."""
    if framework == "starlette-graphql":
        registered = graphql(client, REGISTER, user)["register"]
        credentials = {"username": user["username"], "password": user["password"]}
        token = graphql(client, LOGIN, credentials)["login"]["accessToken"]
        return str(registered["id"]), token
    registered = client.post("/api/v1/auth/register", json=user)
    assert registered.status_code == 201, registered.text
    login = client.post(
        "/api/v1/auth/login",
        json={"username": user["username"], "password": user["password"]},
    )
    assert login.status_code == 200, login.text
    return str(registered.json()["id"]), login.json()["access_token"]


REGISTER = """mutation Register($username: String!, $email: String!,
  $password: String!) {
  register(username: $username, email: $email, password: $password) { id }
}"""
LOGIN = """mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) { accessToken }
}"""


def graphql(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any],
    token: str | None = None,
) -> dict[str, Any]:
    """Run one operation; return its data (fails the test on errors)."""
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]
