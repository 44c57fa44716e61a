"""The event scrubber, through its public API: the shared cases (the browser's tests
run the same ones), every kind of value in every part of an event, the PII modes and
the PII switch, robustness, and the scrubber the SDK really runs."""

import copy
import json
import time
from typing import Any

import pydantic
import pytest
import sentry_sdk
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST

from {{ cookiecutter.project_slug }}.core import scrubber
from {{ cookiecutter.project_slug }}.core.scrubber import FILTERED as F
from {{ cookiecutter.project_slug }}.core.scrubber import POLICY, Scrubber
from {{ cookiecutter.project_slug }}.core.settings import get_settings

from .conftest import CapturingTransport

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)


def scrubbed(event: dict[str, Any], policy: Scrubber | None = None) -> Any:
    (policy or Scrubber()).scrub_event(event)  # In place.
    return event


def dump(event: Any) -> str:
    return json.dumps(event, default=repr)


def frame(local_vars: dict[str, Any]) -> dict[str, Any]:
    return {
        "filename": "app/payments.py",
        "abs_path": "/srv/app/payments.py",
        "function": "charge",
        "module": "app.payments",
        "lineno": 42,
        "pre_context": ["API_KEY = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'"],
        "context_line": "    raise PaymentError(order.id)",
        "post_context": [""],
        "in_app": True,
        "vars": local_vars,
    }


def error_event(**parts: Any) -> dict[str, Any]:
    return {
        "event_id": "9ec79c33ec9942ab8353589fcb2e04dc",
        "level": "error",
        "release": "{{ cookiecutter.project_slug }}@0.1.0+abc1234",
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
        **parts,
    }


# --- the shared cases -----------------------------------------------------------------


def _text_cases(mode: str) -> list[Any]:
    return [
        pytest.param(case["input"], case["expected"], id=case["input"][:60])
        for case in POLICY["text_cases"]
        if case["mode"] in ("both", mode)
    ]


@pytest.mark.parametrize(("text", "expected"), _text_cases("standard"))
def test_shared_text_cases_standard(text: str, expected: str) -> None:
    assert Scrubber("standard").scrub_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), _text_cases("strict"))
def test_shared_text_cases_strict(text: str, expected: str) -> None:
    assert Scrubber("strict").scrub_text(text) == expected


@pytest.mark.parametrize(
    ("key", "rule"), [(case["key"], case["rule"]) for case in POLICY["key_cases"]]
)
def test_shared_key_cases(key: str, rule: str) -> None:
    assert Scrubber().key_rule(key) == rule


def test_the_sdk_denylists_are_covered() -> None:
    policy = Scrubber()
    for key in [*DEFAULT_DENYLIST, *DEFAULT_PII_DENYLIST]:
        assert policy.key_rule(key) in ("sensitive", "client_address"), key


def test_every_credential_format_has_a_case() -> None:
    inputs = " ".join(case["input"] for case in POLICY["text_cases"])
    found = [row["name"] for row in POLICY["credential_formats"]]
    assert len(found) >= 20
    for name in ("GitHub token", "GitLab token", "AWS access key id", "Slack token"):
        assert name in found
    assert "ghp_" in inputs and "glpat-" in inputs and "AKIA" in inputs


# --- keys -----------------------------------------------------------------------------


