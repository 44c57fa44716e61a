"""Source lines around each frame of an event, read once per file.

The SDK reads and splits a module's whole source again for every frame of every event
(its loader's `get_source`): about 30% of the CPU an error costs. With the SDK's own
source context off (`SOURCE_OPTIONS`), `add_source_context` fills the same fields
(`pre_context`, `context_line`, `post_context`: `CONTEXT_LINES` lines either side)
from the standard library's `linecache`, which keeps each file's lines after the
first read.
"""

import linecache
from typing import Any

from .event_size import MAX_VALUE_LENGTH, stack_frames

CONTEXT_LINES = 5
SOURCE_OPTIONS: dict[str, Any] = {"include_source_context": False}


def add_source_context(event: dict[str, Any]) -> None:
    """Add the source lines around each frame of `event` that names a readable file
    and a line (frames that already have them are left alone)."""
    for _, frames in stack_frames(event):
        for frame in frames:
            if "context_line" not in frame:
                _add(frame)


def _add(frame: dict[str, Any]) -> None:
    path, number = frame.get("abs_path"), frame.get("lineno")
    if not isinstance(path, str) or not isinstance(number, int) or number < 1:
        return
    lines = linecache.getlines(path)
    if number > len(lines):
        return
    index = number - 1

    def cut(line: str) -> str:
        return line.rstrip("\r\n")[:MAX_VALUE_LENGTH]

    frame["pre_context"] = [
        cut(line) for line in lines[max(0, index - CONTEXT_LINES) : index]
    ]
    frame["context_line"] = cut(lines[index])
    frame["post_context"] = [
        cut(line) for line in lines[index + 1 : index + 1 + CONTEXT_LINES]
    ]
