"""Which request bodies the API reads as JSON, and what it accepts in them, the same
in every framework."""

from collections.abc import Iterator
from email.message import Message
from typing import Any


def is_json(content_type: str | None) -> bool:
    """Whether a body sent with this Content-Type header (parameters allowed, as in
    `application/json; charset=utf-8`) is read as JSON: `application/json`, any
    `application/*+json`, and a body with no type at all."""
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def texts(body: Any) -> Iterator[str]:
    """Every text in a parsed JSON `body`: keys and values, at any depth (a loop, not
    recursion: a body may nest deeper than Python's stack)."""
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            yield value


def is_utf8(text: str) -> bool:
    """Whether `text` encodes as UTF-8. JSON's "\\ud800" decodes to a lone surrogate,
    which is no character: no database, hash or log line takes it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
