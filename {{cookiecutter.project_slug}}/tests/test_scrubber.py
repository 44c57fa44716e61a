"""The event scrubber: keys, value patterns, PII modes, robustness, the real SDK."""

import copy
import importlib
import json
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber
from sentry_sdk.transport import Transport

from {{ cookiecutter.project_slug }}.core import scrubber

F = "[Filtered]"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.fixture(autouse=True)
def default_scrubber() -> None:
    scrubber.configure()


def _settings_module() -> Any:
    return importlib.import_module(f"{scrubber.__package__}.settings")


def standard() -> scrubber.Scrubber:
    return scrubber.Scrubber(pii_mode="standard")


def strict() -> scrubber.Scrubber:
    return scrubber.Scrubber(pii_mode="strict")


def scrubbed(event: dict[str, Any], scrub: scrubber.Scrubber | None = None) -> Any:
    scrub = scrub or standard()
    scrub.scrub_event(event)  # In place, like EventScrubber.
    return event


def dump(event: Any) -> str:
    return json.dumps(event, default=repr)


def frame(local_vars: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "filename": "app/payments.py",
        "abs_path": "/srv/app/payments.py",
        "function": "charge",
        "module": "app.payments",
        "lineno": 42,
        "pre_context": ["def charge(order):", "    total = order.total"],
        "context_line": "    raise PaymentError(order.id)",
        "post_context": [""],
        "in_app": True,
        "vars": local_vars,
        **extra,
    }


def error_event(**sections: Any) -> dict[str, Any]:
    return {
        "event_id": "9ec79c33ec9942ab8353589fcb2e04dc",
        "level": "error",
        "platform": "python",
        "release": "acme_service@0.1.0+abc1234",
        "environment": "production",
        "transaction": "/api/v1/users/{id}",
        "exception": {
            "values": [
                {
                    "type": "PaymentError",
                    "value": "declined",
                    "stacktrace": {"frames": [frame({"order": "'ORD-2024-000123'"})]},
                }
            ]
        },
        **sections,
    }


# --- keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "db_password",
        "DB_PASSWORD",
        "X-Api-Key",
        "x_api_key",
        "apiKey",
        "HTTP_AUTHORIZATION",
        "Authorization",
        "accessToken",
        "refresh_token",
        "client_secret",
        "sessionid",
        "PHPSESSID",
        "csrftoken",
        "X-CSRF-Token",
        "private_key",
        "aws_secret_access_key",
        "credentials",
        "jwt",
        "user_ssn",
        "card_number",
        "creditCardNumber",
        "cvv",
        "userPin",
        "x_auth",
        "auth",
        "Cookie",
        "set-cookie",
    ],
)
def test_sensitive_keys_match_by_substring_case_insensitively(key: str) -> None:
    event = scrubbed({"extra": {key: "s3cr3t-value", "other": "kept value"}})
    assert event["extra"] == {key: F, "other": "kept value"}


@pytest.mark.parametrize(
    "key",
    ["author", "authority", "authored_by", "spinner", "keyboard", "passenger", "id"],
)
def test_lookalike_keys_keep_their_values(key: str) -> None:
    event = scrubbed({"extra": {key: "debug value"}})
    assert event["extra"] == {key: "debug value"}


def test_counter_keys_keep_numbers_but_not_text() -> None:
    data = {"input_tokens": 1500, "session_ttl": 3600, "token_count": "long-token"}
    event = scrubbed({"spans": [{"op": "ai.chat", "data": data}]})
    assert event["spans"][0]["data"] == {
        "input_tokens": 1500,
        "session_ttl": 3600,
        "token_count": F,
    }


def test_sensitive_keys_cover_the_sdk_denylists() -> None:
    for key in [*DEFAULT_DENYLIST, *DEFAULT_PII_DENYLIST]:
        assert key in scrubber.SENSITIVE_KEYS
        assert standard().is_sensitive_key(key), key


