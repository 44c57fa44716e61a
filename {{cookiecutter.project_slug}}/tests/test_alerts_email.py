"""E-mail alerts: errors reported to Sentry reach the recipients through aiosmtpd on
127.0.0.1 (in place of the SMTP server), and a dead server never reaches the caller."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from {{ cookiecutter.project_slug }}.alerts import monitor as alerts
from {{ cookiecutter.project_slug }}.alerts.email import EmailNotifier
from {{ cookiecutter.project_slug }}.core.sentry import capture_exception

from .alerting import SECRETS, failure, free_port


class Mailbox:
    """aiosmtpd's handler: keeps every message delivered."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Mailbox]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


def test_errors_reported_to_sentry_reach_the_recipients_by_email(
    smtp_server: tuple[Controller, Mailbox],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    controller, mailbox = smtp_server
    monkeypatch.setenv("SENTRY_CRITICAL_ERROR_THRESHOLD", "3")
    monkeypatch.setenv(
        "SENTRY_ALERT_EMAIL_RECIPIENTS", "oncall@example.com,dev@example.com"
    )
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(controller.port))
    request.getfixturevalue("transport")  # Sentry on, with these settings

    for _ in range(3):
        capture_exception(failure())
    monitor = alerts.current_monitor()
    assert monitor is not None and monitor.flush()

    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message.rcpt_tos == ["oncall@example.com", "dev@example.com"]
    body = message.content.decode()
    assert "Subject: [development] Critical error threshold reached: ValueError" in body
    assert "ValueError x3" in body
    assert not any(secret in body for secret in SECRETS)


def test_a_dead_smtp_server_is_logged_never_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notifier = EmailNotifier("127.0.0.1", free_port(), "a@b.example", ["c@d.example"])
    monitor = alerts.AlertMonitor(
        [notifier],
        critical_error_threshold=1,
        error_rate_threshold=1.0,
        environment="production",
    )
    with caplog.at_level(logging.WARNING, logger=alerts.__name__):
        monitor.record_error("ValueError")
        assert monitor.flush()
    monitor.close()
    assert "Alert not sent by EmailNotifier" in caplog.text
