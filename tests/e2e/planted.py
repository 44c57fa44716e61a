"""The secrets the end-to-end tests plant in requests, and how to find them again
in what left a process (as sent, or URL-encoded)."""

from __future__ import annotations

import urllib.parse

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkxlYWsgTWUifQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
CARD = "4111 1111 1111 1111"
EMAIL = "leak.me@example.com"
PLANTED = {
    "body password": "hunter2-body",
    "X-Api-Key header": "sk_live_headersecret",
    "session cookie": "cookiesecret123",
    "api_key query": "querysecret456",
    "token query": "querytoken789",
    "JWT": JWT,
    "JWT signature": JWT.rsplit(".", 1)[1],
    "e-mail in message": EMAIL,
    "card number": CARD,
    "card digits": CARD.replace(" ", ""),
}


def secrets_found(text: str, extra: dict[str, str]) -> list[str]:
    """Names of the planted secrets present in ``text`` (also URL-encoded)."""
    found = []
    for name, secret in {**PLANTED, **extra}.items():
        forms = {secret, urllib.parse.quote(secret), urllib.parse.quote_plus(secret)}
        if any(form in text for form in forms):
            found.append(name)
    return found
