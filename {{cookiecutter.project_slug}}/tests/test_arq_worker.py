"""The ARQ worker: job logic always; with REDIS_URL set, a real `arq` process.

Each test uses a queue of its own (WORKER_QUEUE), so suites sharing one Redis
never take each other's jobs; the worker reports to an envelope receiver.
"""

import asyncio
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

from {{ cookiecutter.project_slug }}.core.diagnostics import SentryTestError
from {{ cookiecutter.project_slug }}.worker.arq_worker import (
    heartbeat,
    process_order,
    start_worker_sentry,
)
from {{ cookiecutter.project_slug }}.worker.enqueue import enqueue_order

from .conftest import (
    TEST_DSN,
    CapturingTransport,
    closed_port,
    run_python,
{%- if cookiecutter.opentelemetry == "otlp" %}
    transaction_in_trace,
{%- endif %}
    wait_for_lines,
    wait_for_sentry_logs,
)
from .envelope_receiver import EnvelopeReceiver
{%- if cookiecutter.opentelemetry == "otlp" %}
from .otlp_receiver import OtlpReceiver
{%- endif %}

SECRET_EMAIL = "@".join(["job.secret", "example.com"])
WORKER_SETTINGS = "{{ cookiecutter.project_slug }}.worker.arq_worker.WorkerSettings"
PROJECT = Path(__file__).resolve().parents[1]
# As the README runs it: with the core's logging (core/logs.py).
ARQ = [
    "-m",
    "arq",
    "--custom-log-dict",
    "{{ cookiecutter.project_slug }}.worker.arq_worker.LOG_CONFIG",
]


def test_process_order_logic() -> None:
    result = asyncio.run(process_order({}, "A-1", "buyer@example.com"))
    assert result == "order A-1 processed"
    assert asyncio.run(heartbeat({})) == "ok"


def test_a_failing_order_raises() -> None:
    with pytest.raises(SentryTestError, match="A-2"):
        asyncio.run(process_order({}, "A-2", "buyer@example.com", fail=True))


def test_the_worker_reports_to_its_own_dsn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    monkeypatch.setenv("SENTRY_DSN_WORKER", "http://worker@127.0.0.1:9/2")
    transport = CapturingTransport()
    assert start_worker_sentry(transport=transport)
    assert sentry_sdk.get_client().options["dsn"] == "http://worker@127.0.0.1:9/2"
    sentry_sdk.capture_message("from the worker")
    assert transport.events[-1]["tags"]["service"] == "worker"


