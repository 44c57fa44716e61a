"""End to end for every framework x worker, run as the production compose file runs
it (see `stack.py`) on this machine's PostgreSQL and Redis, reporting through the
envelope recorder to a real Bugsink.

Each stack is driven once, as its users would: sign up, read the profile, fail once per
error category of the fingerprints (with secrets planted in the body, headers, cookies
and query), queue a failing job when it has a worker, and send malformed requests.
Then the stack is stopped - every process flushes its events on shutdown - and the
tests read what arrived: environment, release, user, tags and fingerprint of every
error, the transaction with its database spans, the job's event in the request's
trace, and no secret in any byte that left a process.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.bugsink import Bugsink
from tests.e2e.client import graphql, sign_up
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
from tests.e2e.stack import Stack, start_stack
from tests.helpers.combos import Combo, framework_worker_combos

pytestmark = [pytest.mark.e2e]

STACKS = framework_worker_combos()
ERROR_PATH = "/api/v1/test/error"
TASKS_PATH = "/api/v1/tasks/orders"
ADMIN_STYLESHEET = "/static/admin/css/base.css"
JOB_EMAIL = "job.secret@example.com"
USER_PASSWORD = "Stack-Passw0rd-very-private"

# error_type -> (the exception type raised, the fingerprint's first parts)
CATEGORIES: dict[str, tuple[str, list[str] | None]] = {
    "exception": ("SentryTestError", None),  # Sentry's default grouping.
    # PostgreSQL's own error (the failing query is the service's, not ours).
    "database": ("ProgrammingError", ["database", "ProgrammingError"]),
    "authentication": ("AuthenticationError", ["auth", "AuthenticationError"]),
    "external_service": ("ExternalServiceError", ["external-service", "payments"]),
    "rate_limit": ("RateLimitError", ["rate-limit", "test-error"]),
    "validation": ("ValidationError", ["validation", "ValidationError"]),
}

ME_QUERY = "query Me { me { id username } }"
FAIL_MUTATION = "mutation Fail($message: String) { triggerError(message: $message) }"


@dataclass
class Drive:
    """What the test sent to one stack and what the stack answered."""

    stack: Stack
    marker: str
    user_id: str
    token: str
    order_id: str | None = None
    # HTTP status by what was sent.
    failures: dict[str, int] = field(default_factory=dict)
    graphql_failure: int | None = None
    mistakes: dict[str, httpx.Response] = field(default_factory=dict)
    # Django: the admin's stylesheet, as linked from its login page, and by its name.
    admin_stylesheets: dict[str, httpx.Response] = field(default_factory=dict)
    # What Bugsink stored for the stack.
    stored: list[dict[str, Any]] = field(default_factory=list)

    def message(self, category: str) -> str:
        return f"{self.marker}-{category} {EMAIL} paid with {CARD} token {JWT}"

    def tells(self, category: str) -> str:
        """What only the event of ``category`` says."""
        if category == "database":
            return "sentry_test_missing_table"
        return f"{self.marker}-{category}"

    def expected(self) -> list[str]:
        """What each event the stack must report says."""
        expected = [self.tells(category) for category in CATEGORIES]
        if self.graphql_failure is not None:
            expected.append(self.tells("graphql"))
        if self.order_id is not None:
            expected.append(self.order_id)
        return expected


def stacks(*, framework: str | None = None, with_worker: bool = False) -> list[Any]:
    """The stacks as parameters: one xdist group each, so that each stack's tests
    run in one worker, and the stacks side by side."""
    return [
        pytest.param(combo, id=combo.id, marks=pytest.mark.xdist_group(combo.id))
        for combo in STACKS
        if (framework is None or combo.answer("framework") == framework)
        and (not with_worker or combo.answer("worker") != "none")
    ]


@pytest.fixture(scope="module", params=stacks())
def stack_combo(request: pytest.FixtureRequest) -> Combo:
    return request.param


@pytest.fixture(scope="module")
def drive(
    stack_combo: Combo,
    synced_project: Callable[[Combo], Path],
    recorder_dsn: str,
    bugsink_server: Bugsink,
    machine_urls: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Drive]:
    """Start the stack, drive it once, stop it (which flushes every process)."""
    framework, worker = stack_combo.id.split("/")
    marker = f"e2e-stack-{uuid.uuid4().hex[:10]}"
    database_url, redis_url = machine_urls
    stack = start_stack(
        synced_project(stack_combo),
        tmp_path_factory.mktemp("stack"),
        dsn=recorder_dsn,
        release=f"acme_service@{marker}",
        database_url=database_url,
        redis_url=redis_url,
        overrides={"SENTRY_TRACES_SAMPLE_RATE": "1.0"},
    )
    try:
        # A connection per request: uvicorn closes the connection of a request whose
        # error reached it, racing the next request on that connection.
        no_reuse = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(
            base_url=stack.base_url, timeout=30, limits=no_reuse
        ) as client:
            driven = _drive(client, stack, framework, worker, marker)
        # The job runs after its request: wait for every event before stopping.
        driven.stored = _events(bugsink_server, driven)
    finally:
        stack.stop()
    yield driven


def _drive(
    client: httpx.Client, stack: Stack, framework: str, worker: str, marker: str
) -> Drive:
    user = {
        "username": f"user_{marker[-10:]}",
        "email": f"{marker}@example.com",
        "password": USER_PASSWORD,
    }
    user_id, token = sign_up(client, framework, user)
    drive = Drive(stack=stack, marker=marker, user_id=user_id, token=token)
    auth = {"Authorization": f"Bearer {token}"}
    if framework == "starlette-graphql":
        assert graphql(client, ME_QUERY, {}, token)["me"]["id"] == int(user_id)
        failed = client.post(
            "/graphql",
            json={
                "query": FAIL_MUTATION,
                "operationName": "Fail",
                "variables": {"message": drive.message("graphql")},
            },
            headers=auth,
        )
        drive.graphql_failure = failed.status_code
    else:
        profile = client.get("/api/v1/auth/me", headers=auth)
        assert profile.status_code == 200, profile.text
    for category in CATEGORIES:
        response = client.post(
            ERROR_PATH,
            params={
                "api_key": PLANTED["api_key query"],
                "token": PLANTED["token query"],
                **PLANTED_PARAMS,
            },
            json={
                "error_type": category,
                "message": planted_message(drive.message(category)),
                "password": PLANTED["body password"],
            },
            headers={
                **auth,
                **PLANTED_HEADERS,
                "X-Api-Key": PLANTED["X-Api-Key header"],
                "Cookie": f"sessionid={PLANTED['session cookie']}",
            },
        )
        drive.failures[category] = response.status_code
    if worker != "none":
        drive.order_id = f"{marker}-order"
        queued = client.post(
            TASKS_PATH,
            json={"order_id": drive.order_id, "email": JOB_EMAIL, "fail": True},
            headers=auth,
        )
        assert queued.status_code == 202, queued.text
    for name, request in _malformed_requests(framework).items():
        drive.mistakes[name] = client.request(**request)
    if framework == "django":
        drive.admin_stylesheets = _admin_stylesheets(client)
    return drive


def _admin_stylesheets(client: httpx.Client) -> dict[str, httpx.Response]:
    """GET the admin's base.css by its plain name and by the name its login page
    links (hashed, for far-future caching)."""
    login = client.get("/admin/login/")
    assert login.status_code == 200, login.text[:500]
    linked = re.search(r'href="(/static/admin/css/base\.[^"]*\.css)"', login.text)
    assert linked is not None, f"no admin stylesheet linked:\n{login.text[:2000]}"
    return {
        "plain": client.get(ADMIN_STYLESHEET),
        "linked": client.get(linked.group(1)),
    }


def _malformed_requests(framework: str) -> dict[str, dict[str, Any]]:
    """Requests a client gets wrong, each carrying a secret."""
    secret = PLANTED["body password"]
    json_type = {"Content-Type": "application/json"}
    requests: dict[str, dict[str, Any]] = {
        "truncated JSON": {
            "method": "POST",
            "url": ERROR_PATH,
            "content": f'{{"error_type": "exception", "password": "{secret}"',
            "headers": json_type,
        },
        "JSON array": {
            "method": "POST",
            "url": ERROR_PATH,
            "json": [{"password": secret, "card": CARD}],
        },
        "wrong field type": {
            "method": "POST",
            "url": ERROR_PATH,
            "json": {"error_type": {"password": secret}, "message": EMAIL},
        },
        "invalid UTF-8": {
            "method": "POST",
            "url": ERROR_PATH,
            "content": b'{"password": "' + secret.encode() + b'\xff\xfe"}',
            "headers": json_type,
        },
        "form body": {
            "method": "POST",
            "url": ERROR_PATH,
            "data": {"error_type": "nonsense", "password": secret, "email": EMAIL},
        },
        "forged token": {
            "method": "GET",
            "url": "/api/v1/auth/me",
            "headers": {"Authorization": f"Bearer {JWT}"},
        },
        "basic credentials": {
            "method": "GET",
            "url": "/api/v1/auth/me",
            "auth": ("leak.me@example.com", secret),
        },
        "secret in an unknown path": {
            "method": "GET",
            "url": f"/api/v1/users/{EMAIL}",
            "params": {"password": secret, "card": CARD},
        },
    }
    if framework == "starlette-graphql":
        requests |= {
            "GraphQL syntax error": {
                "method": "POST",
                "url": "/graphql",
                "json": {"query": f'mutation {{ login(password: "{secret}" }}'},
            },
            "GraphQL wrong variable type": {
                "method": "POST",
                "url": "/graphql",
                "json": {
                    "query": FAIL_MUTATION,
                    "variables": {"message": {"password": secret, "card": CARD}},
                },
            },
            "GraphQL truncated JSON": {
                "method": "POST",
                "url": "/graphql",
                "content": f'{{"query": "{{ me {{ id }} }}", "password": "{secret}"',
                "headers": json_type,
            },
        }
    return requests


def _events(bugsink: Bugsink, drive: Drive) -> list[dict[str, Any]]:
    """The events Bugsink stored for this stack (its release is its own), once
    every expected one is there (or after 60 s)."""
    deadline = time.monotonic() + 60
    while True:
        events = [
            event["data"]
            for event in bugsink.all_events()
            if (event.get("data") or {}).get("release") == drive.stack.release
        ]
        text = " ".join(_error_text(event) for event in events)
        if all(tell in text for tell in drive.expected()):
            return events
        if time.monotonic() > deadline:
            return events
        time.sleep(0.25)


def _items(recorder: Recorder, drive: Drive, item_type: str) -> list[dict[str, Any]]:
    """The payloads of one type that this stack sent."""

    def ours(item: Item) -> bool:
        payload = item.payload if isinstance(item.payload, dict) else {}
        return payload.get("release") == drive.stack.release

    return [item.payload for item in recorder.items(item_type) if ours(item)]


def _error_text(event: dict[str, Any]) -> str:
    values = (event.get("exception") or {}).get("values") or []
    return " ".join(str(value.get("value")) for value in values)


@pytest.fixture(scope="module")
def stored(drive: Drive) -> list[dict[str, Any]]:
    events = drive.stored
    text = " ".join(_error_text(event) for event in events)
    missing = [tell for tell in drive.expected() if tell not in text]
    assert not missing, (
        f"no event at Bugsink for {missing} among "
        f"{[_error_text(event)[:80] for event in events]}\n{drive.stack.logs()}"
    )
    return events


def _category_event(events: list[dict[str, Any]], drive: Drive, category: str) -> Any:
    wanted = drive.tells(category)
    matches = [event for event in events if wanted in _error_text(event)]
    assert len(matches) == 1, (
        f"{len(matches)} events for {category} among "
        f"{[_error_text(event)[:100] for event in events]}"
    )
    return matches[0]


def test_every_failure_answers_500(drive: Drive) -> None:
    assert drive.failures == dict.fromkeys(CATEGORIES, 500), drive.stack.logs()
    # GraphQL answers a failed resolver with 200 and `errors`.
    assert drive.graphql_failure in (None, 200)


def test_every_malformed_request_is_refused(drive: Drive) -> None:
    """4xx; or, for GraphQL, which answers invalid operations with 200, `errors`
    and no data."""

    def refused(name: str, response: httpx.Response) -> bool:
        if 400 <= response.status_code < 500:
            return True
        if name.startswith("GraphQL") and response.status_code == 200:
            body = response.json()
            return bool(body.get("errors")) and not body.get("data")
        return False

    wrong = {
        name: f"{response.status_code} {response.text[:200]}"
        for name, response in drive.mistakes.items()
        if not refused(name, response)
    }
    assert not wrong, f"not refused: {wrong}\n{drive.stack.logs()}"


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_error_category_arrives_complete(
    category: str,
    drive: Drive,
    stored: list[dict[str, Any]],
    recorder: Recorder,
    stack_combo: Combo,
) -> None:
    event = _category_event(stored, drive, category)
    assert event.get("environment") == "staging"
    assert event.get("release") == drive.stack.release
    if stack_combo.answer("framework") != "starlette-graphql":
        # Starlette's REST diagnostics route does not authenticate (GraphQL does).
        assert str((event.get("user") or {}).get("id")) == drive.user_id
    assert (event.get("tags") or {}).get("service") == "web", event.get("tags")
    request = event.get("request") or {}
    assert (request.get("url") or "").endswith(ERROR_PATH), request
    assert request.get("method") == "POST", request
    exception_type, fingerprint = CATEGORIES[category]
    assert event["exception"]["values"][-1]["type"] == exception_type
    sent = [
        payload
        for payload in _items(recorder, drive, "event")
        if drive.tells(category) in _error_text(payload)
    ]
    assert len(sent) == 1
    if fingerprint is None:
        assert "fingerprint" not in sent[0]
    else:
        assert sent[0]["fingerprint"][: len(fingerprint)] == fingerprint


@pytest.mark.parametrize(
    "stack_combo", stacks(framework="starlette-graphql"), indirect=True
)
def test_graphql_errors_carry_the_user(
    drive: Drive, stored: list[dict[str, Any]]
) -> None:
    event = _category_event(stored, drive, "graphql")
    assert str((event.get("user") or {}).get("id")) == drive.user_id
    assert (event.get("tags") or {}).get("graphql.operation") == "Fail"


@pytest.mark.parametrize("stack_combo", stacks(framework="django"), indirect=True)
def test_the_admin_has_its_stylesheet(drive: Drive) -> None:
    """The image's collectstatic and whitenoise, under the production command."""
    responses = drive.admin_stylesheets
    for name, response in responses.items():
        assert response.status_code == 200, f"{name}: {response.status_code}"
        assert response.headers["content-type"].startswith("text/css"), name
        assert "font-family" in response.text, f"{name}: {response.text[:200]}"
    cache = responses["linked"].headers.get("cache-control", "")
    assert "immutable" in cache, f"the hashed name is not cached for good: {cache}"


