"""The secrets the end-to-end tests plant in requests, and how to find them again
in what left a process (as sent, or URL-encoded).

Besides the body, headers, cookie and query every request carries, `PLANTED_PARAMS`,
`PLANTED_HEADERS` and `planted_message` plant one member of each kind the scrubber
must catch in standard mode without SENTRY_SEND_DEFAULT_PII: encoded values, values
named by what precedes them (SQL, command lines), client addresses in every header
that carries one, key-name families, and credential formats under harmless names."""

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


# Query parameters: percent-encoded (httpx writes '@' as %40 and spaces as '+'), and a
# code-hosting token under a harmless name.
GITHUB_TOKEN = "ghp_" + "E2eLeakPlantedToken0123456789abcdefg"[:36]
PLANTED_PARAMS = {
    "email": "encoded.leak@example.com",
    "cc": "5555 5555 5555 4444",
    "t": GITHUB_TOKEN,
}
# Client-address headers (standard and vendor ones) and key-name families.
PLANTED_HEADERS = {
    "CF-Connecting-IP": "203.0.113.71",
    "True-Client-IP": "203.0.113.72",
    "X-Real-IP": "203.0.113.73",
    "Forwarded": "for=203.0.113.74;proto=https",
    "Fastly-Client-IP": "203.0.113.75",
    "X-Forwarded-For": "203.0.113.76, 10.0.0.1",
    "X-Hub-Signature-256": "sha256=e2ehubsignatureplanted",
    "Ocp-Apim-Subscription-Key": "e2esubscriptionkeyplanted",
}
# In the error message: values with no key name, and credential formats.
PLANTED_IN_MESSAGE = {
    "SQL literal": "e2e-sql-password-planted",
    "command-line password": "e2e-cli-password-planted",
    "AWS key": "AKIAE2ELEAKPLANTED01",
    "Stripe key": "sk_live_e2eLeakPlanted0123",
    "Slack token": "xoxb-1234567890-e2eLeakPlantedSlack",
    "GitLab token": "glpat-e2eLeakPlanted0123456",
}


def planted_message(prefix: str) -> str:
    """An error message carrying PLANTED_IN_MESSAGE."""
    values = PLANTED_IN_MESSAGE
    return (
        f"{prefix} INSERT INTO users (email, password) VALUES "
        f"('x@example.com', '{values['SQL literal']}') "
        f"run --password {values['command-line password']} --debug "
        f"{values['AWS key']} {values['Stripe key']} {values['Slack token']} "
        f"{values['GitLab token']}"
    )


PLANTED.update(
    {f"{name} param": value for name, value in PLANTED_PARAMS.items()}
    | {
        f"{name} header": value.split(";")[0].split(",")[0].removeprefix("for=")
        for name, value in PLANTED_HEADERS.items()
    }
    | PLANTED_IN_MESSAGE
    | {"cc param digits": PLANTED_PARAMS["cc"].replace(" ", "")}
)


def secrets_found(text: str, extra: dict[str, str]) -> list[str]:
    """Names of the planted secrets present in ``text`` (also URL-encoded)."""
    found = []
    for name, secret in {**PLANTED, **extra}.items():
        forms = {secret, urllib.parse.quote(secret), urllib.parse.quote_plus(secret)}
        if any(form in text for form in forms):
            found.append(name)
    return found
