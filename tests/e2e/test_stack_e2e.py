"""End to end for every framework x worker, run as the production compose file runs
it (see `stack.py`) on this machine's PostgreSQL and Redis, reporting through the
envelope recorder to a real Bugsink.

Each stack is driven once, as its users would: sign up, read the profile, fail once per
error category of the fingerprints (with secrets planted in the body, headers, cookies
and query), queue a failing job when it has a worker, log out and fail once more with
the revoked token, and send malformed requests (each must answer its 4xx in JSON,
echo nothing, make no event, and not hang).
Then the stack is stopped - every process flushes its events on shutdown - and the
tests read what arrived: environment, release, user, tags and fingerprint of every
error, the transaction with its database spans, the job's event in the request's
trace, and no secret in any byte that left a process.
"""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.parse
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
# The body timeout of the stacks (REQUEST_BODY_TIMEOUT_SECONDS), short for the tests.
BODY_TIMEOUT = 2
# The default MAX_REQUEST_BODY_BYTES and MAX_REQUEST_HEADER_BYTES.
BODY_LIMIT = 1_048_576
HEADER_LIMIT = 32_768


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
    inline_failure: int | None = None
    after_logout_failure: int | None = None
    mistakes: dict[str, Answer] = field(default_factory=dict)
    # The status each mistake must answer.
    refusals: dict[str, int] = field(default_factory=dict)
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
        expected = [self.tells(category) for category in [*CATEGORIES, "logged-out"]]
        if self.graphql_failure is not None:
            expected += [self.tells("graphql"), self.tells("inline")]
        if self.order_id is not None:
            expected.append(self.order_id)
        return expected


@dataclass
class Answer:
    """What a stack answered to one request, and how long it took."""

    status: int
    content_type: str
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


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
        overrides={
            "SENTRY_TRACES_SAMPLE_RATE": "1.0",
            "REQUEST_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
        },
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
        # Named in the document only: no operationName.
        inline = (
            f'mutation Inline {{ triggerError(message: "{drive.tells("inline")}") }}'
        )
        drive.inline_failure = client.post(
            "/graphql", json={"query": inline}, headers=auth
        ).status_code
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
    _log_out(client, framework, token)
    drive.after_logout_failure = client.post(
        ERROR_PATH,
        json={"error_type": "exception", "message": drive.message("logged-out")},
        headers=auth,
    ).status_code
    for name, request in _malformed_requests(framework).items():
        drive.refusals[name] = request.pop("status")
        drive.mistakes[name] = _send(client, request)
    drive.refusals["a body that never comes"] = 408
    drive.mistakes["a body that never comes"] = _stalled(stack.base_url)
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


def _log_out(client: httpx.Client, framework: str, token: str) -> None:
    if framework == "starlette-graphql":
        logged_out = graphql(client, "mutation Logout { logout }", {}, token)
        assert logged_out == {"logout": True}
        return
    response = client.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 204, response.text


def _send(client: httpx.Client, request: dict[str, Any]) -> Answer:
    started = time.monotonic()
    response = client.request(**request)
    return Answer(
        status=response.status_code,
        content_type=response.headers.get("content-type", ""),
        body=response.content,
        seconds=time.monotonic() - started,
    )


def _stalled(base_url: str) -> Answer:
    """GET /health declaring a 5-byte body that never comes (raw: no HTTP library
    sends that)."""
    url = urllib.parse.urlsplit(base_url)
    started = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=30) as connection:
        connection.sendall(
            b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n"
        )
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            length = _header(head, b"content-length")
            if length is not None and len(body) >= int(length):
                break
    head, _, body = received.partition(b"\r\n\r\n")
    return Answer(
        status=int(head.split(b" ")[1]),
        content_type=(_header(head, b"content-type") or b"").decode(),
        body=body,
        seconds=time.monotonic() - started,
    )


