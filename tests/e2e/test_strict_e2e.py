"""End to end in strict mode: each framework's default bake, run with
SENTRY_PII_MODE=strict, is sent phone numbers (also percent-encoded, in the query and
in the Referer header) and IP addresses (with a port, in a header and in the error
message) in a failing request; none of them reaches Bugsink or the envelope recorder.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.bugsink import Bugsink
from tests.e2e.conftest import HOST
from tests.e2e.planted import secrets_found
from tests.e2e.recorder import Recorder
from tests.e2e.service import Service, start_service
from tests.helpers.combos import Combo
from tests.helpers.net import free_port
from tests.helpers.project import project_env, readme_run_command

pytestmark = [pytest.mark.e2e]

ERROR_PATH = "/api/v1/test/error"
PHONE = "+14155550199"
STRICT_SECRETS = {
    "phone in the query": PHONE,
    "phone in the Referer": "+14155550188",
    "IP with its port in the message": "203.0.113.91",
    "IP in a vendor header": "198.51.100.92",
    "phone in the message": "+44 20 7946 0958",
}


@pytest.fixture(scope="module")
def strict_service(
    combo: Combo,
    synced_project: Callable[[Combo], Path],
    recorder_dsn: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    """The framework's default bake, started with SENTRY_PII_MODE=strict."""
    project = synced_project(combo)
    port = free_port(HOST)
    workdir = tmp_path_factory.mktemp("strict-db")
    env = project_env(
        SENTRY_DSN=recorder_dsn,
        SENTRY_PII_MODE="strict",
        UVICORN_PORT=str(port),
        UVICORN_HOST=HOST,
        ENVIRONMENT="staging",
        SENTRY_TRACES_SAMPLE_RATE="1.0",
        DATABASE_URL=f"sqlite:///{workdir / 'strict.db'}",
        DJANGO_SECURE_SSL_REDIRECT="false",
        WORKER_QUEUE=f"e2e-{uuid.uuid4().hex}",
    )
    running = start_service(project, readme_run_command(project), env, HOST, port)
    yield running
    running.stop()


def test_strict_mode_sends_no_phone_number_or_ip_address(
    strict_service: Service,
    bugsink_server: Bugsink,
    recorder: Recorder,
    framework: str,
) -> None:
    marker = f"e2e-strict-{framework}"
    message = (
        f"{marker} client {STRICT_SECRETS['IP with its port in the message']}:54321 "
        f"called {STRICT_SECRETS['phone in the message']}"
    )
    referer_phone = STRICT_SECRETS["phone in the Referer"].replace("+", "%2B")
    with httpx.Client(base_url=strict_service.base_url, timeout=30) as client:
        response = client.post(
            ERROR_PATH,
            params={"phone": PHONE},
            json={"error_type": "exception", "message": message},
            headers={
                "Referer": f"https://shop.example.com/checkout?phone={referer_phone}",
                "CF-Connecting-IP": STRICT_SECRETS["IP in a vendor header"],
            },
        )
    assert response.status_code == 500, response.text
    events = bugsink_server.events(
        timeout=30,
        predicate=lambda event: marker in json.dumps(event.get("data") or {}),
    )
    assert events, f"no event for {marker} at Bugsink\n{strict_service.log()}"
    stored = json.dumps([event["data"] for event in events])
    leaks = secrets_found(stored, {}) + strict_secrets_in(stored)
    assert not leaks, f"at Bugsink: {leaks}"
    sent = recorder.all_bytes().decode("utf-8", errors="replace")
    assert marker in sent
    leaks = strict_secrets_in(sent)
    assert not leaks, f"in what the SDK sent: {leaks}"


def strict_secrets_in(text: str) -> list[str]:
    """Names of the STRICT_SECRETS in `text`, as sent or percent-encoded."""
    return [
        name
        for name, secret in STRICT_SECRETS.items()
        if secret in text or secret.replace("+", "%2B") in text
    ]