def test_keys_are_scrubbed_in_every_section() -> None:
    secret = "hunter2-secret"
    event = error_event(
        request={
            "url": "https://api.example.com/login",
            "headers": {"X-Api-Key": secret, "Accept": "application/json"},
            "cookies": {"sessionid": secret, "theme": "dark"},
            "data": {"user": {"password": secret, "name": "bob"}},
            "env": {"REMOTE_ADDR": "203.0.113.9", "SERVER_NAME": "api-1"},
        },
        contexts={"payment": {"stripe_secret_key": secret, "amount": "100.50"}},
        extra={"settings": {"nested": [{"db_password": secret}]}},
        tags={"api_token": secret, "region": "eu-west-1"},
        breadcrumbs={
            "values": [{"category": "http", "data": {"Authorization": secret}}]
        },
        threads={
            "values": [
                {"stacktrace": {"frames": [frame({"creds": {"token": secret}})]}}
            ]
        },
        spans=[{"op": "db", "description": "SELECT 1", "data": {"token": secret}}],
    )
    event["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"] = {
        "payload": {"password": secret, "items": 3}
    }
    event = scrubbed(event)
    assert secret not in dump(event)
    assert event["request"]["headers"] == {"X-Api-Key": F, "Accept": "application/json"}
    assert event["request"]["cookies"] == {"sessionid": F, "theme": "dark"}
    assert event["request"]["data"] == {"user": {"password": F, "name": "bob"}}
    assert event["request"]["env"] == {"REMOTE_ADDR": F, "SERVER_NAME": "api-1"}
    assert event["contexts"]["payment"]["amount"] == "100.50"
    assert event["tags"] == {"api_token": F, "region": "eu-west-1"}
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert frames[0]["vars"] == {"payload": {"password": F, "items": 3}}


def test_header_and_query_pairs_are_scrubbed() -> None:
    event = scrubbed(
        {
            "request": {
                "headers": [["Authorization", "Basic dXNlcjpwYXNz"], ["Host", "x.io"]],
                "query_string": [["page", "2"], ["access_token", "qs-secret"]],
            }
        }
    )
    assert event["request"]["headers"] == [["Authorization", F], ["Host", "x.io"]]
    assert event["request"]["query_string"] == [["page", "2"], ["access_token", F]]


def test_extra_keys_extend_the_list() -> None:
    scrub = scrubber.Scrubber(extra_keys=["tenant_code", "mfa"])
    event = scrubbed({"extra": {"TenantCode": "t-99", "mfa": "123456"}}, scrub)
    assert event["extra"] == {"TenantCode": F, "mfa": F}
    assert scrub.scrub_text("tenant_code=t-99 ok") == f"tenant_code={F} ok"


def test_sensitive_keys_list_is_extendable(monkeypatch: pytest.MonkeyPatch) -> None:
    event = scrubber.scrub_event({"extra": {"pepper_value": "abc"}}, {})
    assert event["extra"] == {"pepper_value": "abc"}
    monkeypatch.setattr(
        scrubber, "SENSITIVE_KEYS", [*scrubber.SENSITIVE_KEYS, "pepper"]
    )
    scrubber.configure()
    event = scrubber.scrub_event({"extra": {"pepper_value": "abc", "x": "y"}}, {})
    assert event["extra"] == {"pepper_value": F, "x": "y"}


def test_extra_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_EXTRA_SENSITIVE_KEYS", "tenant_code, internal_ref")
    scrubber.reset()  # Built lazily from the settings.
    event = scrubber.scrub_event(
        {"extra": {"tenant_code": "t-1", "internal_ref": "r-2", "x": "y"}}, {}
    )
    assert event["extra"] == {"tenant_code": F, "internal_ref": F, "x": "y"}


def test_unreadable_settings_fall_back_to_strict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings_module()

    def broken() -> None:
        raise RuntimeError("settings unavailable")

    monkeypatch.setattr(settings, "get_settings", broken)
    scrubber.reset()
    event = scrubber.scrub_event(
        error_event(user={"id": "42", "email": "bob@example.com"}), {}
    )
    assert event["user"] == {"id": "42"}
    assert "vars" not in event["exception"]["values"][0]["stacktrace"]["frames"][0]


