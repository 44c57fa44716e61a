"""Alerts: thresholds, what a notification says, request counting, and the
settings every notifier shares. Each notifier has its own test module."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.alerts import monitor as alerts
from {{ cookiecutter.project_slug }}.core.settings import SettingsError, load_settings
from {{ cookiecutter.project_slug }}.features import Settings

from .alerting import ISSUES_URL
from .conftest import CapturingTransport


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
) -> None:
    calls: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        calls.append(scope["type"])

    counted = alerts.count_requests(app, monitor=lambda: monitor)
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


def test_no_notifier_configured_means_no_monitor(
    transport: CapturingTransport,
) -> None:
    assert alerts.current_monitor() is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SENTRY_CRITICAL_ERROR_THRESHOLD", "0"),
        ("SENTRY_ERROR_RATE_THRESHOLD", "1.5"),
        ("SENTRY_ISSUES_URL", "sentry.example/issues"),
    ],
)
def test_bad_alert_settings_name_the_variable(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings(Settings)
