"""No event is lost to its size: each one fits the 1 MiB Sentry accepts.

The events go through the SDK's own HTTP transport to a local receiver that, like
Sentry, refuses an envelope larger than 1 MiB (tests/envelope_receiver.py).
"""

from typing import Any

import sentry_sdk
{%- if cookiecutter.framework == "django" %}
from httpx2 import Client
{%- else %}
from starlette.testclient import TestClient as Client
{%- endif %}

from {{ cookiecutter.project_slug }}.core import sentry
from {{ cookiecutter.project_slug }}.core.event_size import (
    EVENT_SIZE_BUDGET,
    EVENT_SIZE_LIMIT,
    MAX_VALUE_LENGTH,
    event_size,
    fit_event,
)
from {{ cookiecutter.project_slug }}.request_limits import RequestLimitSettings

from .envelope_receiver import EnvelopeReceiver

ERROR_PATH = "/api/v1/test/error"
BODY_LIMIT = RequestLimitSettings().max_request_body_bytes


def sent_events(receiver: EnvelopeReceiver) -> list[dict[str, Any]]:
    sentry_sdk.get_client().flush(timeout=5)
    return [payload for kind, payload in receiver.items if kind == "event"]


def frames(event: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        frame
        for value in event["exception"]["values"]
        for frame in (value.get("stacktrace") or {}).get("frames", [])
    ]


def test_a_large_body_under_the_limit_arrives_cut_to_fit(
    sending: EnvelopeReceiver, client: Client
) -> None:
    # The message is in the exception's value and in the variables of every frame
    # it passes through: whole, the event would be several megabytes.
    message = "B" * (BODY_LIMIT - 200)
    response = client.post(
        ERROR_PATH, json={"error_type": "exception", "message": message}
    )
    assert response.status_code == 500
    events = sent_events(sending)
    assert len(events) == 1, sending.refused
    assert sending.refused == []
    [event_bytes] = [size for kind, size in sending.sizes if kind == "event"]
    assert event_bytes <= EVENT_SIZE_LIMIT
    event = events[0]
    value = event["exception"]["values"][-1]["value"]
    assert value.startswith("Test exception for Sentry: BBB")
    assert len(value) <= MAX_VALUE_LENGTH
{%- if cookiecutter.pii_mode == "strict" %}
    # Still an event worth reading: frames (no variables in strict mode), the request.
    assert frames(event)
    assert not any(frame.get("vars") for frame in frames(event))
{%- else %}
    # Still an event worth reading: frames, their variables, the request.
    assert any(frame.get("vars") for frame in frames(event))
{%- endif %}
    assert ERROR_PATH in event["request"]["url"]


def test_a_body_over_the_limit_answers_413_and_sends_nothing(
    sending: EnvelopeReceiver, client: Client
) -> None:
    message = "B" * (BODY_LIMIT + 1)
    response = client.post(
        ERROR_PATH, json={"error_type": "exception", "message": message}
    )
    assert response.status_code == 413
    assert response.json()["detail"]
    assert sent_events(sending) == []
    assert sending.refused == []


def test_many_large_breadcrumbs_are_trimmed_to_fit(sending: EnvelopeReceiver) -> None:
    # 100 breadcrumbs of 10 values of 4 KB: about 4 MB, however each value is cut.
    for index in range(100):
        data = {f"field_{key}": "C" * 10_000 for key in range(10)}
        sentry.add_breadcrumb(f"step {index}", "steps", "info", **data)
    event_id = sentry.capture_exception(RuntimeError("after many steps"))
    events = sent_events(sending)
    assert sending.refused == []
    assert [event["event_id"] for event in events] == [event_id]
    event = events[0]
    assert event_size(event) <= EVENT_SIZE_BUDGET
    report = event["contexts"]["event_size"]
    assert report["original_bytes"] > EVENT_SIZE_LIMIT
    assert any("breadcrumb" in part for part in report["removed"])
    # The newest breadcrumbs are as large as the oldest: some are kept.
    assert event["breadcrumbs"]["values"]
    assert event["exception"]["values"][0]["value"] == "after many steps"


def large_frame(index: int) -> dict[str, Any]:
    return {
        "function": f"step_{index}",
        "vars": {f"v{key}": "D" * 4_000 for key in range(10)},
    }


def test_fit_event_removes_the_largest_frame_variables_first() -> None:
    frames_ = [large_frame(index) for index in range(40)]
    frames_[0]["vars"] = {"small": "1"}
    event: dict[str, Any] = {
        "exception": {"values": [{"type": "E", "stacktrace": {"frames": frames_}}]},
        "breadcrumbs": {"values": [{"message": "kept"}]},
        "request": {"url": "http://testserver/", "data": "kept"},
    }
    assert event_size(event) > EVENT_SIZE_LIMIT
    fitted = fit_event(event)
    assert event_size(fitted) <= EVENT_SIZE_BUDGET
    kept = fitted["exception"]["values"][0]["stacktrace"]["frames"]
    assert len(kept) == 40
    assert kept[0]["vars"] == {"small": "1"}
    assert sum(1 for frame in kept if "vars" in frame) > 1
    # Frame variables were enough: breadcrumbs and request untouched.
    assert fitted["breadcrumbs"]["values"] == [{"message": "kept"}]
    assert fitted["request"]["data"] == "kept"
    assert fitted["contexts"]["event_size"]["removed"]


def test_fit_event_cuts_strings_when_removing_parts_is_not_enough() -> None:
    event: dict[str, Any] = {
        "message": "M" * 2_000_000,
        "request": {"data": "R" * 10},
    }
    fitted = fit_event(event)
    assert event_size(fitted) <= EVENT_SIZE_BUDGET
    assert fitted["message"].startswith("MMM")


def test_a_small_event_is_left_as_it_is() -> None:
    event: dict[str, Any] = {"message": "small", "breadcrumbs": {"values": []}}
    assert fit_event(event) == {"message": "small", "breadcrumbs": {"values": []}}