# --- values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("contact alice.smith+x@example.co.uk now", f"contact {F} now"),
        ("card 4111 1111 1111 1111 declined", f"card {F} declined"),
        ("card 5555-5555-5555-4444 declined", f"card {F} declined"),
        ("amex 378282246310005.", f"amex {F}."),
        ("paid with 4242424242424242", f"paid with {F}"),
        ("Authorization header Bearer abc.def-123_456", f"header Bearer {F}"),
        ("retrying with Bearer abc123def456", f"retrying with Bearer {F}"),
        ("sent Basic dXNlcjpwYXNzd29yZA== upstream", f"sent Basic {F} upstream"),
        (f"refreshing session with {JWT}", f"refreshing session with {F}"),
        ("ssn 123-45-6789 on file", f"ssn {F} on file"),
        (f"loaded {PEM} ok", f"loaded {F} ok"),
        ("truncated -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq", f"truncated {F}"),
        (
            "db postgres://app:S3cr3t@db.internal/app",
            f"db postgres://{F}@db.internal/app",
        ),
        (
            "login failed: password=hunter2 user=bob",
            f"login failed: password={F} user=bob",
        ),
        ("config api_key: abc123, region: eu", f"config api_key: {F}, region: eu"),
        (
            '{"password": "hunter2", "user": "bob"}',
            '{"password": "' + F + '", "user": "bob"}',
        ),
        ("{'client_secret': 'xyz', 'n': 1}", "{'client_secret': '" + F + "', 'n': 1}"),
        ("user=bob&password=hunter2&next=/home", f"user=bob&password={F}&next=/home"),
        ("run --db-password=hunter2 --debug", f"run --db-password={F} --debug"),
        ("X-Api-Key: abc123def", f"X-Api-Key: {F}"),
    ],
)
def test_value_patterns(text: str, expected: str) -> None:
    assert standard().scrub_text(text).endswith(expected)


def test_only_luhn_valid_card_numbers_are_scrubbed() -> None:
    assert standard().scrub_text("ref 4111111111111112 ok") == "ref 4111111111111112 ok"
    assert standard().scrub_text("ref 1234 5678 9012 3456") == "ref 1234 5678 9012 3456"
    # The card is found even when another number follows it.
    assert standard().scrub_text("4111 1111 1111 1111 2024") == f"{F} 2024"


def test_card_numbers_as_integers_are_scrubbed() -> None:
    event = scrubbed({"extra": {"paid_with": 4111111111111111, "order": 123456}})
    assert event["extra"] == {"paid_with": F, "order": 123456}


def test_query_placeholders_are_not_secrets() -> None:
    query = "UPDATE users SET password = %s WHERE id = %(id)s"
    assert standard().scrub_text(query) == query
    assert standard().scrub_text("SET password = :password") == (
        "SET password = :password"
    )


def test_a_key_at_the_start_of_a_string_is_judged_alone() -> None:
    # The strings of an event are searched together: the end of one must not hide
    # a short key ("pin") at the start of the next.
    event = scrubbed(
        {"extra": {"a": "hello world_x", "b": "pin: 12345678 and more", "c": "ab"}}
    )
    assert event["extra"] == {
        "a": "hello world_x",
        "b": f"pin: {F} and more",
        "c": "ab",
    }


def test_every_key_value_pair_in_a_text_is_scrubbed() -> None:
    text = (
        "x=1 password=a&b pin: 4321 note='api_key: k9' token=\"t t\" id=%s "
        "https://h/p?q=1&access_token=zz9"
    )
    assert standard().scrub_text(text) == (
        f"x=1 password={F}&b pin: {F} note='api_key: {F}' token=\"{F}\" id=%s "
        f"https://h/p?q=1&access_token={F}"
    )


@pytest.mark.parametrize(
    "text",
    [
        "/api/v1/users/{id}",
        "acme_service@0.1.0+abc1234",
        "app@1.4.2",
        "550e8400-e29b-41d4-a716-446655440000",
        "2024-01-15T10:30:00.123456Z",
        "2024-01-15 10:30:00",
        "total 100.50 EUR",
        "ORD-2024-000123",
        "version 1.4.2 (build 20240115)",
        "3816f1d9f38f0d38a1b2c3d4e5f60718293a4b5c",
        "<acme_service.models.Order object at 0x7f3a2b1c9d40>",
        "Order(id=12, status='paid', total=Decimal('19.99'))",
        "ValueError: invalid literal for int() with base 10: 'abc'",
        "GET /api/v1/orders?page=2&sort=desc took 12.5ms",
        "the author=bob wrote it",
        "missing Bearer token",
        "basic usage of the client",
        "SELECT id, email FROM users WHERE id = %s",
    ],
)
def test_debugging_values_survive(text: str) -> None:
    assert standard().scrub_text(text) == text
    assert strict().scrub_text(text) == text


