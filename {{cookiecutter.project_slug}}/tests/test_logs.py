{%- set django = cookiecutter.framework == "django" -%}
"""Structured logs (core/logs.py): the format of each environment, the scrubbing
policy over every line, and the ids a request's lines carry; Sentry Logs and metrics
scrubbed end to end, through the SDK's real HTTP transport.

Lines are read from stdout as a deployment's log collector reads them.
"""

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sentry_sdk
import structlog
from sentry_sdk import metrics

from {{ cookiecutter.project_slug }}.core.logs import (
    before_send_log,
    bind,
    configure_logging,
    log_context,
)
from {{ cookiecutter.project_slug }}.core.request_log import RequestLogging
from {{ cookiecutter.project_slug }}.core.sentry import close_sentry
from {{ cookiecutter.project_slug }}.features import start_sentry

from .conftest import CapturingTransport, run_python
from .envelope_receiver import EnvelopeReceiver
from .test_request_user import bearer, sign_up

ERROR_PATH = "/api/v1/test/error"
# Planted in messages, fields, arguments and tracebacks: none may be written.
PASSWORD = "hunter2-planted"
TOKEN = "plantedbearertoken0123456789"
CARD = "4111 1111 1111 1111"
EMAIL = "jane.planted@example.com"
PLANTED = (PASSWORD, TOKEN, CARD, CARD.replace(" ", ""), EMAIL)
PHONE = "+44 20 7946 0958"  # Scrubbed in strict mode only.


def lines(text: str) -> list[dict[str, Any]]:
    """The JSON lines of `text` (every line must be one)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def log_secrets() -> None:
    """One line of each kind, each holding the planted secrets."""
    log = structlog.get_logger("orders")
    log.info(
        f"login of {EMAIL} with password={PASSWORD}",
        card=CARD,
        authorization=f"Bearer {TOKEN}",
        customer={"email": EMAIL, "phone": PHONE, "card_number": CARD},
        reference=int(CARD.replace(" ", "")),  # A card number as an integer.
        items=3,
    )
    logging.getLogger("payments").warning(
        "charging %s, Authorization: Bearer %s", CARD.replace(" ", ""), TOKEN
    )
    try:
        raise ValueError(f"password={PASSWORD} for {EMAIL}")
    except ValueError:
        log.exception("charge failed")


@pytest.mark.parametrize(
    ("environment", "log_format"),
    [("development", "console"), ("staging", "json"), ("production", "json")],
)
def test_each_environment_has_its_format(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environment: str,
    log_format: str,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    configure_logging()
    structlog.get_logger("orders").info("order placed", order_id=7)
    logging.getLogger("uvicorn.error").info("server started")
    out = capsys.readouterr().out
    if log_format == "json":
        first, second = lines(out)
        assert first["event"] == "order placed"
        assert first["order_id"] == 7
        assert first["level"] == "info"
        assert first["logger"] == "orders"
        assert first["timestamp"].endswith("Z")
        assert second["event"] == "server started"
        assert second["logger"] == "uvicorn.error"
    else:
        assert "order placed" in out
        assert "order_id=7" in out
        with pytest.raises(json.JSONDecodeError):
            lines(out)


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_uvicorn_lines_carry_no_colour_codes(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    log_format: str,
) -> None:
    """uvicorn passes its message again, coloured, as the extra `color_message`."""
    monkeypatch.setenv("LOG_FORMAT", log_format)
    configure_logging()
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]",
        42,
        extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]"},
    )
    out = capsys.readouterr().out
    assert "Started server process [42]" in out
    assert "color_message" not in out
    assert "\x1b" not in out and "\\u001b" not in out


def test_log_format_overrides_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    configure_logging()
    structlog.get_logger().info("readable by machines")
    (line,) = lines(capsys.readouterr().out)
    assert line["event"] == "readable by machines"


def test_server_lines_come_in_the_same_format(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """uvicorn's own lines as it logs them: the message again in colours, an extra
    field, is dropped."""
    monkeypatch.setenv("LOG_FORMAT", "json")
    configure_logging()
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]",
        42,
        extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]"},
    )
    (started,) = lines(capsys.readouterr().out)
    assert started["event"] == "Started server process [42]"
    assert started["logger"] == "uvicorn.error"
    assert "color_message" not in started


def test_python_warnings_come_in_the_same_format(tmp_path: Path) -> None:
    """In a process of its own: pytest records the warnings of its tests itself."""
    code = (
        "import warnings\n"
        f"from {configure_logging.__module__} import configure_logging\n"
        "configure_logging()\n"
        "warnings.warn('a deprecated call', UserWarning, stacklevel=1)\n"
    )
    result = run_python(code, tmp_path, LOG_FORMAT="json", SENTRY_DSN="")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    (warned,) = lines(result.stdout)
    assert warned["logger"] == "py.warnings"
    assert "a deprecated call" in warned["event"]


def test_access_logs_are_replaced_by_the_request_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging()
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET / HTTP/1.1" 200')
    logging.getLogger("gunicorn.access").info('127.0.0.1 - "GET / HTTP/1.1" 200')
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("pii_mode", ["standard", "strict"])
@pytest.mark.parametrize("log_format", ["json", "console"])
def test_no_secret_reaches_stdout(
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    pii_mode: str,
    log_format: str,
) -> None:
    monkeypatch.setenv("SENTRY_PII_MODE", pii_mode)
    monkeypatch.setenv("LOG_FORMAT", log_format)
    configure_logging()
    log_secrets()
    out = capfd.readouterr().out
    assert "charge failed" in out
    assert "ValueError" in out  # The traceback is there, scrubbed.
    assert "[Filtered]" in out
    for secret in PLANTED:
        assert secret not in out
    assert (PHONE in out) is (pii_mode == "standard")


def test_lines_in_a_context_carry_its_fields(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    configure_logging()
    with log_context(job_id="job-1", job_name="process_order"):
        structlog.get_logger().info("inside")
        logging.getLogger("worker").info("inside too")
    structlog.get_logger().info("outside")
    inside, inside_too, outside = lines(capsys.readouterr().out)
    for line in (inside, inside_too):
        assert (line["job_id"], line["job_name"]) == ("job-1", "process_order")
    assert "job_id" not in outside


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON lines (set before the settings are first read)."""
    monkeypatch.setenv("LOG_FORMAT", "json")


