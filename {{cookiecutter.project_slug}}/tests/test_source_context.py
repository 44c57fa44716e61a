"""Each frame of an event shows the source lines around it (core/source_context.py)."""

import inspect

from {{ cookiecutter.project_slug }}.core import sentry
from {{ cookiecutter.project_slug }}.core.source_context import CONTEXT_LINES

from .conftest import CapturingTransport, Flush


def fail_here() -> None:
    raise RuntimeError("with its source around it")


def test_frames_carry_their_source_lines(
    transport: CapturingTransport, flush: Flush
) -> None:
    try:
        fail_here()
    except RuntimeError as error:
        sentry.capture_exception(error)
    flush()
    [event] = transport.events
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    last = frames[-1]
    assert last["function"] == "fail_here"
    assert last["context_line"].strip() == (
        'raise RuntimeError("with its source around it")'
    )
    source, _ = inspect.getsourcelines(fail_here)
    assert last["pre_context"][-1] == source[0].rstrip("\n")  # The def line.
    assert len(last["pre_context"]) == CONTEXT_LINES
    assert len(last["post_context"]) == CONTEXT_LINES
    assert all("context_line" in frame for frame in frames)
