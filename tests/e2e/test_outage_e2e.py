"""Sentry being down never surfaces to clients: each framework, run as the production
compose file runs it (see `stack.py`), with its DSN pointing at a closed port or at a
server that accepts connections and never answers (both on 127.0.0.1), answers every
request exactly as it does with Sentry up, and still stops cleanly.

How long requests take with Sentry down is measured side by side in
`benchmarks/service_benchmark.py`, not here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks._servers import BlackHole, dsn_for_port
from tests.e2e.client import graphql, sign_up
from tests.e2e.stack import Stack, start_stack
from tests.helpers.combos import AVAILABLE, Combo, make_combo
from tests.helpers.net import free_port

pytestmark = [pytest.mark.e2e]

OUTAGES = ("closed port", "never answers")
ERROR_PATH = "/api/v1/test/error"
USER = {
    "username": "outage_user",
    "email": "outage.user@example.com",
    "password": "Outage-Passw0rd-private",
}


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(
            (framework, outage),
            id=f"{framework}-{outage.replace(' ', '-')}",
            marks=pytest.mark.xdist_group(f"outage-{framework}-{outage}"),
        )
        for framework in AVAILABLE["framework"]
        for outage in OUTAGES
    ],
)
def outage(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


@pytest.fixture(scope="module")
def down_dsn(outage: tuple[str, str]) -> Iterator[str]:
    """A DSN on 127.0.0.1 that nothing answers."""
    if outage[1] == "closed port":
        yield dsn_for_port(free_port())
        return
    with BlackHole() as black_hole:
        yield black_hole.dsn


@pytest.fixture(scope="module")
def stack(
    outage: tuple[str, str],
    down_dsn: str,
    synced_project: Callable[[Combo], Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        pytest.skip("DATABASE_URL (PostgreSQL) and REDIS_URL are not set")
    framework, _ = outage
    running = start_stack(
        synced_project(make_combo(framework=framework)),
        tmp_path_factory.mktemp("outage"),
        dsn=down_dsn,
        release="acme_service@outage",
        database_url=database_url,
        redis_url=redis_url,
        overrides={"SENTRY_TRACES_SAMPLE_RATE": "1.0"},
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(stack: Stack) -> Iterator[httpx.Client]:
    # A hung request fails the test (no timing is asserted beyond that).
    with httpx.Client(base_url=stack.base_url, timeout=15) as http:
        yield http


def test_health_still_reports_sentry_enabled(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["sentry"]["enabled"] is True


def test_users_still_sign_up_and_read_their_profile(
    client: httpx.Client, outage: tuple[str, str]
) -> None:
    framework, _ = outage
    user_id, token = sign_up(client, framework, USER)
    if framework == "starlette-graphql":
        me = graphql(client, "query { me { id } }", {}, token)["me"]
        assert str(me["id"]) == user_id
    else:
        response = client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        assert str(response.json()["id"]) == user_id


@pytest.mark.parametrize(
    ("error_type", "status"),
    [("exception", 500), ("database", 500), ("capture", 200), ("message", 200)],
)
def test_errors_answer_as_with_sentry_up(
    client: httpx.Client, error_type: str, status: int
) -> None:
    # A connection each: uvicorn closes the connection of a request whose error
    # reached it.
    response = client.post(
        ERROR_PATH, json={"error_type": error_type}, headers={"Connection": "close"}
    )
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["event_id"]


def test_the_service_stops_cleanly(stack: Stack, client: httpx.Client) -> None:
    client.get("/health")
    stack.stop()
    codes = {process.name: process.popen.returncode for process in stack.processes}
    assert all(code is not None and code >= 0 for code in codes.values()), (
        f"exit codes {codes} (negative: killed)\n{stack.logs()}"
    )