def _header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def _malformed_requests(framework: str) -> dict[str, dict[str, Any]]:
    """Requests a client gets wrong, each carrying a secret, with the status every
    framework answers (`status`)."""
    secret = PLANTED["body password"]
    json_type = {"Content-Type": "application/json"}
    form_status = 422 if framework == "django" else 415  # Django reads forms.
    requests: dict[str, dict[str, Any]] = {
        "no body": {"method": "POST", "url": ERROR_PATH, "status": 422},
        "a text/plain body": {
            "method": "POST",
            "url": ERROR_PATH,
            "content": f"error_type=exception password={secret}",
            "headers": {"Content-Type": "text/plain"},
            "status": 415,
        },
        "truncated JSON": {
            "method": "POST",
            "url": ERROR_PATH,
            "content": f'{{"error_type": "exception", "password": "{secret}"',
            "headers": json_type,
            "status": 400,
        },
        "invalid UTF-8": {
            "method": "POST",
            "url": ERROR_PATH,
            "content": b'{"password": "' + secret.encode() + b'\xff\xfe"}',
            "headers": json_type,
            "status": 400,
        },
        "a JSON array": {
            "method": "POST",
            "url": ERROR_PATH,
            "json": [{"password": secret, "card": CARD}],
            "status": 422,
        },
        "JSON null": {
            "method": "POST",
            "url": ERROR_PATH,
            "content": b"null",
            "headers": json_type,
            "status": 422,
        },
        "wrong field type": {
            "method": "POST",
            "url": ERROR_PATH,
            "json": {"error_type": {"password": secret}, "message": EMAIL},
            "status": 422,
        },
        "an unknown error_type": {
            "method": "POST",
            "url": ERROR_PATH,
            "json": {"error_type": "nonsense", "password": secret},
            "status": 422,
        },
        "form body": {
            "method": "POST",
            "url": ERROR_PATH,
            "data": {"error_type": "nonsense", "password": secret, "email": EMAIL},
            "status": form_status,
        },
        "a body over the limit": {
            "method": "POST",
            "url": ERROR_PATH,
            "json": {"password": secret, "blob": "B" * BODY_LIMIT},
            "status": 413,
        },
        "a chunked body over the limit": {
            "method": "POST",
            "url": ERROR_PATH,
            "content": iter([b'{"blob": "'] + [b"C" * 65536] * 48 + [b'"}']),
            "headers": json_type,
            "status": 413,
        },
        "headers over the limit": {
            "method": "GET",
            "url": "/health",
            "headers": {"X-Padding": "P" * HEADER_LIMIT, "X-Api-Key": secret},
            "status": 431,
        },
        "a request target over the limit": {
            "method": "GET",
            "url": "/health",
            "params": {"padding": "P" * HEADER_LIMIT, "password": secret},
            "status": 414,
        },
        "forged token": {
            "method": "GET",
            "url": "/api/v1/auth/me",
            "headers": {"Authorization": f"Bearer {JWT}"},
            "status": 401,
        },
        "basic credentials": {
            "method": "GET",
            "url": "/api/v1/auth/me",
            "auth": ("leak.me@example.com", secret),
            "status": 401,
        },
        "secret in an unknown path": {
            "method": "GET",
            "url": f"/api/v1/users/{EMAIL}",
            "params": {"password": secret, "card": CARD},
            "status": 404,
        },
        "a wrong method": {"method": "GET", "url": ERROR_PATH, "status": 405},
    }
    if framework == "starlette-graphql":
        # No REST auth routes: the forged token and credentials go to GraphQL.
        for name in ("forged token", "basic credentials"):
            requests[name] |= {
                "method": "POST",
                "url": "/graphql",
                "json": {"query": ME_QUERY},
                "status": 200,
            }
        requests |= {
            "GraphQL syntax error": {
                "method": "POST",
                "url": "/graphql",
                "json": {"query": f'mutation {{ login(password: "{secret}" }}'},
                "status": 200,
            },
            "GraphQL wrong variable type": {
                "method": "POST",
                "url": "/graphql",
                "json": {
                    "query": FAIL_MUTATION,
                    "variables": {"message": {"password": secret, "card": CARD}},
                },
                "status": 200,
            },
            "GraphQL truncated JSON": {
                "method": "POST",
                "url": "/graphql",
                "content": f'{{"query": "{{ me {{ id }} }}", "password": "{secret}"',
                "headers": json_type,
                "status": 400,
            },
            "GraphQL invalid UTF-8": {
                "method": "POST",
                "url": "/graphql",
                "content": b'{"query": "{ me { id } }", "p": "'
                + secret.encode()
                + b'\xff"}',
                "headers": json_type,
                "status": 400,
            },
            "GraphQL text/plain": {
                "method": "POST",
                "url": "/graphql",
                "content": f'mutation {{ login(password: "{secret}") }}',
                "headers": {"Content-Type": "text/plain"},
                "status": 400,
            },
            "GraphQL body over the limit": {
                "method": "POST",
                "url": "/graphql",
                "json": {"query": ME_QUERY, "variables": {"p": "G" * BODY_LIMIT}},
                "status": 413,
            },
        }
    else:
        requests["an oversized login"] = {
            "method": "POST",
            "url": "/api/v1/auth/login",
            "json": {"password": secret, "blob": "L" * 20_000_000},
            "status": 413,
        }
        requests["a login without a username"] = {
            "method": "POST",
            "url": "/api/v1/auth/login",
            "json": {"password": secret},
            "status": 422,
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
    """Its own 4xx, the same in every framework, in JSON, echoing nothing it was
    sent, at once or after the body timeout. GraphQL answers operations it cannot
    run with 200, `errors` and no data."""

    def problems(name: str, answer: Answer) -> list[str]:
        found = []
        if answer.status != drive.refusals[name]:
            found.append(f"answered {answer.status}, not {drive.refusals[name]}")
        if not answer.content_type.startswith("application/json"):
            found.append(f"answered {answer.content_type!r}, not JSON")
        elif answer.status == 200 and (
            not answer.json().get("errors") or answer.json().get("data")
        ):
            found.append("answered 200 without errors")
        if PLANTED["body password"].encode() in answer.body:
            found.append("echoed the secret it was sent")
        if answer.seconds > BODY_TIMEOUT + 10:
            found.append(f"took {answer.seconds:.1f} s")
        return found

    wrong = {
        name: f"{problems(name, answer)}: {answer.body[:200]!r}"
        for name, answer in drive.mistakes.items()
        if problems(name, answer)
    }
    assert not wrong, f"not refused as they should be: {wrong}\n{drive.stack.logs()}"
    assert set(drive.mistakes) == set(drive.refusals)


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
    # The route needs no login: the token still says who the request is.
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
    # An operation named in the document only is tagged all the same.
    inline = _category_event(stored, drive, "inline")
    assert (inline.get("tags") or {}).get("graphql.operation") == "Inline"
    assert str((inline.get("user") or {}).get("id")) == drive.user_id


def test_a_revoked_token_carries_no_user(
    drive: Drive, stored: list[dict[str, Any]]
) -> None:
    """After logout, a failing request with the same token is nobody's."""
    assert drive.after_logout_failure == 500
    event = _category_event(stored, drive, "logged-out")
    assert not (event.get("user") or {}), event.get("user")


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
    # The user who queued the job.
    assert str((job.get("user") or {}).get("id")) == drive.user_id
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


def test_the_app_writes_json_lines_only(drive: Drive) -> None:
    """Staging and production write JSON lines, from start to shutdown: the server's
    own lines (gunicorn's master, uvicorn's) and Python's warnings included."""
    (app,) = [process for process in drive.stack.processes if process.name == "app"]
    lines = app.log_path.read_text(errors="replace").splitlines()
    assert lines
    not_json = [line for line in lines if line.strip() and not _json_object(line)]
    assert not not_json, not_json[:5]


@pytest.mark.parametrize("stack_combo", stacks(framework="django"), indirect=True)
def test_gunicorn_opens_no_control_socket(drive: Drive) -> None:
    """gunicorn 27 would create one under $HOME, read-only in the Kubernetes pods."""
    (app,) = [process for process in drive.stack.processes if process.name == "app"]
    log = app.log_path.read_text(errors="replace")
    assert "Starting gunicorn" in log
    assert "control socket" not in log.lower(), log[-2000:]


def _json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
