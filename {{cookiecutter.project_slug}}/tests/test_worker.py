"""The background worker: task logic always; with REDIS_URL set, a real worker.

The real worker is a `celery worker` process, started as the README says, on a
queue of its own (suites sharing one Redis never take each other's tasks), and
reporting to an envelope receiver on 127.0.0.1.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import sentry_sdk
from celery.beat import ScheduleEntry, Scheduler

from {{ cookiecutter.project_slug }}.core.diagnostics import SentryTestError
from {{ cookiecutter.project_slug }}.worker.celery_app import app, start_worker_sentry
from {{ cookiecutter.project_slug }}.worker.tasks import heartbeat, process_order

from .conftest import (
    TEST_DSN,
    CapturingTransport,
    closed_port,
    run_python,
{%- if cookiecutter.opentelemetry == "otlp" %}
    transaction_in_trace,
{%- endif %}
    wait_for_lines,
)
from .envelope_receiver import EnvelopeReceiver
{%- if cookiecutter.opentelemetry == "otlp" %}
from .otlp_receiver import OtlpReceiver
{%- endif %}

SECRET_EMAIL = "@".join(["task.secret", "example.com"])
WORKER_APP = "{{ cookiecutter.project_slug }}.worker.celery_app"


def test_process_order_logic() -> None:
    assert process_order("A-1", "buyer@example.com") == "order A-1 processed"
    assert heartbeat() == "ok"


def test_a_failing_order_raises() -> None:
    with pytest.raises(SentryTestError, match="A-2"):
        process_order("A-2", "buyer@example.com", fail=True)


@pytest.fixture
def worker_transport(monkeypatch: pytest.MonkeyPatch) -> CapturingTransport:
    """Sentry as the worker and beat start it, every envelope kept in memory."""
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    capturing = CapturingTransport()
    assert start_worker_sentry(transport=capturing)
    return capturing


def test_the_worker_reports_to_its_own_dsn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    monkeypatch.setenv("SENTRY_DSN_WORKER", "http://worker@127.0.0.1:9/2")
    transport = CapturingTransport()
    assert start_worker_sentry(transport=transport)
    assert sentry_sdk.get_client().options["dsn"] == "http://worker@127.0.0.1:9/2"
    sentry_sdk.capture_message("from the worker")
    assert transport.events[-1]["tags"]["service"] == "worker"


def test_queuing_with_redis_down_fails_instead_of_waiting(tmp_path: Path) -> None:
    """In a process of its own (the app reads REDIS_URL once): the call fails after a
    few reconnection attempts; the request then answers 500 and reports it."""
    code = (
        "from {{ cookiecutter.project_slug }}.worker.tasks import process_order\n"
        "try:\n"
        "    process_order.delay('A-3', 'buyer@example.com')\n"
        "except Exception as error:\n"
        "    print(type(error).__name__)\n"
    )
    redis_down = f"redis://127.0.0.1:{closed_port()}/0"
    # Without the retry policy: about 20 s.
    result = run_python(code, tmp_path, 15, REDIS_URL=redis_down, SENTRY_DSN="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), "queued with Redis down?"


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks run in the calling process, as `.delay()` returns: no broker needed."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_the_api_queues_the_example_job(eager: None, client: httpx2.Client) -> None:
    order = {"order_id": "A-9", "email": "buyer@example.com"}
    response = client.post("/api/v1/tasks/orders", json=order)
    assert response.status_code == 202
    assert response.json()["task_id"]
    assert client.post("/api/v1/tasks/orders", json={}).status_code == 422


@pytest.fixture
{%- if cookiecutter.opentelemetry == "otlp" %}
def queue(
    redis_url: str,
    receiver: EnvelopeReceiver,
    otlp_receiver: OtlpReceiver,
    tmp_path: Path,
) -> Iterator[str]:
{%- else %}
def queue(redis_url: str, receiver: EnvelopeReceiver, tmp_path: Path) -> Iterator[str]:
{%- endif %}
    """A `celery worker` process consuming a queue of its own; yields the queue."""
    name = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "SENTRY_DSN": receiver.dsn,
        "SENTRY_DEBUG": "false",
        "SENTRY_PROFILES_SAMPLE_RATE": "0",
{%- if cookiecutter.opentelemetry == "otlp" %}
        "OTEL_SDK_DISABLED": "false",
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_receiver.endpoint,
        # Spans leave within 0.1 s instead of 5 s.
        "OTEL_BSP_SCHEDULE_DELAY": "100",
{%- endif %}
    }
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", WORKER_APP, "worker"]
    command += ["-Q", name, "-P", "solo", "--loglevel", "INFO"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(process, log)
        yield name
    finally:
        process.terminate()  # Warm shutdown: the worker flushes Sentry on its way out.
        process.wait(timeout=30)


def test_the_workers_stdout_is_json_lines_only(
    json_logs: None, redis_url: str, tmp_path: Path
) -> None:
    """LOG_FORMAT=json (staging, production): every line the worker writes on stdout
    until it is ready is JSON (Celery prints a start-up banner of its own unless
    told not to; it still prints one plain line when it stops)."""
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    command = [sys.executable, "-m", "celery", "-A", WORKER_APP, "worker"]
    command += ["-Q", f"test-{uuid.uuid4().hex}", "-P", "solo", "--loglevel", "INFO"]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "SENTRY_DSN": ""},
            stdout=stdout,
            stderr=stderr,
        )
    try:
        _wait_until_ready(process, out)
        text = out.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = [json.loads(line) for line in text.splitlines()]  # Each one JSON.
    assert any(line["event"].endswith(" ready.") for line in lines), text


def _wait_until_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"celery worker did not start:\n{log.read_text()}")
        time.sleep(0.2)


def test_a_failing_task_is_one_scrubbed_event_in_the_request_trace(
    transport: CapturingTransport, receiver: EnvelopeReceiver, queue: str
) -> None:
    with sentry_sdk.start_transaction(name="POST /orders", op="http.server") as web:
        result = process_order.apply_async(("A-3", SECRET_EMAIL, True), queue=queue)
    with pytest.raises(SentryTestError):
        result.get(timeout=20)
    (event,) = receiver.wait_for("event", count=1)
    assert event["tags"]["service"] == "worker"
    assert event["transaction"].endswith("tasks.process_order")
    assert event["exception"]["values"][-1]["type"] == "SentryTestError"
    assert event["contexts"]["trace"]["trace_id"] == web.trace_id
    assert SECRET_EMAIL not in repr(event), "task arguments are scrubbed"


def test_beat_tasks_are_cron_check_ins(
    worker_transport: CapturingTransport, receiver: EnvelopeReceiver, queue: str
) -> None:
    entry = ScheduleEntry(
        name="heartbeat",
        task=heartbeat.name,
        schedule=app.conf.beat_schedule["heartbeat"]["schedule"],
        options={"queue": queue},
        app=app,
    )
    # What beat does: the integration adds the monitor headers and checks in.
    Scheduler(app, lazy=True).apply_entry(entry)
    (started,) = worker_transport.items("check_in")
    (finished,) = receiver.wait_for("check_in", count=1)
    assert started["monitor_slug"] == finished["monitor_slug"] == "heartbeat"
    assert (started["status"], finished["status"]) == ("in_progress", "ok")
    assert started["check_in_id"] == finished["check_in_id"]


def test_a_tasks_events_carry_the_user_who_queued_it_and_no_further(
    transport: CapturingTransport, receiver: EnvelopeReceiver, queue: str
) -> None:
    """One worker process, two tasks: the user of the first stays with the first."""
    queued = process_order.apply_async(
        ("A-4", SECRET_EMAIL, True), {"user_id": "42"}, queue=queue
    )
    anonymous = process_order.apply_async(("A-5", SECRET_EMAIL, True), queue=queue)
    for result in (queued, anonymous):
        with pytest.raises(SentryTestError):
            result.get(timeout=20)
    events = receiver.wait_for("event", count=2)
    users = {
        event["exception"]["values"][-1]["value"][-3:]: event.get("user")
        for event in events
    }
    assert users == {"A-4": {"id": "42"}, "A-5": None}
{%- if cookiecutter.opentelemetry == "otlp" %}


def test_the_tasks_trace_is_exported_with_the_sentry_ids(
    transport: CapturingTransport,
    receiver: EnvelopeReceiver,
    otlp_receiver: OtlpReceiver,
    queue: str,
) -> None:
    with sentry_sdk.start_transaction(name="POST /orders", op="http.server") as web:
        result = process_order.apply_async(("A-7", SECRET_EMAIL), queue=queue)
    assert result.get(timeout=20) == "order A-7 processed"
    task = transaction_in_trace(receiver, web.trace_id)
    span = otlp_receiver.wait_for_span(task["contexts"]["trace"]["span_id"])
    assert span.trace_id.hex() == web.trace_id
    assert span.parent_span_id.hex() == task["contexts"]["trace"]["parent_span_id"]
    assert SECRET_EMAIL.encode() not in b"".join(otlp_receiver.bodies)
{%- endif %}


def test_a_tasks_log_lines_carry_its_ids_and_the_request_trace(
    json_logs: None,
    transport: CapturingTransport,
    receiver: EnvelopeReceiver,
    queue: str,
    tmp_path: Path,
) -> None:
    with sentry_sdk.start_transaction(name="POST /orders", op="http.server") as web:
        result = process_order.apply_async(("A-6", SECRET_EMAIL, True), queue=queue)
    with pytest.raises(SentryTestError):
        result.get(timeout=20)
    task_lines = wait_for_lines(tmp_path / "worker.log", "job_id", result.id)
    text = (tmp_path / "worker.log").read_text(errors="replace")
    (event,) = receiver.wait_for("event", count=1)
    assert task_lines, text
    for line in task_lines:
        assert line["job_name"] == process_order.name
        assert line["trace_id"] == web.trace_id
        assert line["span_id"] == event["contexts"]["trace"]["span_id"]
    assert any("A-6" in line.get("exception", "") for line in task_lines)
    assert SECRET_EMAIL not in text, "task arguments are scrubbed in the logs too"
