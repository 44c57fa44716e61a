"""Which request bodies the API reads as JSON, the same in every framework."""

from email.message import Message


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
