{%- set slack = "slack" in cookiecutter.alerts -%}
{%- set email = "email" in cookiecutter.alerts -%}
"""Alerts: thresholds, what a notification says, and that a failing notifier never
reaches the caller. Notifiers talk to real servers on 127.0.0.1:
{%- if slack %}
an HTTP receiver in place of Slack's webhook
{%- endif %}
{%- if slack and email %} and{% endif %}
{%- if email %}
aiosmtpd in place of the SMTP server
{%- endif %}.
"""

import asyncio
{%- if slack %}
import json
{%- endif %}
import logging
import socket
{%- if slack %}
import threading
{%- endif %}
from collections.abc import Iterator
{%- if slack %}
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
{%- endif %}
from typing import Any

import pytest
{%- if email %}
from aiosmtpd.controller import Controller
{%- endif %}

from {{ cookiecutter.project_slug }}.core import alerts
from {{ cookiecutter.project_slug }}.core.sentry import capture_exception
from {{ cookiecutter.project_slug }}.core.settings import (
    SettingsError,
    get_settings,
    load_settings,
)

ISSUES_URL = "https://sentry.example/organizations/acme/issues/"
# What the failing code had in hand: no alert may carry any of it.
SECRETS = ("4111 1111 1111 1111", "jane@example.com", "hunter2")