def test_percent_encoded_values_in_the_url_are_scrubbed() -> None:
    event = error_event(
        request={
            "url": "https://api.example.com/users/carol%40example.org",
            "query_string": "card=4111+1111+1111+1111&to=carol%40example.org&page=2",
        }
    )
    request = scrubbed(event)["request"]
    text = dump(request)
    for secret in ("4111", "carol"):
        assert secret not in text
    assert request["query_string"].endswith("&page=2")


def test_transaction_names_taken_from_the_url_are_scrubbed() -> None:
    event = error_event(
        transaction="/api/v1/users/carol@example.org",
        transaction_info={"source": "url"},
    )
    assert scrubbed(event)["transaction"] == "/api/v1/users/[Filtered]"


def test_values_are_scrubbed_in_every_section() -> None:
    email = "carol@example.org"
    event = error_event(
        message=f"user {email} failed",
        logentry={"message": "user %s failed", "params": [email]},
        request={
            "url": "https://bob:pw123@api.example.com/cb?token=url-secret&page=2",
            "query_string": "page=2&api_key=qs-secret",
            "cookies": "sessionid=cookie-secret; theme=dark",
            "data": '{"password": "body-secret", "email": "carol@example.org"}',
            "headers": {"Referer": "https://x.io/?reset_token=ref-secret"},
        },
        contexts={"db": {"url": "postgresql://svc:ctx-secret@db/app"}},
        extra={"argv": ["app", "--password=argv-secret"]},
        tags={"customer": email},
        breadcrumbs={"values": [{"message": f"login ok for {email}", "data": {}}]},
        spans=[{"op": "http", "description": f"GET /users?email={email}"}],
    )
    event["exception"]["values"][0]["value"] = f"declined for {email}"
    event["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"] = {
        "note": f"'mail {email}'",
        "cfg": {"dsn": "'redis://:vars-secret@cache:6379/0'"},
    }
    text = dump(scrubbed(event))
    for secret in (
        email,
        "pw123",
        "url-secret",
        "qs-secret",
        "cookie-secret",
        "body-secret",
        "ref-secret",
        "ctx-secret",
        "argv-secret",
        "vars-secret",
    ):
        assert secret not in text
    assert event["request"]["url"] == (
        f"https://{F}@api.example.com/cb?token={F}&page=2"
    )
    assert event["request"]["cookies"] == f"sessionid={F}; theme=dark"
    assert event["transaction"] == "/api/v1/users/{id}"
    assert event["release"] == "acme_service@0.1.0+abc1234"


def test_source_context_is_scrubbed() -> None:
    event = error_event()
    top = event["exception"]["values"][0]["stacktrace"]["frames"][0]
    top["pre_context"] = ["API_KEY = 'sk_live_abc123'", "def charge(order):"]
    top["context_line"] = "    notify('ops@example.com')"
    scrub = standard()
    for _ in range(2):  # The second time from the memo.
        event_copy = copy.deepcopy(event)
        scrubbed(event_copy, scrub)
        top_copy = event_copy["exception"]["values"][0]["stacktrace"]["frames"][0]
        assert top_copy["pre_context"] == [f"API_KEY = '{F}'", "def charge(order):"]
        assert top_copy["context_line"] == f"    notify('{F}')"


def test_transactions_scrub_span_descriptions_and_data() -> None:
    event = {
        "type": "transaction",
        "transaction": "/api/v1/users/{id}",
        "spans": [
            {
                "op": "db",
                "description": "UPDATE users SET password = 'hunter2' WHERE id = 1",
                "data": {"db.params": {"token": "span-secret"}, "db.system": "sqlite"},
            },
            {
                "op": "http.client",
                "description": "POST https://api:pw@billing.example.com/charge",
                "data": {"url": "https://billing.example.com/charge?apikey=k-123"},
            },
        ],
    }
    event = scrubber.scrub_event(event, {})
    db, http = event["spans"]
    assert db["description"] == f"UPDATE users SET password = '{F}' WHERE id = 1"
    assert db["data"] == {"db.params": {"token": F}, "db.system": "sqlite"}
    assert http["description"] == f"POST https://{F}@billing.example.com/charge"
    assert http["data"]["url"] == f"https://billing.example.com/charge?apikey={F}"
    assert event["transaction"] == "/api/v1/users/{id}"