@pytest.mark.parametrize(
    "command", [ARQ, ["-m", "arq", "--check"]], ids=["worker", "liveness"]
)
def test_an_unreachable_redis_stops_the_worker_in_one_line(command: list[str]) -> None:
    """arq retries Redis 5 times, a second apart, then gives up: one line naming
    REDIS_URL, no traceback, a failing exit status."""
    redis_down = f"redis://127.0.0.1:{closed_port()}/0"
    result = subprocess.run(
        [sys.executable, *command, WORKER_SETTINGS],
        cwd=PROJECT,
        env={**os.environ, "REDIS_URL": redis_down, "SENTRY_DSN": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    lines = [line for line in result.stderr.splitlines() if "REDIS_URL" in line]
    assert len(lines) == 1, output
    assert lines[0].startswith("Worker error: REDIS_URL: Redis failed: "), output


def test_queuing_with_redis_down_fails_instead_of_waiting(tmp_path: Path) -> None:
    """In a process of its own (the app reads REDIS_URL once): the call fails after
    one reconnection attempt; the request then answers 500 and reports it."""
    code = (
        "import asyncio, time\n"
        "from {{ cookiecutter.project_slug }}.worker.enqueue import enqueue_order\n"
        "start = time.monotonic()\n"
        "try:\n"
        "    asyncio.run(enqueue_order('A-3', 'buyer@example.com'))\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, round(time.monotonic() - start, 1))\n"
    )
    redis_down = f"redis://127.0.0.1:{closed_port()}/0"
    result = run_python(code, tmp_path, 30, REDIS_URL=redis_down, SENTRY_DSN="")
    assert result.returncode == 0, result.stderr
    error, seconds = result.stdout.split()
    assert error == "ConnectionError"
    assert float(seconds) < 3  # arq's default: 5 retries, a second apart.


@pytest.fixture
def queue(
    monkeypatch: pytest.MonkeyPatch,
    redis_url: str,
    receiver: EnvelopeReceiver,
{%- if cookiecutter.opentelemetry == "otlp" %}
    otlp_receiver: OtlpReceiver,
{%- endif %}
    tmp_path: Path,
) -> Iterator[str]:
    """An `arq` worker process on a queue of its own; yields the queue name."""
    name = f"arq:test-{uuid.uuid4().hex}"
    monkeypatch.setenv("WORKER_QUEUE", name)
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
    process = _start_worker({**env, "HOSTNAME": "worker-a"}, tmp_path / "worker.log")
    try:
        yield name
    finally:
        process.terminate()  # arq's shutdown hook flushes Sentry.
        process.wait(timeout=30)


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, *ARQ, WORKER_SETTINGS],
            cwd=PROJECT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    _wait_for_log(process, log, "Starting worker")
    return process


def _health_check(hostname: str) -> int:
    """The exit status of `arq --check` run as the named host's liveness probe."""
    return subprocess.run(
        [sys.executable, "-m", "arq", "--check", WORKER_SETTINGS],
        cwd=PROJECT,
        env={**os.environ, "HOSTNAME": hostname},
        capture_output=True,
        check=False,
    ).returncode


def _wait_for_log(process: subprocess.Popen[bytes], log: Path, text: str) -> None:
    deadline = time.monotonic() + 60
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"arq worker did not start:\n{log.read_text()}")
        time.sleep(0.2)


def test_a_stopping_replica_leaves_the_others_alive(queue: str, tmp_path: Path) -> None:
    """Liveness per worker: replica B stopping (a rollout, a scale-in) must not make
    the probe of replica A, still running on the same queue, fail."""
    replica = _start_worker(
        {**os.environ, "SENTRY_DSN": "", "HOSTNAME": "worker-b"}, tmp_path / "b.log"
    )
    assert _health_check("worker-b") == 0
    replica.terminate()
    replica.wait(timeout=30)
    assert _health_check("worker-b") != 0  # B is gone, and says so...
    assert _health_check("worker-a") == 0  # ...A is still alive.


def test_the_api_queues_the_example_job(queue: str, client: httpx2.Client) -> None:
    order = {"order_id": "A-9", "email": "buyer@example.com"}
    response = client.post("/api/v1/tasks/orders", json=order)
    assert response.status_code == 202
    assert response.json()["task_id"]
    assert client.post("/api/v1/tasks/orders", json={}).status_code == 422


def test_a_failing_job_is_one_scrubbed_event_in_the_request_trace(
    transport: CapturingTransport, receiver: EnvelopeReceiver, queue: str
) -> None:
    with sentry_sdk.start_transaction(name="POST /orders", op="http.server") as web:
        asyncio.run(enqueue_order("A-3", SECRET_EMAIL, fail=True))
    (event,) = receiver.wait_for("event", count=1)
    assert event["tags"]["service"] == "worker"
    assert event["exception"]["values"][-1]["type"] == "SentryTestError"
    assert event["contexts"]["trace"]["trace_id"] == web.trace_id
    assert SECRET_EMAIL not in repr(event), "job arguments are scrubbed"


def test_cron_jobs_are_cron_check_ins(receiver: EnvelopeReceiver, queue: str) -> None:
    # heartbeat also runs at start-up, so the first run needs no waiting for :00.
    check_ins = receiver.wait_for("check_in", count=2)
    assert [c["monitor_slug"] for c in check_ins[:2]] == ["heartbeat", "heartbeat"]
    assert [c["status"] for c in check_ins[:2]] == ["in_progress", "ok"]