def test_only_lines_inside_a_request_job_or_span_carry_trace_ids(
    json_logs: None,
    transport: CapturingTransport,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Outside (start-up, shutdown), the scope's trace is one no event belongs to."""
    log = structlog.get_logger()
    log.info("starting")
    with log_context(job_id="job-2"):
        log.info("in a job")
    with sentry_sdk.start_transaction(name="nightly", op="task") as transaction:
        log.info("in a span")
    starting, in_a_job, in_a_span = lines(capsys.readouterr().out)[-3:]
    assert "trace_id" not in starting and "span_id" not in starting
    assert in_a_job["trace_id"] and in_a_job["span_id"]
    assert in_a_span["trace_id"] == transaction.trace_id
    assert in_a_span["span_id"] == transaction.span_id


def test_an_error_the_server_logs_after_its_request_carries_its_ids(
    json_logs: None,
    transport: CapturingTransport,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """uvicorn logs "Exception in ASGI application" once the request is over, out of
    its context: the line still carries the request's id and trace ids."""
    configure_logging()

    async def failing_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        raise RuntimeError("failed after answering")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        """The server's side: nothing to do with the answer."""

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/fails",
        "headers": [(b"x-request-id", b"req-after")],
        "client": ("127.0.0.1", 40000),
    }
    try:
        asyncio.run(RequestLogging(failing_app)(scope, receive, send))
    except RuntimeError as error:
        # As uvicorn does, in the `except` block around the application.
        logging.getLogger("uvicorn.error").error(
            "Exception in ASGI application", exc_info=error
        )
    out = lines(capsys.readouterr().out)
    (request_line,) = [line for line in out if line["logger"] == "request"]
    (error_line,) = [line for line in out if line["event"].startswith("Exception")]
    assert request_line["request_id"] == error_line["request_id"] == "req-after"
    assert error_line["trace_id"] == request_line["trace_id"]
    assert error_line["span_id"] == request_line["span_id"]
    assert "failed after answering" in error_line["exception"]
    # Their Sentry logs are in the same trace, with the same request id.
    sentry_sdk.get_client().flush(timeout=2)
    sent = sentry_logs(transport, "req-after")
    assert {item["body"].strip() for item in sent} == {
        "GET /fails 500",
        "Exception in ASGI application",
    }
    for item in sent:
        assert item["trace_id"] == request_line["trace_id"]
        assert item["span_id"] == request_line["span_id"]


def test_a_failing_request_is_one_line_with_the_ids_of_its_sentry_events(
    json_logs: None,
    transport: CapturingTransport,
    client: httpx2.Client,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging()  # After the app's start-up: its lines go to this test's stdout.
    capsys.readouterr()
    response = client.post(
        ERROR_PATH, json={"error_type": "zero"}, headers={"X-Request-ID": "req-42"}
    )
    sentry_sdk.get_client().flush(timeout=2)
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-42"
    (request_line,) = [
        line for line in lines(capsys.readouterr().out) if line["logger"] == "request"
    ]
    assert request_line["event"] == f"POST {ERROR_PATH} 500"
    assert (request_line["method"], request_line["path"]) == ("POST", ERROR_PATH)
    assert request_line["status"] == 500
    assert request_line["duration_ms"] > 0
    assert request_line["request_id"] == "req-42"
    (event,) = transport.events
    (transaction,) = transport.transactions
    trace_id = event["contexts"]["trace"]["trace_id"]
    assert request_line["trace_id"] == trace_id
    assert transaction["contexts"]["trace"]["trace_id"] == trace_id
    assert event["tags"]["request_id"] == "req-42"
    assert transaction["tags"]["request_id"] == "req-42"
    # Its Sentry logs, the request's line (written once the transaction is over)
    # among them, are in the same trace.
    sent = sentry_logs(transport, "req-42")
    assert f"POST {ERROR_PATH} 500" in [item["body"] for item in sent]
    for item in sent:
        assert item["trace_id"] == trace_id


def sentry_logs(transport: CapturingTransport, request_id: str) -> list[Any]:
    """The Sentry logs sent with the request id `request_id`."""
    return [
        item
        for container in transport.items("log")
        for item in container["items"]
        if item["attributes"].get("request_id", {}).get("value") == request_id
    ]


def test_a_secret_at_the_end_of_a_path_stays_out_of_the_request_line(
    json_logs: None,
    transport: CapturingTransport,
    client: httpx2.Client,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The message "GET <path> 404" puts the status right after the path: a card
    number ending the path must not pass for a longer number there."""
    configure_logging()
    capsys.readouterr()
    card = CARD.replace(" ", "")
    for path in (f"/cards/{card}", f"/users/{EMAIL}/{card}"):
        client.get(path, headers={"X-Request-ID": "req-card"})
    sentry_sdk.get_client().flush(timeout=2)
    request_lines = [
        line for line in lines(capsys.readouterr().out) if line["logger"] == "request"
    ]
    sent = sentry_logs(transport, "req-card")
    sent_request_lines = [
        item for item in sent if item["attributes"]["logger.name"]["value"] == "request"
    ]
    assert len(request_lines) == len(sent_request_lines) == 2
    assert request_lines[0]["event"].startswith("GET /cards/[Filtered] ")
    for secret in (card, EMAIL):
        assert secret not in json.dumps([request_lines, sent])


def test_a_request_without_an_id_gets_a_new_one(
    json_logs: None, client: httpx2.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging()
    first = client.get("/health", headers={"X-Request-ID": "not a\tplain token"})
    second = client.get("/health")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(len(rid) == 32 and int(rid, 16) >= 0 for rid in ids)
    assert ids[0] != ids[1]
    logged = [
        line["request_id"]
        for line in lines(capsys.readouterr().out)
        if line["logger"] == "request"
    ]
    assert logged == ids


@pytest.mark.parametrize(
    "incoming",
    [CARD.replace(" ", ""), "ghp_" + "0123456789abcdefghijklmnopqrstuvwxyz"],
)
def test_a_request_id_holding_a_secret_is_replaced(
    json_logs: None,
    transport: CapturingTransport,
    client: httpx2.Client,
    capsys: pytest.CaptureFixture[str],
    incoming: str,
) -> None:
    """The request id is written unscrubbed on every line, tag and Sentry log of
    the request: a client's X-Request-ID the scrubbing policy would filter (a card
    number, a token) is replaced by a new one, not echoed into the logs."""
    configure_logging()
    response = client.get("/health", headers={"X-Request-ID": incoming})
    sentry_sdk.get_client().flush(timeout=2)
    rid = response.headers["X-Request-ID"]
    assert rid != incoming
    assert len(rid) == 32 and int(rid, 16) >= 0
    (request_line,) = [
        line for line in lines(capsys.readouterr().out) if line["logger"] == "request"
    ]
    assert request_line["request_id"] == rid
    assert incoming not in json.dumps([request_line, transport.items("log")])


def test_an_authenticated_request_line_carries_the_user_id(
    json_logs: None,
    transport: CapturingTransport,
    client: httpx2.Client,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user_id, token = sign_up(client, "jane")
    configure_logging()
    capsys.readouterr()
    client.post(ERROR_PATH, json={"error_type": "zero"}, headers=bearer(token))
    client.cookies.clear()  # No session either: nobody.
    client.post(ERROR_PATH, json={"error_type": "zero"})
    with_user, without = [
        line for line in lines(capsys.readouterr().out) if line["logger"] == "request"
    ]
    assert with_user["user_id"] == user_id
    assert "user_id" not in without


# --- Sentry Logs and metrics, end to end ---------------------------------------------


def attribute_values(item: dict[str, Any]) -> str:
    return json.dumps(item.get("attributes", {}))


@pytest.mark.parametrize("pii_mode", ["standard", "strict"])
def test_sentry_logs_and_metrics_are_scrubbed_and_traced(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    receiver: EnvelopeReceiver,
    pii_mode: str,
) -> None:
    monkeypatch.setenv("SENTRY_DSN", receiver.dsn)
    monkeypatch.setenv("SENTRY_PII_MODE", pii_mode)
    configure_logging()
    assert start_sentry()  # The real HTTP transport.
    with sentry_sdk.start_transaction(name="checkout", op="task") as transaction:
        with log_context(request_id="req-7"):
            log_secrets()
        metrics.count(
            "checkout.attempts",
            1,
            attributes={"password": PASSWORD, "customer": f"{EMAIL} {CARD}"},
        )
        metrics.distribution(
            "checkout.amount", 12.5, attributes={"note": f"Bearer {TOKEN}"}
        )
    sentry_sdk.get_client().flush(timeout=5)
    containers = receiver.wait_for("log", 1)
    logs = [item for container in containers for item in container["items"]]
    metric_containers = receiver.wait_for("trace_metric", 1)
    sent_metrics = [item for each in metric_containers for item in each["items"]]
    close_sentry()  # Nothing left to send once the receiver is gone.
    sent = json.dumps([logs, sent_metrics])
    for secret in PLANTED:
        assert secret not in sent
    assert (PHONE in sent) is (pii_mode == "standard")
    bodies = [item["body"] for item in logs]
    assert any(body.startswith("login of [Filtered]") for body in bodies)
    assert "charge failed" in bodies
    assert {metric["name"] for metric in sent_metrics} == {
        "checkout.attempts",
        "checkout.amount",
    }
    # The three lines logged in the transaction (others: start-up, outside of it).
    ours = [item for item in logs if "request_id" in item["attributes"]]
    assert len(ours) == 3
    for item in ours:
        assert item["attributes"]["request_id"]["value"] == "req-7"
    for item in [*ours, *sent_metrics]:
        assert item["trace_id"] == transaction.trace_id


def test_sentry_logs_and_metrics_follow_the_trace_a_job_continues(
    transport: CapturingTransport,
) -> None:
    """A job's transaction starts a trace of its own, which the worker replaces with
    the trace of the request that queued the job (`bind(trace_id=...)`): its Sentry
    logs and metrics go to that trace too, as its stdout lines and events do."""
    request_trace, request_span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    with sentry_sdk.start_transaction(name="process_order", op="queue.task") as job:
        with log_context(job_id="job-9"):
            bind(trace_id=request_trace, span_id=job.span_id)
            structlog.get_logger("orders").info("order processed")
            metrics.count("orders.processed", 1)
        with log_context(job_id="job-10"):
            bind(trace_id=request_trace, span_id=request_span)
            logging.getLogger("orders").info("another order")
    sentry_sdk.get_client().flush(timeout=2)
    sent_logs = [
        item
        for container in transport.items("log")
        for item in container["items"]
        if "job_id" in item["attributes"]
    ]
    (metric,) = [
        item
        for container in transport.items("trace_metric")
        for item in container["items"]
    ]
    assert [item["body"] for item in sent_logs] == ["order processed", "another order"]
    for item in [*sent_logs, metric]:
        assert item["trace_id"] == request_trace
    assert [item["span_id"] for item in sent_logs] == [job.span_id, request_span]


def test_sentry_logs_keep_the_sdks_own_attributes() -> None:
    # A thread id of 15 digits passes the card number check one time in ten.
    thread_id = 140585604208323
    sdk_attributes = {
        "thread.id": thread_id,
        "process.pid": 4242,
        "code.file.path": "service/orders.py",
        "code.line.number": 12,
        "sentry.release": "service@1.4.2",
    }
    log: Any = {
        "body": f"charging {CARD} for {EMAIL}",
        "attributes": {
            **sdk_attributes,
            "sentry.message.template": "charging %s for %s",
            "sentry.message.parameter.0": CARD,
            "sentry.message.parameter.1": EMAIL,
            "user.email": EMAIL,
            "card": CARD,
        },
    }
    sent = before_send_log(log, {})
    assert sent is not None
    assert sent["body"] == "charging [Filtered] for [Filtered]"
    assert sdk_attributes.items() <= sent["attributes"].items()
    assert not any(secret in json.dumps(sent) for secret in PLANTED)


def test_sentry_logs_follow_sentry_enable_logs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENTRY_DSN", "http://public@127.0.0.1:9/1")
    monkeypatch.setenv("SENTRY_ENABLE_LOGS", "false")
    transport = CapturingTransport()
    assert start_sentry(transport=transport)
    structlog.get_logger().warning("not for Sentry Logs")
    sentry_sdk.get_client().flush(timeout=2)
    assert transport.items("log") == []
    assert sentry_sdk.get_client().options["enable_logs"] is False
{%- if django %}


@pytest.fixture(autouse=True)
def _database(db: None) -> None:
    """The sign-ups need Django's test database."""
{%- endif %}