# --- pii modes ---------------------------------------------------------------------


def test_standard_user_keeps_id_username_email() -> None:
    user = {
        "id": "42",
        "username": "bob",
        "email": "bob@example.com",
        "ip_address": "203.0.113.9",
        "phone": "+1 415-555-0132",
        "name": "Bob Smith",
    }
    event = scrubbed({"user": user})
    assert event["user"] == {"id": "42", "username": "bob", "email": "bob@example.com"}


def test_strict_user_keeps_only_the_id() -> None:
    user = {"id": 42, "username": "bob", "email": "bob@example.com"}
    assert scrubbed({"user": user}, strict())["user"] == {"id": 42}
    user = {"id": "bob@example.com"}
    assert scrubbed({"user": user}, strict())["user"] == {"id": F}


@pytest.mark.parametrize("user", [None, "bob", 42, ["bob"], {"name": "x"}])
def test_odd_users_never_raise(user: Any) -> None:
    event = scrubbed({"user": user, "extra": {"a": "b"}})
    assert "user" not in event
    assert event["extra"] == {"a": "b"}


def test_strict_scrubs_phones_and_ips_standard_keeps_them() -> None:
    text = (
        "call +1 415-555-0132, (415) 555-0132 or +44 20 7946 0958 "
        "from 192.168.10.24 and 2001:db8::8a2e:370:7334"
    )
    assert standard().scrub_text(text) == text
    assert strict().scrub_text(text) == (f"call {F}, {F} or {F} from {F} and {F}")


def test_strict_drops_frame_variables() -> None:
    event = error_event(
        threads={"values": [{"stacktrace": {"frames": [frame({"x": "'1'"})]}}]}
    )
    event = scrubbed(event, strict())
    exc_frame = event["exception"]["values"][0]["stacktrace"]["frames"][0]
    thread_frame = event["threads"]["values"][0]["stacktrace"]["frames"][0]
    assert "vars" not in exc_frame
    assert "vars" not in thread_frame
    assert exc_frame["function"] == "charge"
    assert exc_frame["context_line"] == "    raise PaymentError(order.id)"


def test_standard_keeps_frame_variables() -> None:
    event = scrubbed(error_event())
    assert event["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"] == {
        "order": "'ORD-2024-000123'"
    }


def test_unknown_pii_mode_is_strict() -> None:
    assert scrubber.Scrubber(pii_mode="lenient").pii_mode == "strict"


def test_scrub_text_follows_the_configured_mode() -> None:
    scrubber.configure(pii_mode="standard")
    assert scrubber.scrub_text("from 10.1.2.3") == "from 10.1.2.3"
    assert scrubber.scrub_text("from 10.1.2.3", pii_mode="strict") == f"from {F}"
    scrubber.configure(pii_mode="strict")
    assert scrubber.scrub_text("from 10.1.2.3") == f"from {F}"


# --- robustness --------------------------------------------------------------------


def test_weird_values_never_raise() -> None:
    deep: dict[str, Any] = {"password": "deep-secret"}
    for _ in range(5000):
        deep = {"level": deep}
    event = error_event(
        extra={
            "bytes": b"mail bob@example.com",
            "int_keys": {1: "one", 2: {"password": "k-secret"}},
            "tuple": ("a", "mail bob@example.com"),
            "nones": [None, [None, [None]], None],
            "object": object(),
            "float": float("nan"),
        },
        contexts={"deep": deep},
        tags=[["password", "tag-secret"], ["region", "eu"]],
    )
    event = scrubbed(event)
    text = dump(event)
    for secret in ("bob@example.com", "k-secret", "tag-secret", "deep-secret"):
        assert secret not in text
    assert event["extra"]["nones"] == [None, [None, [None]], None]
    assert event["extra"]["int_keys"][1] == "one"
    assert event["tags"] == [["password", F], ["region", "eu"]]
    assert event["exception"]["values"][0]["type"] == "PaymentError"


