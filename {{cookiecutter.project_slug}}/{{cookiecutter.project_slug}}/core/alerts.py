{%- set slack = "slack" in cookiecutter.alerts -%}
{%- set email = "email" in cookiecutter.alerts -%}
"""Alerts on bursts of errors (seed 001), sent by the notifiers chosen at generation.

`AlertMonitor` counts the errors Sentry is about to send, by type, over the last
minute, and the HTTP requests served. It alerts when one error type reaches
SENTRY_CRITICAL_ERROR_THRESHOLD errors in a minute, or when errors exceed
SENTRY_ERROR_RATE_THRESHOLD of the minute's requests. An alert carries the error
type, the count and a link, never event data. Notifiers run on one background
thread: a request never waits for them, and a failing notifier is logged, not raised.
"""

import contextlib
{%- if slack %}
import json
{%- endif %}
import logging
import queue
import threading
import time
{%- if slack %}
import urllib.request
{%- endif %}
from collections import deque
from collections.abc import Callable{% if email %}, Iterable{% endif %}
from dataclasses import dataclass
{%- if email %}
from email.message import EmailMessage
from smtplib import SMTP
{%- endif %}
from typing import Any, Protocol

from .settings import Settings

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
# An error rate over fewer requests than this says little (1 error in 2 requests).
MIN_REQUESTS_FOR_RATE = 20
# Alerts waiting for a notifier; more than this in a burst are dropped (and logged).
QUEUE_SIZE = 100
NOTIFIER_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Alert:
    """What a notification says: no event data, so nothing the scrubber would remove."""

    reason: str
    error_type: str
    count: int
    environment: str
    link: str | None

    @property
    def text(self) -> str:
        link = f" {self.link}" if self.link else ""
        return (
            f"[{self.environment}] {self.reason}: {self.error_type} "
            f"x{self.count} in the last minute.{link}"
        )


class Notifier(Protocol):
    def send(self, alert: Alert) -> None: ...
{%- if slack %}


class SlackNotifier:
    """Posts alerts to a Slack incoming webhook."""

    def __init__(self, webhook_url: str, channel: str | None = None) -> None:
        self._webhook_url = webhook_url
        self._channel = channel

    def send(self, alert: Alert) -> None:
        payload: dict[str, Any] = {"text": alert.text}
        if self._channel:
            payload["channel"] = self._channel
        request = urllib.request.Request(
            self._webhook_url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=NOTIFIER_TIMEOUT_SECONDS):
            pass
{%- endif %}
{%- if email %}


