"""Every event fits the 1 MB that Sentry's ingestion accepts.

The SDK options of `SIZE_OPTIONS` keep most events small: strings cut at
`MAX_VALUE_LENGTH` characters, request bodies above 10 KB left out ("medium"). Frame
variables, breadcrumbs and contexts can still add up past the limit (29 frames with
ten variables of 4 KB each are over 1 MB), so `fit_event` is the last step of
`before_send`: it measures the event as the SDK will send it and, when it is larger
than `EVENT_SIZE_BUDGET`, removes the largest parts first - frame variables, then
breadcrumbs, then request data, then contexts and extra - and, as a last resort,
cuts every long string. What was removed is listed in the event's
"event_size" context, so a trimmed event says so.
"""

import json
from collections.abc import Callable, Iterator
from typing import Any

# Sentry (and servers like it) refuse an event over 1 MiB (uncompressed); the
# envelope headers and the item header need a little room.
EVENT_SIZE_LIMIT = 1_048_576
EVENT_SIZE_BUDGET = 1_000_000

# Characters kept of any string in an event (exception values, log messages, frame
# variables, SQL); sentry-sdk 2.75 keeps whole strings unless told.
MAX_VALUE_LENGTH = 4096

# The SDK options that keep events small; `init_sentry` passes them to the SDK.
SIZE_OPTIONS: dict[str, Any] = {
    "max_value_length": MAX_VALUE_LENGTH,
    # Request bodies up to 10 KB are attached, larger ones only annotated.
    "max_request_body_size": "medium",
}

# Strings cut to this many characters when removing parts was not enough.
LAST_RESORT_LENGTH = 256
REMOVED = "[Removed: the event was larger than 1 MB]"

Event = dict[str, Any]


def event_size(event: Event) -> int:
    """Bytes of `event` as JSON, as the SDK serialises it (compact separators);
    non-ASCII counted as escapes, so never below the UTF-8 size."""
    return len(json.dumps(event, separators=(",", ":"), default=str))


def fit_event(event: Event, budget: int = EVENT_SIZE_BUDGET) -> Event:
    """Return `event` (changed in place) at most `budget` bytes as JSON.

    Parts are removed largest first, stage by stage (see the module docstring),
    until the event fits; each stage's removals are recorded in
    `contexts["event_size"]` = {"original_bytes": int, "removed": [str, ...]}.
    """
    size = original = event_size(event)
    if size <= budget:
        return event
    removed: list[str] = []
    for stage in STAGES:
        size = _remove_largest(event, stage, size, budget, removed)
        if size <= budget:
            break
    else:
        _cut_strings(event, LAST_RESORT_LENGTH)
        removed.append(f"strings beyond {LAST_RESORT_LENGTH} characters")
    event.setdefault("contexts", {})["event_size"] = {
        "original_bytes": original,
        "removed": removed,
    }
    return event


# A part: its description and how to remove it.
Part = tuple[str, Any, Callable[[], None]]


def _frame_variables(event: Event) -> Iterator[Part]:
    for where, frames in stack_frames(event):
        for index, frame in enumerate(frames):
            if frame.get("vars"):

                def drop(frame: dict[str, Any] = frame) -> None:
                    frame.pop("vars", None)

                yield f"variables of {where} frame {index}", frame["vars"], drop


def _breadcrumbs(event: Event) -> Iterator[Part]:
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values") if isinstance(crumbs, dict) else crumbs
    if isinstance(values, list):
        for crumb in list(values):

            def drop(crumb: Any = crumb) -> None:
                values[:] = [each for each in values if each is not crumb]

            yield "a breadcrumb", crumb, drop


def _request_data(event: Event) -> Iterator[Part]:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "headers", "query_string", "env"):
            if request.get(key):

                def replace(key: str = key) -> None:
                    request[key] = REMOVED

                yield f"request {key}", request[key], replace


def _contexts_and_extra(event: Event) -> Iterator[Part]:
    for section in ("contexts", "extra"):
        values = event.get(section)
        if isinstance(values, dict):
            for name in list(values):
                if name in {"trace", "event_size"}:
                    continue

                def drop(values: dict[str, Any] = values, name: str = name) -> None:
                    values.pop(name, None)

                yield f"{section} {name}", values[name], drop


STAGES: tuple[Callable[[Event], Iterator[Part]], ...] = (
    _frame_variables,
    _breadcrumbs,
    _request_data,
    _contexts_and_extra,
)


def _remove_largest(
    event: Event,
    stage: Callable[[Event], Iterator[Part]],
    size: int,
    budget: int,
    removed: list[str],
) -> int:
    """Remove the stage's parts, largest first, until the event fits; return the
    event's new size (measured again after the removals)."""
    parts = sorted(
        ((event_size(value), name, remove) for name, value, remove in stage(event)),
        key=lambda part: part[0],
        reverse=True,
    )
    estimate = size
    names = []
    for part_size, name, remove in parts:
        if estimate <= budget:
            break
        remove()
        estimate -= part_size
        names.append(name)
    if not names:
        return size
    removed.extend(_summarise(names))
    return event_size(event)


def _summarise(names: list[str]) -> list[str]:
    """Names of the parts removed, the first three or the first and a count."""
    if len(names) <= 3:
        return names
    return [f"{names[0]} and {len(names) - 1} more parts of the same kind"]


def stack_frames(event: Event) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """("exception" | "threads" | "stacktrace", frames) for each stack of `event`."""
    for section in ("exception", "threads"):
        container = event.get(section)
        values = container.get("values") if isinstance(container, dict) else None
        for value in values or ():
            frames = ((value or {}).get("stacktrace") or {}).get("frames")
            if isinstance(frames, list):
                yield section, frames
    frames = (event.get("stacktrace") or {}).get("frames")
    if isinstance(frames, list):
        yield "stacktrace", frames


def _cut_strings(value: Any, length: int) -> Any:
    """Cut every string in `value` (dicts and lists, in place) to `length`."""
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _cut_strings(item, length)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _cut_strings(item, length)
    elif isinstance(value, str) and len(value) > length:
        return value[: length - 1] + "\u2026"
    return value