@pytest.mark.parametrize("event", [None, "event", 42, [], {}])
def test_non_events_are_returned_untouched(event: Any) -> None:
    assert scrubber.scrub_event(event, {}) == event


def test_a_failing_section_is_dropped_not_the_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(*args: Any) -> None:
        raise RuntimeError("scrubber bug")

    monkeypatch.setattr(scrubber.Scrubber, "_scrub_request", boom)
    scrubber.configure()
    event = error_event(
        request={"data": {"password": "req-secret"}},
        extra={"password": "extra-secret", "ok": "kept"},
    )
    result = scrubber.scrub_event(event, {})
    assert result is event
    assert "request" not in result
    assert result["extra"] == {"password": F, "ok": "kept"}
    assert result["exception"]["values"][0]["value"] == "declined"


def test_a_failing_value_scan_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any) -> None:
        raise RuntimeError("scrubber bug")

    scrub = standard()
    monkeypatch.setattr(scrub, "_scan", boom)  # Every string gets every pattern.
    event = scrubbed({"extra": {"note": "mail bob@example.com", "x": "plain"}}, scrub)
    assert event["extra"] == {"note": f"mail {F}", "x": "plain"}
    monkeypatch.setattr(scrub, "_process", boom)  # Nothing can be checked.
    event = scrubbed({"extra": {"note": "mail bob@example.com", "x": "ab"}}, scrub)
    assert event["extra"] == {"note": F, "x": "ab"}


def test_a_failing_frame_loses_its_variables_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scrub = standard()

    def boom(*args: Any) -> None:
        raise RuntimeError("scrubber bug")

    monkeypatch.setattr(scrub, "_walk_dict", boom)
    event = scrubbed(error_event(), scrub)
    exc = event["exception"]["values"][0]
    assert "vars" not in exc["stacktrace"]["frames"][0]
    assert exc["stacktrace"]["frames"][0]["function"] == "charge"


def test_module_api() -> None:
    assert scrubber.filter_sensitive_data is scrubber.scrub_event
    scrub = scrubber.configure(pii_mode="strict", extra_keys=("tenant",))
    assert isinstance(scrub, EventScrubber)
    assert scrub.pii_mode == "strict"
    event = {"extra": {"tenant": "t-1"}}
    assert scrubber.scrub_event(event, {}) is event
    assert event["extra"] == {"tenant": F}


# --- through the real SDK ----------------------------------------------------------


class _CapturingTransport(Transport):
    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


def _fail_with_locals() -> None:
    payload = {"password": "hunter2", "note": "ok"}
    token = "Bearer abcdef123456"
    raise ValueError(
        f"payment failed for alice@example.com with {token} ({len(payload)} fields)"
    )


def test_nothing_sensitive_leaves_through_the_sdk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    scrubber.configure(pii_mode="standard")
    transport = _CapturingTransport()
    with sentry_sdk.isolation_scope():
        sentry_sdk.init(
            dsn="http://public@127.0.0.1:9/1",
            transport=transport,
            before_send=scrubber.scrub_event,
            default_integrations=False,
            include_local_variables=True,
        )
        try:
            try:
                _fail_with_locals()
            except ValueError:
                sentry_sdk.capture_exception()
            sentry_sdk.flush(timeout=2)
        finally:
            sentry_sdk.get_client().close()
    payloads = [
        item.payload.json
        for envelope in transport.envelopes
        for item in envelope.items
        if item.type == "event"
    ]
    assert len(payloads) == 1
    text = json.dumps(payloads[0])
    assert "hunter2" not in text
    assert "alice@example.com" not in text
    assert "abcdef123456" not in text
    assert payloads[0] is not None
    exc = payloads[0]["exception"]["values"][0]
    assert exc["type"] == "ValueError"
    assert exc["value"].startswith(f"payment failed for {F}")
    frames = exc["stacktrace"]["frames"]
    assert frames[-1]["vars"]["payload"] == {"password": F, "note": "'ok'"}