class EmailNotifier:
    """Sends alerts by e-mail over SMTP."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Iterable[str],
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
    ) -> None:
        self._host, self._port = host, port
        self._sender, self._recipients = sender, list(recipients)
        self._username, self._password = username, password
        self._starttls = starttls

    def send(self, alert: Alert) -> None:
        message = EmailMessage()
        message["Subject"] = f"[{alert.environment}] {alert.reason}: {alert.error_type}"
        message["From"] = self._sender
        message["To"] = ", ".join(self._recipients)
        message.set_content(alert.text)
        with SMTP(self._host, self._port, timeout=NOTIFIER_TIMEOUT_SECONDS) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(message)
{%- endif %}


class AlertMonitor:
    """Counts errors and requests per minute and sends alerts past the thresholds.

    Each (reason, error type) alerts at most once per window, so a burst is one alert.
    """

    def __init__(
        self,
        notifiers: list[Notifier],
        *,
        critical_error_threshold: int,
        error_rate_threshold: float,
        environment: str,
        issues_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._notifiers = notifiers
        self._critical = critical_error_threshold
        self._rate = error_rate_threshold
        self._environment = environment
        self._issues_url = issues_url
        self._clock = clock
        self._lock = threading.Lock()
        self._errors: dict[str, deque[float]] = {}
        self._requests: deque[float] = deque()
        self._last_alert: dict[tuple[str, str], float] = {}
        # None asks the sender thread to stop.
        self._queue: queue.Queue[Alert | None] = queue.Queue(QUEUE_SIZE)
        self._sender = threading.Thread(target=self._send_forever, daemon=True)
        self._sender.start()

    def record_request(self) -> None:
        with self._lock:
            self._requests.append(self._clock())

    def record_error(self, error_type: str, event_id: str | None = None) -> None:
        now = self._clock()
        with self._lock:
            errors = self._errors.setdefault(error_type, deque())
            errors.append(now)
            self._forget_before(now - WINDOW_SECONDS)
            count = len(errors)
            total = sum(len(times) for times in self._errors.values())
            requests = len(self._requests)
            crossed = []
            if count >= self._critical:
                crossed.append(("Critical error threshold reached", count))
            if requests >= MIN_REQUESTS_FOR_RATE and total / requests > self._rate:
                crossed.append((f"Error rate above {self._rate:.1%}", total))
            due = [(why, n) for why, n in crossed if self._due(why, error_type, now)]
        for why, n in due:
            link = self._link(event_id)
            self._enqueue(Alert(why, error_type, n, self._environment, link))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until queued alerts are sent (tests, shutdown); True if they were."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def close(self, timeout: float = 2.0) -> None:
        """Send what is queued (within ``timeout``), then stop the sender thread."""
        self.flush(timeout)
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._sender.join(timeout)

    def _forget_before(self, cutoff: float) -> None:
        for times in [*self._errors.values(), self._requests]:
            while times and times[0] < cutoff:
                times.popleft()

    def _due(self, reason: str, error_type: str, now: float) -> bool:
        last = self._last_alert.get((reason, error_type))
        if last is not None and now - last < WINDOW_SECONDS:
            return False
        self._last_alert[(reason, error_type)] = now
        return True

    def _link(self, event_id: str | None) -> str | None:
        if not self._issues_url:
            return None
        return f"{self._issues_url}?query={event_id}" if event_id else self._issues_url

    def _enqueue(self, alert: Alert) -> None:
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            logger.warning("Alert dropped (queue full): %s", alert.text)

    def _send_forever(self) -> None:
        while True:
            alert = self._queue.get()
            try:
                if alert is None:
                    return
                self._notify(alert)
            finally:
                self._queue.task_done()  # the stop request too, so flush() sees it done

    def _notify(self, alert: Alert) -> None:
        for notifier in self._notifiers:
            try:
                notifier.send(alert)
            # A notifier must never take the service down.
            except Exception as error:
                logger.warning(
                    "Alert not sent by %s: %s", type(notifier).__name__, error
                )


def notifiers_from(settings: Settings) -> list[Notifier]:
    notifiers: list[Notifier] = []
{%- if slack %}
    if settings.sentry_slack_alerts_enabled and settings.sentry_slack_webhook_url:
        notifiers.append(
            SlackNotifier(
                settings.sentry_slack_webhook_url.get_secret_value(),
                settings.sentry_slack_channel,
            )
        )
{%- endif %}
{%- if email %}
    if settings.sentry_email_alerts_enabled and settings.sentry_alert_email_recipients:
        password = settings.smtp_password
        notifiers.append(
            EmailNotifier(
                settings.smtp_host,
                settings.smtp_port,
                settings.sentry_alert_email_sender,
                settings.sentry_alert_email_recipients,
                username=settings.smtp_username,
                password=password.get_secret_value() if password else None,
                starttls=settings.smtp_starttls,
            )
        )
{%- endif %}
    return notifiers


_monitor: dict[str, AlertMonitor | None] = {"current": None}


def init_alerts(settings: Settings) -> AlertMonitor | None:
    """Start the monitor when a notifier is configured; else None (and no thread)."""
    notifiers = notifiers_from(settings)
    monitor = None
    if notifiers:
        monitor = AlertMonitor(
            notifiers,
            critical_error_threshold=settings.sentry_critical_error_threshold,
            error_rate_threshold=settings.sentry_error_rate_threshold,
            environment=settings.resolved_environment,
            issues_url=settings.sentry_issues_url,
        )
    _monitor["current"] = monitor
    return monitor


def current_monitor() -> AlertMonitor | None:
    return _monitor["current"]


def close_alerts(timeout: float = 2.0) -> None:
    monitor, _monitor["current"] = _monitor["current"], None
    if monitor is not None:
        monitor.close(timeout)


def count_requests(app: Any) -> Any:
    """ASGI middleware: counts HTTP requests for the error-rate alert."""

    async def counted(scope: dict[str, Any], receive: Any, send: Any) -> None:
        monitor = _monitor["current"]
        if monitor is not None and scope["type"] == "http":
            monitor.record_request()
        await app(scope, receive, send)

    return counted