def test_keys_are_scrubbed_in_every_part() -> None:
    secret = "hunter2-secret"
    event = error_event(
        request={
            "headers": {"X-Api-Key": secret, "Accept": "application/json"},
            "cookies": {"sessionid": secret, "theme": "dark"},
            "data": {"user": {"password": secret, "name": "bob"}},
        },
        contexts={"payment": {"stripe_secret_key": secret, "amount": "100.50"}},
        extra={"settings": {"nested": [{"db_password": secret}]}},
        tags={"api_token": secret, "region": "eu-west-1"},
        breadcrumbs={
            "values": [{"category": "http", "data": {"Authorization": secret}}]
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
    assert event["tags"] == {"api_token": F, "region": "eu-west-1"}
    assert event["contexts"]["payment"]["amount"] == "100.50"


def test_pairs_and_counters() -> None:
    event = scrubbed(
        {
            "request": {"headers": [["Authorization", "Basic dXNlcjpwYXNz"]]},
            "spans": [{"data": {"input_tokens": 1500, "token_count": "t-1", "n": 3}}],
        }
    )
    assert event["request"]["headers"] == [["Authorization", F]]
    assert event["spans"][0]["data"] == {"input_tokens": 1500, "token_count": F, "n": 3}


def test_extra_keys_and_sensitive_keys_extend_the_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Scrubber(extra_keys=["tenant_code"]).scrub_text("tenant_code=t-9 ok") == (
        f"tenant_code={F} ok"
    )
    monkeypatch.setattr(
        scrubber, "SENSITIVE_KEYS", [*scrubber.SENSITIVE_KEYS, "pepper"]
    )
    scrubber.configure()
    event = scrubber.scrub_event({"extra": {"pepper_value": "abc", "x": "y"}}, {})
    assert event["extra"] == {"pepper_value": F, "x": "y"}


def test_extra_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN", "http://public@127.0.0.1:9/1")
    monkeypatch.setenv("SENTRY_EXTRA_SENSITIVE_KEYS", "tenant_code, internal_ref")
    from {{ cookiecutter.project_slug }}.core.sentry import init_sentry
    from {{ cookiecutter.project_slug }}.core.settings import reset_settings

    reset_settings()
    assert init_sentry(transport=CapturingTransport())
    event = scrubber.scrub_event({"extra": {"tenant_code": "t-1", "x": "y"}}, {})
    assert event["extra"] == {"tenant_code": F, "x": "y"}


# --- values, in every string ----------------------------------------------------------


def test_values_are_scrubbed_in_every_part() -> None:
    email = "carol@example.org"
    event = error_event(
        message=f"user {email} failed",
        logentry={"message": "user %s failed", "params": [email]},
        request={
            "url": "https://bob:pw123@api.example.com/users/carol%40example.org",
            "query_string": "page=2&api_key=qs-secret&cc=4111+1111+1111+1111",
            "cookies": "sessionid=cookie-secret; theme=dark",
            "headers": {"Referer": "https://x.io/?reset_token=ref-secret"},
        },
        contexts={"db": {"url": "postgresql://svc:ctx-secret@db/app"}},
        extra={"argv": ["app", "--password", "argv-secret"]},
        tags={"customer": email},
        breadcrumbs={"values": [{"message": f"login ok for {email}", "data": {}}]},
        spans=[{"op": "http", "description": f"GET /users?email={email}"}],
    )
    event["exception"]["values"][0]["value"] = f"declined for {email}"
    text = dump(scrubbed(event))
    for secret in (email, "carol%40", "pw123", "qs-secret", "4111", "cookie-secret"):
        assert secret not in text
    for secret in ("ref-secret", "ctx-secret", "argv-secret", "sk_live_"):
        assert secret not in text
    assert event["request"]["cookies"] == f"sessionid={F}; theme=dark"
    assert event["transaction"] == "/api/v1/users/{id}"
    assert event["release"] == "{{ cookiecutter.project_slug }}@0.1.0+abc1234"


def test_encoded_values_in_breadcrumbs_are_decoded() -> None:
    crumbs = [
        {
            "category": "httplib",
            "data": {
                "url": "https://pay.example.com/v1",
                "http.query": "cc=4111+1111+1111+1111",
            },
        },
        {
            "category": "uvicorn.access",
            "message": '203.0.113.7:54321 - "POST /api/v1/test/error'
            '?email=alice%40example.com HTTP/1.1" 500',
        },
    ]
    event = scrubbed({"breadcrumbs": {"values": crumbs}})
    httplib, access = event["breadcrumbs"]["values"]
    assert httplib["data"]["http.query"] == f"cc={F}"
    assert access["message"] == (
        f'{F}:54321 - "POST /api/v1/test/error?email={F} HTTP/1.1" 500'
    )


def test_sql_parameters_bound_to_sensitive_names_are_filtered() -> None:
    spans = [
        {
            "op": "db",
            "description": "UPDATE users SET password = %s, name = %s WHERE id = %s",
            "data": {"db.params": ["hunter2", "Bob", 7]},
        },
        {
            "op": "db",
            "description": "INSERT INTO users (email, api_token, age) VALUES (?, ?, ?)",
            "data": {"db.params": [["a@example.com", "tok-1", 41]]},
        },
        {
            "op": "db",
            "description": "SELECT * FROM sessions WHERE token = $2 AND id = $1",
            "data": {"db.params": [12, "tok-2"]},
        },
    ]
    update, insert, select = scrubbed({"spans": spans})["spans"]
    assert update["data"]["db.params"] == [F, "Bob", 7]
    assert insert["data"]["db.params"] == [[F, F, 41]]
    assert select["data"]["db.params"] == [12, F]


def test_sql_parameters_of_many_rows_lists_and_names_are_filtered() -> None:
    statements = [
        ("INSERT INTO t (name, password) VALUES (%s, %s), (%s, %s)", "list"),
        ("SELECT * FROM sessions WHERE token IN (%s, %s) AND id = %s", "list"),
        ("UPDATE users SET password = %(pw)s WHERE id = %(id)s", "dict"),
        ("SELECT * FROM users WHERE password_hash = :p1 AND name = :p2", "dict"),
        ("INSERT INTO t (name, api_token) VALUES (%(name)s, %(tok)s)", "rows"),
    ]
    params = {
        "list": ["Bob", "hunter2", "Ann", "hunter3"],
        "dict": {"pw": "hunter2", "p1": "hunter2", "id": 7, "p2": "Bob"},
        "rows": [{"name": "Bob", "tok": "tok-1"}, {"name": "Ann", "tok": "tok-2"}],
    }
    breadcrumbs = [
        {"message": sql, "data": {"db.params": copy.deepcopy(params[kind])}}
        for sql, kind in statements
    ]
    event = scrubbed({"breadcrumbs": {"values": breadcrumbs}})
    insert, select, update, named, rows = (
        crumb["data"]["db.params"] for crumb in event["breadcrumbs"]["values"]
    )
    assert insert == ["Bob", F, "Ann", F]
    assert select == [F, F, "Ann", "hunter3"]
    assert update["pw"] == F and update["id"] == 7
    assert named["p1"] == F and named["p2"] == "Bob"
    assert rows == [{"name": "Bob", "tok": F}, {"name": "Ann", "tok": F}]


def test_name_value_objects_take_the_name_rule() -> None:
    env: list[dict[str, Any]] = [
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "LOG_LEVEL", "value": "info"},
        {"Key": "api_token", "Value": "tok-1"},
        {"name": "X-Forwarded-For", "value": "203.0.113.7", "comment": ""},
        {"loc": ["body", "password"], "input": "hunter2", "type": "too_short"},
        {"name": ["not", "a", "name"], "value": "kept"},
    ]
    extra = scrubbed({"extra": {"env": env}})["extra"]
    values = [list(item.values())[1] for item in env]  # Each value comes second.
    assert values == [F, "info", F, F, F, "kept"]
    assert extra["env"] == env


def test_validation_errors_hide_the_input_of_sensitive_fields() -> None:
    class Login(pydantic.BaseModel):
        password: str = pydantic.Field(min_length=12)
        name: int = 0

    with pytest.raises(pydantic.ValidationError) as raised:
        Login(password="hunter2", name="bob")  # type: ignore[arg-type]
    errors = json.loads(raised.value.json())
    event = scrubbed({"message": str(raised.value), "extra": {"errors": errors}})
    assert "hunter2" not in dump(event)
    assert "input_value=[Filtered]" in event["message"]
    assert "input_value='bob'" in event["message"]
    assert [error["input"] for error in event["extra"]["errors"]] == [F, "bob"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "[SQL: UPDATE users SET password_hash=? WHERE users.id = ?]\n"
            "[parameters: ('pbkdf2-secret', 5)]",
            "[SQL: UPDATE users SET password_hash=? WHERE users.id = ?]\n"
            f"[parameters: ({F}, 5)]",
        ),
        (
            "[SQL: INSERT INTO users (name, api_token) VALUES ($1::VARCHAR, $2)]\n"
            "[parameters: [('Bob', 'tok-1'), ('Ann', 'tok-2')]]",
            "[SQL: INSERT INTO users (name, api_token) VALUES ($1::VARCHAR, $2)]\n"
            f"[parameters: [('Bob', {F}), ('Ann', {F})]]",
        ),
        (
            "DETAIL:  Key (api_token)=(tok-123) already exists.",
            f"DETAIL:  Key (api_token)=({F}) already exists.",
        ),
        (
            "DETAIL:  Key (slug)=(summer-sale) already exists.",
            "DETAIL:  Key (slug)=(summer-sale) already exists.",
        ),
    ],
)
def test_database_errors_hide_parameters_of_sensitive_columns(
    message: str, expected: str
) -> None:
    assert Scrubber().scrub_text(message) == expected


