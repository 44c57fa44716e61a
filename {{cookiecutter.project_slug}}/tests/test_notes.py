"""The example app: authenticated views over a model, traced with database spans."""

import json

import httpx2
import pytest

from .conftest import CapturingTransport, Flush

USER = {"username": "notes", "email": "notes@example.com", "password": "Pa55-words!"}


@pytest.fixture
def headers(client: httpx2.Client) -> dict[str, str]:
    client.post("/api/v1/auth/register", json=USER)
    response = client.post("/api/v1/auth/login", json=USER)
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_notes_need_a_token(client: httpx2.Client) -> None:
    assert client.get("/api/v1/notes/").status_code == 401


def test_create_from_json_and_form_then_list(
    client: httpx2.Client, headers: dict[str, str]
) -> None:
    as_json = client.post("/api/v1/notes/", json={"title": "json"}, headers=headers)
    as_form = client.post(
        "/api/v1/notes/", data={"title": "form", "body": "b"}, headers=headers
    )
    assert as_json.status_code == 201
    assert as_form.status_code == 201
    listed = client.get("/api/v1/notes/", headers=headers).json()["notes"]
    assert sorted(note["title"] for note in listed) == ["form", "json"]


@pytest.mark.parametrize(
    "note",
    [
        {"title": "t" * 201},
        {"title": "a\x00b"},
        {"title": "ok", "body": "lone \ud800 surrogate"},
    ],
    ids=["a title over 200 characters", "a NUL", "a lone surrogate"],
)
def test_a_note_the_database_cannot_hold_answers_422(
    transport: CapturingTransport,
    client: httpx2.Client,
    headers: dict[str, str],
    note: dict[str, str],
) -> None:
    response = client.post(
        "/api/v1/notes/",
        content=json.dumps(note).encode(),
        headers=headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text[:500]
    assert response.json()["detail"]
    assert transport.events == []
    assert client.get("/api/v1/notes/", headers=headers).json()["notes"] == []


def test_requests_are_traced_with_database_spans(
    transport: CapturingTransport,
    client: httpx2.Client,
    headers: dict[str, str],
    flush: Flush,
) -> None:
    client.get("/api/v1/notes/", headers=headers)
    flush()
    by_name = {sent["transaction"]: sent for sent in transport.transactions}
    sent = by_name["/api/v1/notes/"]
    assert sent["user"]["id"]
    statements = [span["description"] for span in sent["spans"] if span["op"] == "db"]
    assert any("notes_note" in statement for statement in statements)
