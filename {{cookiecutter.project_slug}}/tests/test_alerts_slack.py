"""Slack alerts: errors reported to Sentry reach a webhook on 127.0.0.1 (in place of
Slack's), without event data, and a dead or slow webhook never reaches the caller."""

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.alerts import monitor as alerts
from {{ cookiecutter.project_slug }}.core.sentry import capture_exception

from .alerting import ISSUES_URL, SECRETS, failure, free_port


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


def test_errors_reported_to_sentry_reach_slack_without_event_data(
    slack_alerts: None, transport: Any, webhook: WebhookReceiver
) -> None:
    event_ids = [capture_exception(failure()) for _ in range(3)]

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
    monkeypatch.setenv("SENTRY_SLACK_WEBHOOK_URL", f"http://127.0.0.1:{free_port()}/x")
    request.getfixturevalue("transport")  # Sentry on, with these settings

    with caplog.at_level(logging.WARNING, logger=alerts.__name__):
        for _ in range(3):
            capture_exception(failure())
        monitor = alerts.current_monitor()
        assert monitor is not None and monitor.flush()
    assert "Alert not sent by SlackNotifier" in caplog.text


def test_reporting_never_waits_for_a_slow_webhook(
    slack_alerts: None, transport: Any, webhook: WebhookReceiver
) -> None:
    webhook.hold()
    for _ in range(3):
        capture_exception(failure())
    # The alert reached the webhook, which has not answered, and reporting is done.
    assert webhook.arrived.wait(5)
    assert webhook.answered == 0
    webhook.release()
    monitor = alerts.current_monitor()
    assert monitor is not None and monitor.flush()
    assert webhook.answered == 1