@pytest.mark.parametrize(
    "header",
    [
        *("X-Forwarded-For", "Forwarded", "X-Real-IP", "CF-Connecting-IP"),
        *("True-Client-IP", "Fastly-Client-IP", "X-Client-IP", "X-Cluster-Client-IP"),
        *("CloudFront-Viewer-Address", "X-Vercel-Proxied-For", "Cf-Pseudo-IPv4"),
    ],
)
def test_client_address_headers(header: str) -> None:
    request = {"headers": {header: "for=203.0.113.7, 2001:db8::1", "Host": "api.io"}}
    event = scrubbed({"request": copy.deepcopy(request)})
    assert event["request"]["headers"] == {header: f"for={F}, {F}", "Host": "api.io"}
    kept = scrubbed(
        {"request": copy.deepcopy(request)}, Scrubber(send_default_pii=True)
    )
    assert kept["request"] == request


@pytest.mark.parametrize("pii_mode", ["standard", "strict"])
def test_client_addresses_with_an_ipv4_inside_are_hidden_whole(pii_mode: str) -> None:
    headers = {
        "X-Forwarded-For": "::ffff:203.0.113.7, 64:ff9b::203.0.113.8",
        "X-Real-IP": "[::203.0.113.9]:443",
        "Host": "api.io",
    }
    event = scrubbed({"request": {"headers": dict(headers)}}, Scrubber(pii_mode))
    hidden = {"X-Forwarded-For": f"{F}, {F}", "X-Real-IP": f"[{F}]:443"}
    assert event["request"]["headers"] == {**hidden, "Host": "api.io"}
    kept = scrubbed(
        {"request": {"headers": dict(headers)}}, Scrubber(send_default_pii=True)
    )
    assert kept["request"]["headers"] == headers


