"""The browser end to end: a built frontend, served against the running baked backend,
driven by Debian's Chromium (playwright-core, never a downloaded browser).

One user's visit (log in, load the profile, navigate, type an e-mail address, call a
failing API, throw in the page) must reach the recorder as: the page's error and the
API's error from the browser, both with the user; the backend's error on the same
trace as the browser's; and nowhere the typed e-mail address, not even in the replay.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import HOST, start_staging_service
from tests.e2e.recorder import Item, Recorder
from tests.e2e.service import Service
from tests.helpers.combos import make_combo
from tests.helpers.frontend import npm, npm_env, npm_run, require_chromium
from tests.helpers.net import free_port, wait_http
from tests.helpers.tools import run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DRIVER_DIR = Path(__file__).parent / "browser"
# Each frontend once, each against a framework whose API client differs (REST, GraphQL).
STACKS = [("vue", "fastapi"), ("react", "starlette-graphql")]
PASSWORD = "browser-e2e-Pa55word"


@dataclass
class Visit:
    """What one scripted visit left behind."""

    frontend: str
    framework: str
    user_id: str
    typed_email: str
    driver: dict[str, Any]
    recorder: Recorder


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """playwright-core installed from the lock, beside drive.mjs (per xdist worker)."""
    require_chromium()
    target = tmp_path_factory.mktemp("browser-driver")
    for name in ("package.json", "package-lock.json", "drive.mjs"):
        shutil.copy(DRIVER_DIR / name, target / name)
    npm_run(target, "ci")
    return target / "drive.mjs"


def _register(service: Service, framework: str, username: str, email: str) -> str:
    if framework == "starlette-graphql":
        mutation = (
            "mutation($u: String!, $e: String!, $p: String!) "
            "{ register(username: $u, email: $e, password: $p) { id } }"
        )
        answer = httpx.post(
            f"{service.base_url}/graphql",
            json={
                "query": mutation,
                "variables": {"u": username, "e": email, "p": PASSWORD},
            },
        )
        answer.raise_for_status()
        return str(answer.json()["data"]["register"]["id"])
    answer = httpx.post(
        f"{service.base_url}/api/v1/auth/register",
        json={"username": username, "email": email, "password": PASSWORD},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


@pytest.fixture(
    scope="module",
    params=[
        # One xdist group per stack: its visit runs once, in one worker.
        pytest.param(
            stack,
            id=f"{stack[0]}+{stack[1]}",
            marks=pytest.mark.xdist_group(f"browser-{stack[0]}"),
        )
        for stack in STACKS
    ],
)
def visit(
    request: pytest.FixtureRequest,
    synced_project: Any,
    recorder: Recorder,
    recorder_dsn: str,
    driver: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Visit]:
    frontend_name, framework = request.param
    project = synced_project(make_combo(frontend=frontend_name, framework=framework))
    service = start_staging_service(
        project, recorder_dsn, tmp_path_factory.mktemp("db")
    )
    preview: subprocess.Popen[bytes] | None = None
    try:
        frontend = project / "frontend"
        browser_env = {
            "VITE_SENTRY_DSN": recorder_dsn,
            "VITE_SENTRY_ENVIRONMENT": "staging",
            "VITE_SENTRY_TRACES_SAMPLE_RATE": "1.0",
        }
        npm_run(frontend, "ci")
        npm_run(frontend, "run", "build", **browser_env)
        port = free_port(HOST)
        log = (tmp_path_factory.mktemp("preview") / "preview.log").open("wb")
        preview = subprocess.Popen(
            [
                npm(),
                "run",
                "preview",
                "--",
                "--host",
                HOST,
                "--port",
                str(port),
                "--strictPort",
            ],
            cwd=frontend,
            env=npm_env(API_PROXY_TARGET=service.base_url, **browser_env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://{HOST}:{port}"
        assert wait_http(base_url + "/", 60) == 200

        suffix = uuid.uuid4().hex[:8]
        username = f"browser_{suffix}"
        user_id = _register(
            service, framework, username, f"{username}@accounts.example"
        )
        typed_email = f"typed.{suffix}@receipts.example"
        plan = {
            "baseUrl": base_url,
            "username": username,
            "password": PASSWORD,
            "email": typed_email,
            "dsnOrigin": recorder.base_url,
        }
        result = run(
            ["node", str(driver), json.dumps(plan)], cwd=driver.parent, timeout=180
        )
        assert result.returncode == 0, (
            f"{result.stdout}\n{result.stderr}\n{service.log()}"
        )
        yield Visit(
            frontend=frontend_name,
            framework=framework,
            user_id=user_id,
            typed_email=typed_email,
            driver=json.loads(result.stdout.strip().splitlines()[-1]),
            recorder=recorder,
        )
    finally:
        if preview is not None:
            # The whole group: `npm run preview` leaves its vite child behind.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(preview.pid, signal.SIGTERM)
            preview.wait(timeout=10)
        service.stop()


def _events(visit: Visit, sdk_prefix: str) -> list[dict[str, Any]]:
    return [
        item.payload
        for item in visit.recorder.items("event")
        if isinstance(item.payload, dict)
        and str(item.payload.get("sdk", {}).get("name", "")).startswith(sdk_prefix)
    ]


def _exception_values(event: dict[str, Any]) -> list[str]:
    return [
        str(value.get("value"))
        for value in event.get("exception", {}).get("values", [])
    ]


def _browser_event(visit: Visit, text: str) -> dict[str, Any]:
    def matches(item: Item) -> bool:
        return isinstance(item.payload, dict) and any(
            text in value for value in _exception_values(item.payload)
        )

    found = visit.recorder.wait_for(matches, timeout=20, item_type="event")
    browser = [
        item.payload
        for item in found
        if str(item.payload.get("sdk", {}).get("name", "")).startswith(
            "sentry.javascript"
        )
        and item.payload.get("user", {}).get("id") == visit.user_id
    ]
    assert browser, (
        f"no browser event with {text!r} for user {visit.user_id}: {visit.driver}"
    )
    return browser[-1]


def test_the_visit_went_as_planned(visit: Visit) -> None:
    assert visit.driver["failingApiStatus"] == 500
    assert visit.driver["sentryRequests"] > 0
    assert visit.driver["steps"][-1] == "sentry quiet"


def test_a_click_that_throws_arrives_scrubbed_with_the_user(visit: Visit) -> None:
    event = _browser_event(visit, "Payment failed for")
    assert any(
        value == "Payment failed for [Filtered]" for value in _exception_values(event)
    )
    assert event["environment"] == "staging"
    assert event["release"], "browser event without a release"
    assert event["sdk"]["name"] == f"sentry.javascript.{visit.frontend}"
    assert event["request"]["url"].endswith("/debug")
    assert event["user"]["id"] == visit.user_id


def test_a_failing_api_call_continues_the_browser_trace(visit: Visit) -> None:
    browser = _browser_event(visit, "/api/v1/test/error failed with 500")
    trace_id = browser["contexts"]["trace"]["trace_id"]

    def backend_on_trace(item: Item) -> bool:
        payload = item.payload
        return (
            isinstance(payload, dict)
            and payload.get("platform") == "python"
            and payload.get("contexts", {}).get("trace", {}).get("trace_id") == trace_id
        )

    backend = visit.recorder.wait_for(backend_on_trace, timeout=20, item_type="event")
    assert backend, f"no backend event on the browser's trace {trace_id}"
    event = backend[0].payload
    assert any("Test error from the browser" in v for v in _exception_values(event))
    assert event["environment"] == "staging"
    # The browser sends its bearer token: the backend's event is the same user's.
    assert str((event.get("user") or {}).get("id")) == visit.user_id


def test_replay_is_recorded_and_masked(visit: Visit) -> None:
    recordings = visit.recorder.items("replay_recording")
    assert recordings, "no replay was sent with the errors"
    for recording in recordings:
        text = _replay_text(recording.raw)
        assert visit.typed_email not in text


def test_the_typed_email_arrives_nowhere(visit: Visit) -> None:
    assert visit.typed_email.encode() not in visit.recorder.all_bytes()
    for item in visit.recorder.items("replay_recording"):
        assert visit.typed_email not in _replay_text(item.raw)


def _replay_text(raw: bytes) -> str:
    """A replay_recording item: a JSON header line, then the (maybe zlib) recording."""
    _, _, body = raw.partition(b"\n")
    with contextlib.suppress(zlib.error):  # recorded uncompressed
        body = zlib.decompress(body)
    return body.decode("utf-8", errors="replace")
