"""A quiet, honest log: the SDK's debug output off by default and printed once when on,
an unreachable Sentry reported once per outage (core/transport.py)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk

from {{ cookiecutter.project_slug }}.core import sentry
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.core.transport import Outage
from {{ cookiecutter.project_slug }}.features import start_sentry

from .envelope_receiver import EnvelopeReceiver

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Nothing listens on port 9 of 127.0.0.1 (discard): every send is refused.
DEAD_DSN = "http://public@127.0.0.1:9/1"
TRANSPORT_LOGGER = "{{ cookiecutter.project_slug }}.core.transport"

# A process that starts as the service does (logging, then Sentry) and reports twice.
SCRIPT = """
import logging
logging.basicConfig(level=logging.DEBUG)
from {{ cookiecutter.project_slug }}.core import sentry
from {{ cookiecutter.project_slug }}.features import start_sentry
start_sentry()
sentry.capture_message("first")
sentry.capture_message("second")
sentry.close_sentry()
"""


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_sdk_debug_is_off_by_default(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.delenv("SENTRY_DEBUG")
    monkeypatch.setenv("ENVIRONMENT", environment)
    assert get_settings().debug is False


def run_service_start(dsn: str, **env: str) -> list[str]:
    """The stderr lines of SCRIPT run in development with `dsn` and `env`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SENTRY_") and key != "ENVIRONMENT"
    }
    environment |= {"ENVIRONMENT": "development", "SENTRY_DSN": dsn, **env}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=Path.cwd(),  # Away from the project's .env (see conftest).
        env=environment | {"PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr.splitlines()


def test_a_development_start_logs_no_sdk_line(receiver: EnvelopeReceiver) -> None:
    lines = run_service_start(receiver.dsn)
    sdk_lines = [line for line in lines if "[sentry]" in line or "sentry_sdk" in line]
    assert sdk_lines == []
    assert any("Sentry initialized" in line for line in lines), lines


def test_sdk_debug_lines_are_printed_once(receiver: EnvelopeReceiver) -> None:
    lines = run_service_start(receiver.dsn, SENTRY_DEBUG="true")
    sdk_lines = [line for line in lines if line.startswith(" [sentry] ")]
    assert sdk_lines, lines
    # The root logger's handler prints none of them a second time.
    assert [line for line in lines if "sentry_sdk.errors" in line] == []


def test_an_unreachable_sentry_is_reported_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SENTRY_DSN", DEAD_DSN)
    assert start_sentry()
    caplog.set_level(logging.DEBUG)
    for number in range(3):
        sentry.capture_message(f"lost {number}")
        sentry_sdk.get_client().flush(timeout=5)
    outage = [r for r in caplog.records if r.name == TRANSPORT_LOGGER]
    assert len(outage) == 1, [r.getMessage() for r in outage]
    assert "unreachable" in outage[0].getMessage()
    assert "127.0.0.1" in outage[0].getMessage()
    retries = [r for r in caplog.records if r.getMessage().startswith("Retrying")]
    assert retries == []


def test_an_outage_is_reported_at_its_start_and_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=TRANSPORT_LOGGER)
    outage = Outage("http://sentry.example")
    outage.answered()
    for _ in range(3):
        outage.failed("ConnectionRefusedError")
    outage.answered()
    outage.answered()
    outage.failed("HTTP 503")
    messages = [r.getMessage() for r in caplog.records if r.name == TRANSPORT_LOGGER]
    assert len(messages) == 3, messages
    assert "unreachable" in messages[0] and "ConnectionRefusedError" in messages[0]
    assert "answers again" in messages[1] and "3 sends failed" in messages[1]
    assert "HTTP 503" in messages[2]


def test_sentrys_own_requests_are_no_part_of_a_trace(
    monkeypatch: pytest.MonkeyPatch, receiver: EnvelopeReceiver
) -> None:
    """The sending thread starts inside a transaction (with the first envelope) and
    the receiver's DSN names a port, as a local tracker's often does."""
    monkeypatch.setenv("SENTRY_DSN", receiver.dsn)
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "1.0")
    assert start_sentry()
    with sentry_sdk.start_transaction(name="checkout", op="task"):
        sentry.capture_message("sent while the transaction runs")
        sentry_sdk.get_client().flush(timeout=5)
        sentry.capture_message("sent after the first envelope")
    sentry_sdk.get_client().flush(timeout=5)
    (transaction,) = receiver.wait_for("transaction", 1)
    events = receiver.wait_for("event", 2)
    sentry.close_sentry()
    assert len(events) == 2
    envelope_urls = [
        each
        for each in [*transaction.get("spans", []), *events[1]["breadcrumbs"]["values"]]
        if "/envelope/" in json.dumps(each)
    ]
    assert envelope_urls == []
