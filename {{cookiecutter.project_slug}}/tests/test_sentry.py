"""The Sentry helper API, through a real SDK client and a capturing transport."""

import asyncio
import logging
import warnings

import pytest
import sentry_sdk
from sentry_sdk.types import Event, Hint

from {{ cookiecutter.project_slug }}.core import sentry
from {{ cookiecutter.project_slug }}.core.scrubber import scrub_event
from {{ cookiecutter.project_slug }}.core.settings import get_settings

from .conftest import TEST_DSN, CapturingTransport


def test_init_without_dsn_is_a_logged_no_op(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        assert sentry.init_sentry() is False
    assert "Sentry disabled: SENTRY_DSN is not set" in caplog.text
    assert not sentry_sdk.get_client().is_active()
    assert sentry.capture_message("nowhere") is None


def test_init_with_dsn_logs_environment_and_is_idempotent(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "qa-eu")
    transport = CapturingTransport()
    with caplog.at_level(logging.INFO):
        assert sentry.init_sentry(transport=transport) is True
        client = sentry_sdk.get_client()
        assert sentry.init_sentry() is True
    assert sentry_sdk.get_client() is client
    assert caplog.text.count("Sentry initialized for environment: qa-eu") == 1


def test_init_uses_current_api_without_deprecation_warnings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    monkeypatch.setenv("SENTRY_PROFILES_SAMPLE_RATE", "0.5")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sentry.init_sentry(transport=CapturingTransport())
    options = sentry_sdk.get_client().options
    assert options["profile_session_sample_rate"] == 0.5
    assert options["transport_queue_size"] == sentry.TRANSPORT_QUEUE_SIZE


# Built at run time: the source lines around a frame travel with the event too.
PASSWORD = "-".join(["hunter", "2"])
EMAIL = "@".join(["jane.doe", "example.com"])


def test_scrubber_is_really_installed(transport: CapturingTransport) -> None:
    options = sentry_sdk.get_client().options
    assert options["before_send"] is sentry.before_send
    assert options["before_send_transaction"] is sentry.before_send_transaction
    payload = {"password": PASSWORD, "note": f"mail me at {EMAIL}"}
    try:
        raise RuntimeError(f"failed for {payload['note']}")
    except RuntimeError as error:
        sentry.capture_exception(error, payload=payload)
    text = repr(transport.events)
    assert transport.events
    assert PASSWORD not in text
    assert EMAIL not in text


def test_capture_exception_returns_id_and_attaches_context(
    transport: CapturingTransport,
) -> None:
    event_id = sentry.capture_exception(ValueError("boom"), order_id="ORD-1", total=12)
    (event,) = transport.events
    assert event["event_id"] == event_id
    assert event["contexts"]["details"] == {"order_id": "ORD-1", "total": 12}
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["tags"]["service"] == "web"


def test_capture_message_level_and_context(transport: CapturingTransport) -> None:
    sentry.capture_message("rate limit close", level="warning", limit=100)
    (event,) = transport.events
    assert event["level"] == "warning"
    assert event["message"] == "rate limit close"
    assert event["contexts"]["details"]["limit"] == 100


def test_breadcrumbs_tags_and_context_reach_the_event(
    transport: CapturingTransport,
) -> None:
    sentry.add_breadcrumb("viewed checkout", category="navigation", step=2)
    sentry.set_tag("feature", "checkout")
    sentry.set_context("cart", {"items": 3})
    sentry.capture_message("checkout failed")
    (event,) = transport.events
    crumb = event["breadcrumbs"]["values"][-1]
    assert crumb["message"] == "viewed checkout"
    assert crumb["category"] == "navigation"
    assert crumb["data"] == {"step": 2}
    assert event["tags"]["feature"] == "checkout"
    assert event["contexts"]["cart"] == {"items": 3}


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_access_log_lines_never_leave(
    transport: CapturingTransport, caplog: pytest.LogCaptureFixture, server: str
) -> None:
    """A web server's access line names the client's address (the proxy's
    X-Forwarded-For): it never becomes a breadcrumb, while other log lines do."""
    caplog.set_level(logging.INFO)
    logging.getLogger(f"{server}.access").info(
        '%s - "%s %s HTTP/%s" %d', "203.0.113.9:0", "GET", "/api/v1/me", "1.1", 200
    )
    logging.getLogger("{{ cookiecutter.project_slug }}.orders").info("order placed")
    sentry.capture_message("after a request")
    messages = [
        crumb.get("message")
        for crumb in transport.events[-1].get("breadcrumbs", {}).get("values", [])
    ]
    assert "order placed" in messages
    assert not [message for message in messages if "203.0.113.9" in str(message)]


def test_access_log_lines_are_no_sentry_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    capturing = CapturingTransport()
    assert sentry.init_sentry(transport=capturing, enable_logs=True)
    caplog.set_level(logging.INFO)
    for server in ("uvicorn", "gunicorn"):
        logging.getLogger(f"{server}.access").info(
            '%s - "%s %s HTTP/%s" %d', "203.0.113.9:0", "GET", "/", "1.1", 200
        )
    logging.getLogger("{{ cookiecutter.project_slug }}.orders").info("order placed")
    sentry_sdk.get_client().flush(timeout=2)
    bodies = [log["body"] for batch in capturing.items("log") for log in batch["items"]]
    assert "order placed" in bodies
    assert not [body for body in bodies if "203.0.113.9" in body]


def test_user_context_follows_the_pii_mode(transport: CapturingTransport) -> None:
    sentry.set_user_context(42, username="jane", email="jane@example.com", plan="pro")
    sentry.capture_message("with user")
    user = transport.events[-1]["user"]
    assert user["id"] == "42"
    if get_settings().pii_mode == "strict":
        assert set(user) == {"id"}
    else:
        assert user["username"] == "jane"
        assert user["email"] == "jane@example.com"


def test_clear_user_context(transport: CapturingTransport) -> None:
    sentry.set_user_context(7, username="bob")
    sentry.clear_user_context()
    sentry.capture_message("anonymous")
    assert "user" not in transport.events[-1] or not transport.events[-1]["user"]


def test_error_tracker_facade(transport: CapturingTransport) -> None:
    tracker = sentry.ErrorTracker
    tracker.set_user(5, email="a@example.com", username="ann")
    tracker.set_tag("payment_provider", "stripe")
    tracker.set_context("database", {"rows": 1})
    tracker.capture_exception(
        KeyError("missing"), context={"payment": {"amount": 10}}, level="warning"
    )
    tracker.capture_message("slow", level="info", context={"perf": {"ms": 900}})
    error_event, message_event = transport.events
    assert error_event["level"] == "warning"
    assert error_event["contexts"]["payment"] == {"amount": 10}
    assert error_event["contexts"]["database"] == {"rows": 1}
    assert error_event["tags"]["payment_provider"] == "stripe"
    assert error_event["user"]["id"] == "5"
    assert message_event["contexts"]["perf"] == {"ms": 900}


def test_start_transaction_sends_spans(transport: CapturingTransport) -> None:
    with (
        sentry.start_transaction("process_order") as transaction,
        transaction.start_child(op="db", name="load order"),
    ):
        pass
    sentry_sdk.flush()
    (sent,) = transport.transactions
    assert sent["transaction"] == "process_order"
    assert sent["contexts"]["trace"]["op"] == "task"
    assert [span["description"] for span in sent["spans"]] == ["load order"]


def test_monitor_performance_sync_and_async(transport: CapturingTransport) -> None:
    @sentry.monitor_performance("sync_job")
    def sync_job(value: int) -> int:
        return value * 2

    @sentry.monitor_performance("async_job")
    async def async_job(value: int) -> int:
        return value + 1

    assert sync_job(2) == 4
    assert asyncio.run(async_job(2)) == 3
    with sentry.start_transaction("outer"):
        sync_job(1)
    names = [sent["transaction"] for sent in transport.transactions]
    assert names == ["sync_job", "async_job", "outer"]
    outer = transport.transactions[-1]
    assert [span["description"] for span in outer["spans"]] == ["sync_job"]


def test_health_check_transactions_are_dropped() -> None:
    assert sentry.before_send_transaction({"transaction": "/health"}, {}) is None
    kept = sentry.before_send_transaction(
        {"transaction": "/api/v1/orders", "request": {"url": "http://x/api/v1/orders"}},
        {},
    )
    assert kept is not None


def test_traces_sampler_uses_route_rates_and_parent_decision() -> None:
    sampler = sentry.traces_sampler
    assert sampler({"asgi_scope": {"path": "/health"}}) == 0.0
    assert sampler({"asgi_scope": {"path": "/api/v1/test/error"}}) == 1.0
    assert sampler({"parent_sampled": True, "asgi_scope": {"path": "/health"}}) == 1.0
    default = get_settings().traces_sample_rate
    assert sampler({"wsgi_environ": {"PATH_INFO": "/api/v1/orders"}}) == default


def test_shutdown_noise_is_dropped(transport: CapturingTransport) -> None:
    sentry.capture_exception(KeyboardInterrupt())
    sentry.capture_message("kept")
    assert [event.get("message") for event in transport.events] == ["kept"]


def test_sentry_status_never_shows_the_dsn(transport: CapturingTransport) -> None:
    status = sentry.sentry_status()
    assert status["enabled"] is True
    assert status["dsn_configured"] is True
    assert set(status) == {
        "enabled",
        "dsn_configured",
        "environment",
        "release",
        "sample_rate",
        "traces_sample_rate",
    }
    assert "public@" not in repr(status)


def test_feature_filters_run_before_grouping_and_scrubbing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []

    def drop_value_errors(event: Event, hint: Hint) -> Event | None:
        seen.append(str(event.get("extra", {}).get("note")))
        return None if isinstance(hint["exc_info"][1], ValueError) else event

    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    transport = CapturingTransport()
    feature = sentry.SentryFeature(event_filters=(drop_value_errors,))
    assert sentry.init_sentry("worker", features=[feature], transport=transport)
    sentry_sdk.set_extra("note", f"mail {EMAIL}")
    sentry.capture_exception(ValueError("dropped"))
    sentry.capture_exception(KeyError("kept"))
    assert [event["exception"]["values"][0]["type"] for event in transport.events] == [
        "KeyError"
    ]
    assert seen == [f"mail {EMAIL}"] * 2  # Not yet scrubbed...
    assert EMAIL not in repr(transport.events)  # ... but before sending.
    assert transport.events[0]["tags"]["service"] == "worker"


def test_feature_hooks_run_at_start_and_close(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    feature = sentry.SentryFeature(
        on_start=lambda: calls.append("start"), on_close=calls.append
    )
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    assert not sentry.init_sentry(features=[feature], dsn="")  # Off: nothing starts.
    assert sentry.init_sentry(features=[feature], transport=CapturingTransport())
    sentry.close_sentry(timeout=1.5)
    assert calls == ["start", 1.5]


def test_features_see_each_transaction_sent_once_scrubbed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Event] = []
    monkeypatch.setenv("SENTRY_DSN", TEST_DSN)
    transport = CapturingTransport()
    feature = sentry.SentryFeature(on_transaction=seen.append)
    assert sentry.init_sentry(features=[feature], transport=transport)
    with sentry.start_transaction("/health"):
        pass
    with sentry.start_transaction("checkout") as transaction:
        transaction.set_data("password", "hunter2-span")
    sentry_sdk.flush()
    assert [event.get("transaction") for event in seen] == ["checkout"]
    assert "hunter2-span" not in repr(seen)
    (sent,) = transport.transactions
    assert seen[0]["contexts"]["trace"] == sent["contexts"]["trace"]


def test_error_tracker_is_the_helpers() -> None:
    tracker = sentry.ErrorTracker
    assert tracker.capture_exception is sentry.capture_exception
    assert tracker.capture_message is sentry.capture_message
    assert tracker.set_user is sentry.set_user_context
    assert tracker.set_tag is sentry.set_tag
    assert tracker.set_context is sentry.set_context


def test_context_and_details_together(transport: CapturingTransport) -> None:
    sentry.capture_exception(
        ValueError("boom"),
        context={"payment": {"amount": 10}, "operation": "refund"},
        order_id=7,
    )
    (event,) = transport.events
    assert event["contexts"]["payment"] == {"amount": 10}
    assert event["contexts"]["details"] == {"order_id": 7, "operation": "refund"}


def test_scrub_event_is_the_exported_filter() -> None:
    event = {"extra": {"api_key": "abc123"}}
    assert scrub_event(event, {})["extra"]["api_key"] != "abc123"