def test_query_placeholders_in_span_descriptions_stay_placeholders() -> None:
    sql = (
        "SELECT users.id FROM users WHERE users.token = %(token_1)s"
        " AND users.pin = %(pin_1)s::VARCHAR AND users.api_key = 'k-9f8e7d'"
    )
    params = {"token_1": "tok-9f8e7d", "pin_1": "1234"}
    span = {"op": "db", "description": sql, "data": {"db.params": params}}
    event = scrubbed({"type": "transaction", "spans": [span]})
    assert event["spans"][0]["description"] == sql.replace("k-9f8e7d", F)
    assert event["spans"][0]["data"]["db.params"] == {"token_1": F, "pin_1": F}


def test_client_addresses_in_frame_variables_and_env() -> None:
    scope = {
        "type": "http",
        "client": ["203.0.113.7", 54321],
        "server": ["10.0.0.2", 80],
    }
    event = error_event(request={"env": {"REMOTE_ADDR": "203.0.113.7"}})
    event["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"] = {
        "scope": scope,
        "environ": {
            "REMOTE_ADDR": "203.0.113.7",
            "HTTP_CF_CONNECTING_IP": "198.51.100.4",
        },
    }
    event = scrubbed(event)
    local_vars = event["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]
    assert local_vars["scope"]["client"] == [F, 54321]
    assert local_vars["scope"]["server"] == ["10.0.0.2", 80]  # The server's own.
    assert local_vars["environ"] == {"REMOTE_ADDR": F, "HTTP_CF_CONNECTING_IP": F}
    assert event["request"]["env"] == {"REMOTE_ADDR": F}


@pytest.mark.parametrize(
    "text",
    [
        "/api/v1/users/{id}",
        "550e8400-e29b-41d4-a716-446655440000",
        "version 1.4.2 (build 20240115)",
        "<{{ cookiecutter.project_slug }}.models.Order object at 0x7f3a2b1c9d40>",
        "Order(id=12, status='paid', total=Decimal('19.99'))",
        "ValueError: invalid literal for int() with base 10: 'abc'",
        "could not connect to 10.0.0.5:5432",  # Standard mode: a server's address.
    ],
)
def test_debugging_values_survive(text: str) -> None:
    assert Scrubber().scrub_text(text) == text


@pytest.mark.parametrize("pii_mode", ["standard", "strict"])
def test_the_sdks_own_numbers_survive(pii_mode: str) -> None:
    # Thread ids have 15 digits: this one passes the card number check (Luhn).
    thread_id = 140585604208323
    data = {"thread.id": str(thread_id), "thread.name": "MainThread"}
    event = error_event(
        contexts={"trace": {"data": {**data, "process.pid": 4242}}},
        spans=[{"op": "db", "description": "SELECT 1", "data": dict(data)}],
        extra={"thread.id": "jane@example.com"},  # Not a number: searched.
    )
    Scrubber(pii_mode).scrub_event(event)
    assert event["contexts"]["trace"]["data"] == {**data, "process.pid": 4242}
    assert event["spans"][0]["data"] == data
    assert event["extra"] == {"thread.id": F}


# --- users and modes ------------------------------------------------------------------


def test_user_rule_per_mode() -> None:
    user = {
        "id": "42",
        "username": "bob",
        "email": "bob@example.com",
        "ip_address": "203.0.113.9",
        "name": "Bob Smith",
    }
    standard = scrubbed({"user": dict(user)})["user"]
    assert standard == {"id": "42", "username": "bob", "email": "bob@example.com"}
    with_pii = scrubbed({"user": dict(user)}, Scrubber(send_default_pii=True))["user"]
    assert with_pii == {**standard, "ip_address": "203.0.113.9"}
    assert scrubbed({"user": dict(user)}, Scrubber("strict"))["user"] == {"id": "42"}
    strict = scrubbed({"user": {"id": "bob@example.com"}}, Scrubber("strict"))
    assert strict["user"] == {"id": F}
    assert "user" not in scrubbed({"user": "bob"})


def test_strict_mode_hides_values_under_personal_keys() -> None:
    data = {"phone": "4155552671", "mobile_number": "07911123456", "phone_count": 2}
    strict = scrubbed({"extra": dict(data)}, Scrubber("strict"))["extra"]
    assert strict == {"phone": F, "mobile_number": F, "phone_count": 2}
    assert scrubbed({"extra": dict(data)})["extra"] == data  # Standard mode.


def test_strict_drops_frame_variables_and_unknown_modes_are_strict() -> None:
    event = scrubbed(error_event(), Scrubber("strict"))
    assert "vars" not in event["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert Scrubber("lenient").pii_mode == "strict"


def test_configure_sets_the_module_policy() -> None:
    scrubber.configure("standard")
    assert scrubber.scrub_text("from 10.1.2.3") == "from 10.1.2.3"
    scrubber.configure("strict")
    assert scrubber.scrub_text("from 10.1.2.3") == f"from {F}"
    assert scrubber.filter_sensitive_data is scrubber.scrub_event


# --- robustness -----------------------------------------------------------------------


class _Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def test_a_failing_part_is_dropped_not_the_event() -> None:
    deep: dict[str, Any] = {"password": "deep-secret"}
    for _ in range(5000):
        deep = {"level": deep}
    event = error_event(
        extra={"broken": _Unprintable(), "password": "x"},
        contexts={"deep": deep},
        tags={"bytes": b"mail bob@example.com", "tuple": ("a", "bob@example.com")},
    )
    result = scrubber.scrub_event(event, {})
    assert result is event
    assert "extra" not in result and "contexts" not in result
    assert "bob@example.com" not in dump(result)
    assert result["exception"]["values"][0]["type"] == "PaymentError"


def test_long_runs_of_a_hint_are_scrubbed_in_linear_time() -> None:
    # A guard against a hang, not a speed target: these take about 0.05 s, and took
    # minutes when a pattern retried from every position (a third of the first text
    # took 4-5 s then). The limit is far from both, for a loaded machine.
    started = time.perf_counter()
    for text in ("eyJ" * 60_000, "password=x" + " " * 300_000 + "y"):
        Scrubber().scrub_text(text)
    assert time.perf_counter() - started < 10.0


@pytest.mark.parametrize("event", [None, "event", 42, [], {}])
def test_non_events_are_returned_untouched(event: Any) -> None:
    assert scrubber.scrub_event(event, {}) == event


def test_events_scrub_the_same_the_second_time() -> None:
    policy = Scrubber()
    first, second = scrubbed(error_event(), policy), scrubbed(error_event(), policy)
    assert first == second
    assert "sk_live_" not in dump(second)


# --- through the SDK, and the PII switch ----------------------------------------------


def _fail_with_locals() -> None:
    payload = {"password": "hunter2", "note": "ok"}
    token = "Bearer abcdef123456"
    raise ValueError(f"payment failed for alice@example.com with {token} {payload}")


def _capture(transport: CapturingTransport) -> dict[str, Any]:
    try:
        _fail_with_locals()
    except ValueError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush(timeout=2)
    (event,) = transport.events
    return event


def test_nothing_sensitive_leaves_through_the_sdk(
    transport: CapturingTransport,
) -> None:
    event = _capture(transport)
    text = dump(event)
    for secret in ("hunter2", "alice@example.com", "abcdef123456"):
        assert secret not in text
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    if get_settings().pii_mode == "standard":
        assert frames[-1]["vars"]["payload"] == {"password": F, "note": "'ok'"}
    else:  # Strict mode drops frame variables.
        assert all("vars" not in frame for frame in frames)


@pytest.fixture
def pii_on(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Sentry initialised with SENTRY_SEND_DEFAULT_PII=true."""
    from {{ cookiecutter.project_slug }}.core.sentry import init_sentry
    from {{ cookiecutter.project_slug }}.core.settings import reset_settings

    def start(**variables: str) -> CapturingTransport:
        monkeypatch.setenv("SENTRY_DSN", "http://public@127.0.0.1:9/1")
        monkeypatch.setenv("SENTRY_PII_MODE", "standard")
        monkeypatch.setenv("SENTRY_SEND_DEFAULT_PII", "true")
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        reset_settings()
        capturing = CapturingTransport()
        assert init_sentry(transport=capturing)
        return capturing

    return start


def test_pii_switch_turns_on_only_what_the_docs_say(pii_on: Any) -> None:
    pii_on()
    collected = sentry_sdk.get_client().options["data_collection"]
    assert collected["user_info"] is True
    assert collected["database_query_data"] is False  # SQL parameters
    assert collected["queues"] is False  # task arguments
    assert collected["graphql"] == {"document": False, "variables": False}
    assert "outgoing_response" not in collected["http_bodies"]  # GraphQL responses
    assert collected["gen_ai"] == {"inputs": False, "outputs": False}


def test_pii_switch_keeps_local_variables_off_when_asked(pii_on: Any) -> None:
    transport = pii_on(SENTRY_INCLUDE_LOCAL_VARIABLES="false")
    frames = _capture(transport)["exception"]["values"][0]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)
{%- if cookiecutter.framework == "django" %}


def test_pii_switch_still_scrubs_and_sends_no_sql_parameters(
    pii_on: Any, db: None
) -> None:
{%- else %}


def test_pii_switch_still_scrubs_and_sends_no_sql_parameters(pii_on: Any) -> None:
{%- endif %}
    transport = pii_on()
    with sentry_sdk.start_transaction(name="pii-sql", op="test"):
{%- if cookiecutter.framework == "django" %}
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT %s", ["sql-param-secret"])
{%- else %}
        from sqlalchemy import text

        from {{ cookiecutter.project_slug }} import db

        with db.get_engine().connect() as connection:
            connection.execute(text("SELECT :value"), {"value": "sql-param-secret"})
{%- endif %}
    event = _capture(transport)
    assert transport.transactions, "the transaction was not sent"
    sent = b"".join(envelope.serialize() for envelope in transport.envelopes)
    assert b"sql-param-secret" not in sent
    assert "hunter2" not in dump(event)
