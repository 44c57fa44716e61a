"""End to end for the background worker: a job queued through the running service
fails in a real worker process (started as the README says); its event reaches
Bugsink tagged `service=worker`, in the trace of the request that queued it, and
the job's arguments (an e-mail address) never leave either process."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.bugsink import Bugsink
from tests.e2e.recorder import Item, Recorder
from tests.e2e.service import Service
from tests.helpers.combos import AVAILABLE
from tests.helpers.project import readme_worker_command

pytestmark = [pytest.mark.e2e]

TASKS_PATH = "/api/v1/tasks/orders"
SECRET_EMAIL = "worker.secret@example.com"


WORKERS = [worker for worker in AVAILABLE["worker"] if worker != "none"]
# What each worker prints once it takes jobs.
READY = {"celery": "ready.", "arq": "Starting worker"}


@pytest.fixture(scope="module", params=WORKERS)
def worker(request: pytest.FixtureRequest) -> str:
    """Overrides the package-wide default: these services are baked with a worker."""
    return request.param


@pytest.fixture(scope="module")
def worker_process(service: Service, worker: str) -> Iterator[subprocess.Popen[bytes]]:
    """The README's worker command, with the service's environment."""
    log_path = service.project.parent / f"{service.project.name}-worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", readme_worker_command(service.project)],
            cwd=service.project,
            env=service.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    while READY[worker] not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"the worker did not start:\n{log_path.read_text()[-4000:]}")
        time.sleep(0.2)
    yield process
    os.killpg(process.pid, signal.SIGTERM)  # Warm shutdown flushes Sentry.
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def order_id(service: Service, worker_process: subprocess.Popen[bytes]) -> str:
    """Queue a failing job through the service; return its (unique) order id."""
    order = f"e2e-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=service.base_url, timeout=30) as client:
        response = client.post(
            TASKS_PATH, json={"order_id": order, "email": SECRET_EMAIL, "fail": True}
        )
    assert response.status_code == 202, response.text
    return order


@pytest.fixture(scope="module")
def worker_event(order_id: str, bugsink_server: Bugsink) -> dict[str, Any]:
    def is_ours(event: dict[str, Any]) -> bool:
        values = ((event.get("data") or {}).get("exception") or {}).get("values")
        return any(order_id in str(value.get("value")) for value in values or [])

    events = bugsink_server.events(timeout=45, predicate=is_ours)
    assert events, "the failing job's event did not reach Bugsink"
    return events[0]["data"]


def test_the_job_event_is_tagged_worker(worker_event: dict[str, Any]) -> None:
    assert (worker_event.get("tags") or {}).get("service") == "worker"
    types = [value.get("type") for value in worker_event["exception"]["values"]]
    assert "SentryTestError" in types


def test_the_job_continues_the_request_trace(
    worker_event: dict[str, Any], recorder: Recorder, service: Service
) -> None:
    def is_request(item: Item) -> bool:
        payload = item.payload if isinstance(item.payload, dict) else {}
        url = (payload.get("request") or {}).get("url") or ""
        return url.startswith(service.base_url + TASKS_PATH)

    (request,) = recorder.wait_for(is_request, timeout=20, item_type="transaction")
    request_trace = request.payload["contexts"]["trace"]["trace_id"]
    assert worker_event["contexts"]["trace"]["trace_id"] == request_trace


def test_job_arguments_never_leave_the_processes(
    worker_event: dict[str, Any], bugsink_server: Bugsink, recorder: Recorder
) -> None:
    stored = str([event["data"] for event in bugsink_server.all_events()])
    assert SECRET_EMAIL not in stored
    sent = recorder.all_bytes().decode("utf-8", errors="replace")
    assert SECRET_EMAIL not in sent
    assert "worker.secret%40example.com" not in sent