def test_transactions_have_database_spans(drive: Drive, recorder: Recorder) -> None:
    transactions = _items(recorder, drive, "transaction")
    assert transactions, "no transaction was sent"
    spans = [span for tx in transactions for span in tx.get("spans") or []]
    queries = [
        span
        for span in spans
        if (span.get("op") or "").startswith("db")
        and "SELECT" in (span.get("description") or "").upper()
    ]
    assert queries, f"no SELECT span in {len(transactions)} transactions"
    users = {str((tx.get("user") or {}).get("id")) for tx in transactions}
    assert drive.user_id in users, "no transaction carries the signed-in user"


@pytest.mark.parametrize("stack_combo", stacks(with_worker=True), indirect=True)
def test_the_job_event_is_in_the_request_trace(
    drive: Drive, stored: list[dict[str, Any]], recorder: Recorder
) -> None:
    assert drive.order_id
    (job,) = [event for event in stored if drive.order_id in _error_text(event)]
    assert (job.get("tags") or {}).get("service") == "worker"
    assert job.get("environment") == "staging"
    (request,) = [
        tx
        for tx in _items(recorder, drive, "transaction")
        if ((tx.get("request") or {}).get("url") or "").endswith(TASKS_PATH)
    ]
    trace_id = request["contexts"]["trace"]["trace_id"]
    assert job["contexts"]["trace"]["trace_id"] == trace_id