def test_a_jobs_events_carry_the_user_who_queued_it_and_no_further(
    transport: CapturingTransport, receiver: EnvelopeReceiver, queue: str
) -> None:
    """One worker process, two jobs: the user of the first stays with the first."""
    asyncio.run(enqueue_order("A-4", SECRET_EMAIL, fail=True, user_id="42"))
    asyncio.run(enqueue_order("A-5", SECRET_EMAIL, fail=True))
    events = receiver.wait_for("event", count=2)
    users = {
        event["exception"]["values"][-1]["value"][-3:]: event.get("user")
        for event in events
    }
    assert users == {"A-4": {"id": "42"}, "A-5": None}
{%- if cookiecutter.opentelemetry == "otlp" %}


def test_the_jobs_trace_is_exported_with_the_sentry_ids(
    transport: CapturingTransport,
    receiver: EnvelopeReceiver,
    otlp_receiver: OtlpReceiver,
    queue: str,
) -> None:
    with sentry_sdk.start_transaction(name="POST /orders", op="http.server") as web:
        asyncio.run(enqueue_order("A-7", SECRET_EMAIL))
    job = transaction_in_trace(receiver, web.trace_id)
    span = otlp_receiver.wait_for_span(job["contexts"]["trace"]["span_id"])
    assert span.trace_id.hex() == web.trace_id
    assert span.parent_span_id.hex() == job["contexts"]["trace"]["parent_span_id"]
    assert SECRET_EMAIL.encode() not in b"".join(otlp_receiver.bodies)
{%- endif %}


def test_jobs_queued_without_sentry_share_no_trace(
    json_logs: None, queue: str, tmp_path: Path
) -> None:
    """Sentry off where the jobs are queued: the requests have no trace, so each job
    is a trace of its own, not one made-up trace id common to every job's lines."""
    log = tmp_path / "worker.log"
    asyncio.run(enqueue_order("A-10", SECRET_EMAIL, fail=True))
    wait_for_lines(log, "job_name", "process_order")
    asyncio.run(enqueue_order("A-11", SECRET_EMAIL, fail=True))
    deadline = time.monotonic() + 20
    while True:
        lines = wait_for_lines(log, "job_name", "process_order")
        failures = [line for line in lines if line["level"] == "error"]
        if len(failures) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(failures) == 2, log.read_text(errors="replace")
    first, second = (line["trace_id"] for line in failures)
    assert first != second


def test_a_jobs_log_lines_carry_its_ids_and_the_request_trace(
    json_logs: None,
    transport: CapturingTransport,
    receiver: EnvelopeReceiver,
    queue: str,
    tmp_path: Path,
) -> None:
    with sentry_sdk.start_transaction(name="POST /orders", op="http.server") as web:
        job_id = asyncio.run(enqueue_order("A-6", SECRET_EMAIL, fail=True))
    job_lines = wait_for_lines(tmp_path / "worker.log", "job_id", job_id)
    text = (tmp_path / "worker.log").read_text(errors="replace")
    (event,) = receiver.wait_for("event", count=1)
    assert job_lines, text
    # Every line, from arq's first ("→", before the job's function runs) on.
    assert "→" in job_lines[0]["event"]
    for line in job_lines:
        assert line["job_name"] == "process_order"
        assert line["trace_id"] == web.trace_id
        assert line["span_id"] == event["contexts"]["trace"]["span_id"]
    assert any("A-6" in line["event"] for line in job_lines)
    assert SECRET_EMAIL not in text, "job arguments are scrubbed in the logs too"
    # Its Sentry logs are in the request's trace too.
    sent = wait_for_sentry_logs(receiver, "job_id", job_id)
    assert len(sent) == len(job_lines)
    for item in sent:
        assert item["trace_id"] == web.trace_id
