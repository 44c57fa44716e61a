"""Alerts on bursts of errors (seed 001), sent by the notifiers this project has.

`AlertMonitor` counts the errors Sentry is about to send, by type, over the last
minute, and the HTTP requests served. It alerts when one error type reaches
SENTRY_CRITICAL_ERROR_THRESHOLD errors in a minute, or when errors exceed
SENTRY_ERROR_RATE_THRESHOLD of the minute's requests. An alert carries the error
type, the count and a link, never event data. Notifiers run on one background
thread: a request never waits for them, and a failing notifier is logged, not raised.

Each notifier is a module of this package (its settings, its `Notifier` and a
`notifier()` factory); `alerts_feature()` wires the chosen ones into Sentry.
"""

import contextlib
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import Field, field_validator
from sentry_sdk.types import Event, Hint

from ..core.sentry import SentryFeature
from ..core.settings import (
    OptionalStr,
    Rate,
    ServiceSettings,
    get_settings,
    is_http_url,
    read_settings,
)

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
# An error rate over fewer requests than this says little (1 error in 2 requests).
MIN_REQUESTS_FOR_RATE = 20
# Alerts waiting for a notifier; more than this in a burst are dropped (and logged).
QUEUE_SIZE = 100
NOTIFIER_TIMEOUT_SECONDS = 5.0

ASGIApp = Callable[[dict[str, Any], Any, Any], Coroutine[Any, Any, None]]


class AlertSettings(ServiceSettings):
    """Errors of one type per minute, and errors per request, that make an alert."""

    sentry_critical_error_threshold: int = Field(default=10, gt=0)
    sentry_error_rate_threshold: Rate = 0.01
    # Where an alert links to, e.g. https://sentry.io/organizations/<org>/issues/
    sentry_issues_url: OptionalStr = None

    @field_validator("sentry_issues_url")
    @classmethod
    def _check_issues_url(cls, value: str | None) -> str | None:
        if value is not None and not is_http_url(value):
            raise ValueError("must be an http(s) URL")
        return value


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


# A notifier module's `notifier()`: its Notifier, or None when it is not configured.
NotifierFactory = Callable[[], Notifier | None]


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


_current: list[AlertMonitor] = []


def current_monitor() -> AlertMonitor | None:
    """The running monitor (None without a configured notifier or without Sentry)."""
    return _current[0] if _current else None


def start_alerts(factories: Iterable[NotifierFactory]) -> AlertMonitor | None:
    """Start the monitor when a notifier is configured; else None (and no thread)."""
    stop_alerts()
    notifiers = [notifier for make in factories if (notifier := make()) is not None]
    if not notifiers:
        return None
    settings = read_settings(AlertSettings)
    monitor = AlertMonitor(
        notifiers,
        critical_error_threshold=settings.sentry_critical_error_threshold,
        error_rate_threshold=settings.sentry_error_rate_threshold,
        environment=get_settings().resolved_environment,
        issues_url=settings.sentry_issues_url,
    )
    _current.append(monitor)
    return monitor


def stop_alerts(timeout: float = 2.0) -> None:
    """Send the queued alerts (within `timeout` seconds) and stop the monitor."""
    while _current:
        _current.pop().close(timeout)


def record_error(event: Event, hint: Hint) -> Event:
    """Event filter: count each error event for the thresholds (never drops one)."""
    monitor = current_monitor()
    if monitor is not None and event.get("level", "error") in ("error", "fatal"):
        values = (event.get("exception") or {}).get("values") or []
        error_type = str(values[-1].get("type", "Error")) if values else "Message"
        monitor.record_error(error_type, event.get("event_id"))
    return event


def alerts_feature(factories: Iterable[NotifierFactory]) -> SentryFeature:
    """What alerts add to Sentry: errors are counted once Sentry starts, with the
    notifiers the `factories` make from the settings."""
    chosen = tuple(factories)
    return SentryFeature(
        event_filters=(record_error,),
        on_start=lambda: start_alerts(chosen),
        on_close=stop_alerts,
    )


def count_requests(
    app: ASGIApp, monitor: Callable[[], AlertMonitor | None] = current_monitor
) -> ASGIApp:
    """ASGI middleware: counts HTTP requests for the error-rate alert."""

    async def counted(scope: dict[str, Any], receive: Any, send: Any) -> None:
        running = monitor()
        if running is not None and scope["type"] == "http":
            running.record_request()
        await app(scope, receive, send)

    return counted