def test_malformed_requests_make_no_event(
    drive: Drive, stored: list[dict[str, Any]], recorder: Recorder
) -> None:
    # Every event the stack sent, up to its shutdown flush (Bugsink was read before).
    sent = _items(recorder, drive, "event")
    assert len(sent) >= len(drive.expected())
    unexpected = [
        _error_text(event)[:120] or str(event.get("message"))[:120]
        for event in sent
        if not any(tell in _error_text(event) for tell in drive.expected())
    ]
    assert not unexpected, f"events nobody asked for: {unexpected}"


def test_no_secret_left_any_process(
    drive: Drive, stored: list[dict[str, Any]], recorder: Recorder
) -> None:
    extra = {
        "access token": drive.token,
        "user password": USER_PASSWORD,
        "job e-mail": JOB_EMAIL,
    }
    sent = "\n".join(
        json.dumps(item)
        for kind in ("event", "transaction")
        for item in _items(recorder, drive, kind)
    )
    assert sent, "nothing was sent"
    leaks = secrets_found(sent, extra)
    assert not leaks, f"secrets in what the SDKs sent: {leaks}"
    leaks = secrets_found(json.dumps(stored), extra)
    assert not leaks, f"secrets in what Bugsink stored: {leaks}"


def test_processes_stopped_cleanly(drive: Drive) -> None:
    codes = {p.name: p.popen.returncode for p in drive.stack.processes}
    assert all(code is not None and code >= 0 for code in codes.values()), (
        f"exit codes {codes} (negative: killed)\n{drive.stack.logs()}"
    )
