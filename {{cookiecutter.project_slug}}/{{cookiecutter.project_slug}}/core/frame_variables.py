"""Local variables of the service's own frames only.

The SDK serialises the variables of every frame of an error (twice: when it builds the
frame, then with the event), and most frames are the framework's middleware: about 80%
of the CPU an error costs (8.3 ms against 1.5 ms for a 30-frame error without them).
With the SDK's own collection off (`VARIABLE_OPTIONS`), `add_frame_variables` gives
the in-app frames (the project's code, not installed packages) their variables,
serialised by the SDK's serializer with the same limits, before scrubbing.
"""

import os
from types import TracebackType
from typing import Any

from sentry_sdk.serializer import serialize
from sentry_sdk.types import Hint

from .event_size import MAX_VALUE_LENGTH, stack_frames
from .settings import PROJECT_ROOT

# The project's code (its package, its tests, its scripts) is in-app wherever the
# process runs from: the SDK's default project root, the working directory, misses it
# when a process starts elsewhere. Installed packages never are.
PACKAGE = __name__.split(".")[0]
VARIABLE_OPTIONS: dict[str, Any] = {
    "include_local_variables": False,
    "in_app_include": [PACKAGE],
    "project_root": str(PROJECT_ROOT),
}
# Chained exceptions followed (__cause__ / __context__), as the SDK does.
MAX_CHAIN = 10


def add_frame_variables(event: dict[str, Any], hint: Hint) -> None:
    """Give each in-app frame of `event` the local variables of its frame in the
    traceback of `hint["exc_info"]` (matched by file and line)."""
    exc_info = hint.get("exc_info")
    error = exc_info[1] if exc_info else None
    if not isinstance(error, BaseException):
        return
    variables = _locals_by_line(error)
    for _, frames in stack_frames(event):
        for frame in frames:
            if not frame.get("in_app") or "vars" in frame:
                continue
            path, line = frame.get("abs_path"), frame.get("lineno")
            if not isinstance(path, str) or not isinstance(line, int):
                continue
            found = variables.get((path, line))
            if found is not None:
                frame["vars"] = serialize(
                    found, is_vars=True, max_value_length=MAX_VALUE_LENGTH
                )


def _locals_by_line(error: BaseException) -> dict[tuple[str, int], dict[str, Any]]:
    """(absolute path, line) -> the frame's locals, over the exception chain."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < MAX_CHAIN:
        seen.add(id(current))
        traceback: TracebackType | None = current.__traceback__
        while traceback is not None:
            code = traceback.tb_frame.f_code
            key = (os.path.abspath(code.co_filename), traceback.tb_lineno)
            found.setdefault(key, dict(traceback.tb_frame.f_locals))
            traceback = traceback.tb_next
        current = current.__cause__ or current.__context__
    return found
