"""Local variables on the project's own frames, none on installed packages' frames
(core/frame_variables.py); none at all when the preset or SENTRY_INCLUDE_LOCAL_VARIABLES
turns them off."""

import json
from typing import Any

import pytest

from {{ cookiecutter.project_slug }}.core import sentry

from .conftest import CapturingTransport, Flush


def failing_step(order_id: int) -> None:
    note = f"order {order_id}"
    raise RuntimeError(note)


def frames_of(transport: CapturingTransport) -> list[dict[str, Any]]:
    [event] = transport.events
    frames: list[dict[str, Any]] = event["exception"]["values"][0]["stacktrace"][
        "frames"
    ]
    return frames


def capture() -> None:
    try:
        failing_step(7)
    except RuntimeError as error:
        sentry.capture_exception(error)


@pytest.fixture
def standard_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """The standard PII mode, whatever this project's default: strict mode sends no
    variables at all (test_no_variables_when_turned_off_or_strict)."""
    monkeypatch.setenv("SENTRY_PII_MODE", "standard")


def test_in_app_frames_carry_their_variables(
    standard_mode: None, transport: CapturingTransport, flush: Flush
) -> None:
    capture()
    flush()
    last = frames_of(transport)[-1]
    assert last["function"] == "failing_step"
    assert last["in_app"] is True
    assert last["vars"] == {"order_id": "7", "note": "'order 7'"}


def test_installed_packages_frames_carry_none(
    standard_mode: None, transport: CapturingTransport, flush: Flush
) -> None:
    try:
        json.loads("{not json")
    except ValueError as error:
        sentry.capture_exception(error)
    flush()
    frames = frames_of(transport)
    library = [frame for frame in frames if not frame.get("in_app")]
    assert library, frames
    assert all("vars" not in frame for frame in library)
    assert any(frame.get("vars") for frame in frames if frame.get("in_app"))


# The settings under which no frame carries variables.
NO_VARIABLES = {
    "turned off": ("SENTRY_INCLUDE_LOCAL_VARIABLES", "false"),
    "strict mode": ("SENTRY_PII_MODE", "strict"),
}


@pytest.fixture(params=NO_VARIABLES)
def no_variables(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv(*NO_VARIABLES[request.param])


def test_no_variables_when_turned_off_or_strict(
    no_variables: None, transport: CapturingTransport, flush: Flush
) -> None:
    capture()
    flush()
    assert all("vars" not in frame for frame in frames_of(transport))