def _failure() -> ValueError:
    return ValueError(
        f"card {SECRETS[0]} of {SECRETS[1]} declined, password {SECRETS[2]}"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ListNotifier:
    def __init__(self) -> None:
        self.sent: list[alerts.Alert] = []

    def send(self, alert: alerts.Alert) -> None:
        self.sent.append(alert)


@pytest.fixture
def notifier() -> ListNotifier:
    return ListNotifier()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def monitor(notifier: ListNotifier, clock: FakeClock) -> Iterator[alerts.AlertMonitor]:
    running = alerts.AlertMonitor(
        [notifier],
        critical_error_threshold=3,
        error_rate_threshold=0.1,
        environment="production",
        issues_url=ISSUES_URL,
        clock=clock,
    )
    yield running
    running.close()


def test_one_alert_per_burst_of_one_error_type(
    monitor: alerts.AlertMonitor, notifier: ListNotifier, clock: FakeClock
) -> None:
    for _ in range(8):
        monitor.record_error("ValueError", "abc123")
    monitor.flush()
    assert [(a.reason, a.error_type, a.count) for a in notifier.sent] == [
        ("Critical error threshold reached", "ValueError", 3)
    ]
    assert notifier.sent[0].link == f"{ISSUES_URL}?query=abc123"

    clock.now += alerts.WINDOW_SECONDS + 1  # a new minute, a new burst
    for _ in range(3):
        monitor.record_error("ValueError")
    monitor.flush()
    assert len(notifier.sent) == 2


def test_error_types_are_counted_apart(
    monitor: alerts.AlertMonitor, notifier: ListNotifier
) -> None:
    for error_type in ("ValueError", "KeyError", "ValueError", "KeyError"):
        monitor.record_error(error_type)
    monitor.flush()
    assert notifier.sent == []


def test_error_rate_alert_needs_enough_requests(
    monitor: alerts.AlertMonitor, notifier: ListNotifier
) -> None:
    for _ in range(alerts.MIN_REQUESTS_FOR_RATE - 1):
        monitor.record_request()
    monitor.record_error("TimeoutError")
    monitor.record_error("TimeoutError")
    monitor.flush()
    assert notifier.sent == []

    for _ in range(5):
        monitor.record_request()
    monitor.record_error("OSError")
    monitor.flush()
    assert [(a.reason, a.count) for a in notifier.sent] == [
        ("Error rate above 10.0%", 3)
    ]


def test_http_requests_counted_by_the_asgi_wrapper_drive_the_error_rate(
    monitor: alerts.AlertMonitor,
    notifier: ListNotifier,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(alerts._monitor, "current", monitor)
    calls: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        calls.append(scope["type"])

    counted = alerts.count_requests(app)
    scopes = ["http"] * (alerts.MIN_REQUESTS_FOR_RATE - 1) + ["lifespan"] * 5
    for scope_type in scopes:
        asyncio.run(counted({"type": scope_type}, None, None))
    assert calls == scopes
    for error_type in ("KeyError", "OSError"):  # lifespan scopes do not count
        monitor.record_error(error_type)
    monitor.flush()
    assert notifier.sent == []

    asyncio.run(counted({"type": "http"}, None, None))
    monitor.record_error("TimeoutError")
    monitor.flush()
    assert [(a.reason, a.count) for a in notifier.sent] == [
        ("Error rate above 10.0%", 3)
    ]


def test_no_notifier_configured_means_no_monitor() -> None:
    assert alerts.init_alerts(get_settings()) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SENTRY_CRITICAL_ERROR_THRESHOLD", "0"),
        ("SENTRY_ERROR_RATE_THRESHOLD", "1.5"),
{%- if slack %}
        ("SENTRY_SLACK_WEBHOOK_URL", "hooks.slack.com/services/x"),
{%- endif %}
{%- if email %}
        ("SENTRY_ALERT_EMAIL_RECIPIENTS", "oncall@example.com,not-an-address"),
        ("SMTP_PORT", "70000"),
{%- endif %}
    ],
)
def test_bad_alert_settings_name_the_variable(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()
{%- if slack %}


class WebhookReceiver:
    """Slack's incoming webhook, on 127.0.0.1: keeps every JSON body posted.

    ``hold()`` makes it keep each request unanswered until ``release()``.
    """

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        self.answered = 0
        self._released = threading.Event()
        self._released.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.posts.append(json.loads(self.rfile.read(length)))
                receiver.arrived.set()
                receiver._released.wait(10)
                receiver.answered += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T0/B0/x"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.release()
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def slack_alerts(webhook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_CRITICAL_ERROR_THRESHOLD", "3")
    monkeypatch.setenv("SENTRY_ISSUES_URL", ISSUES_URL)
    monkeypatch.setenv("SENTRY_SLACK_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("SENTRY_SLACK_CHANNEL", "#alerts")
{%- if email %}
    monkeypatch.setenv("SENTRY_EMAIL_ALERTS_ENABLED", "false")
{%- endif %}
    get_settings.cache_clear()


def test_errors_reported_to_sentry_reach_slack_without_event_data(
    slack_alerts: None, transport: Any, webhook: WebhookReceiver
) -> None:
    event_ids = [capture_exception(_failure()) for _ in range(3)]

    monitor = alerts.current_monitor()
    assert monitor is not None and monitor.flush()
    assert len(webhook.posts) == 1
    post = webhook.posts[0]
    assert post["channel"] == "#alerts"
    assert "Critical error threshold reached: ValueError x3" in post["text"]
    assert f"{ISSUES_URL}?query={event_ids[-1]}" in post["text"]
    assert not any(secret in json.dumps(post) for secret in SECRETS)


def test_a_dead_webhook_is_logged_never_raised(
    slack_alerts: None,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SENTRY_SLACK_WEBHOOK_URL", f"http://127.0.0.1:{_free_port()}/x")
    get_settings.cache_clear()
    request.getfixturevalue("transport")  # Sentry on, with these settings

    with caplog.at_level(logging.WARNING, logger=alerts.__name__):
        for _ in range(3):
            capture_exception(_failure())
        monitor = alerts.current_monitor()
        assert monitor is not None and monitor.flush()
    assert "Alert not sent by SlackNotifier" in caplog.text


def test_reporting_never_waits_for_a_slow_webhook(
    slack_alerts: None, transport: Any, webhook: WebhookReceiver
) -> None:
    webhook.hold()
    for _ in range(3):
        capture_exception(_failure())
    # The alert reached the webhook, which has not answered, and reporting is done.
    assert webhook.arrived.wait(5)
    assert webhook.answered == 0
    webhook.release()
    monitor = alerts.current_monitor()
    assert monitor is not None and monitor.flush()
    assert webhook.answered == 1
{%- endif %}
{%- if email %}


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
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
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
{%- if slack %}
    monkeypatch.setenv("SENTRY_SLACK_ALERTS_ENABLED", "false")
{%- endif %}
    get_settings.cache_clear()
    request.getfixturevalue("transport")  # Sentry on, with these settings

    for _ in range(3):
        capture_exception(_failure())
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
    notifier = alerts.EmailNotifier(
        "127.0.0.1", _free_port(), "a@b.example", ["c@d.example"]
    )
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
{%- endif %}
