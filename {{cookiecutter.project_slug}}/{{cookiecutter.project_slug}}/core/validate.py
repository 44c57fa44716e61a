"""`validate-sentry-setup`: check the Sentry set-up before a deploy.

    validate-sentry-setup --environment production --check-type all

Exit status 1 when any check fails; warnings are printed but do not fail.
"""

import argparse
import copy
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sentry_sdk
from sentry_sdk.envelope import Envelope, Item, PayloadRef
from sentry_sdk.transport import Transport
from sentry_sdk.types import Event
from sentry_sdk.utils import Dsn

from . import scrubber, sentry
from .sentry import TRANSPORT_QUEUE_SIZE
from .settings import SentrySettings, SettingsError, load_settings

Status = Literal["pass", "warn", "fail"]
CHECK_TYPES = ("config", "security", "connectivity", "performance")
CONNECT_TIMEOUT_SECONDS = 5.0

# The value planted under each shared key case (core/scrubbing_policy.json).
PROBE_VALUE = "probe-value-7f3a 203.0.113.9"
PROBE_DSN = "https://probe@127.0.0.1/0"  # Events never leave: see _KeptEvents.


@dataclass(frozen=True)
class Result:
    check: str
    status: Status
    detail: str


Check = Callable[[SentrySettings], Iterator[Result]]


def check_config(settings: SentrySettings) -> Iterator[Result]:
    if settings.dsn is None:
        status: Status = "warn" if settings.environment == "development" else "fail"
        yield Result("config", status, "SENTRY_DSN is not set: Sentry is disabled")
    else:
        yield Result("config", "pass", "SENTRY_DSN is set and parses")
    yield Result("config", "pass", f"environment {settings.resolved_environment!r}")
    yield Result("config", "pass", f"release {settings.resolved_release!r}")
    yield Result(
        "config",
        "pass",
        f"sample rates: errors {settings.sample_rate}, "
        f"traces {settings.traces_sample_rate}, "
        f"profiles {settings.profiles_sample_rate}",
    )


def check_security(settings: SentrySettings) -> Iterator[Result]:
    production = settings.environment == "production"
    if production and settings.debug:
        yield Result("security", "fail", "SENTRY_DEBUG is on in production")
    if production and settings.sentry_send_default_pii:
        yield Result("security", "fail", "SENTRY_SEND_DEFAULT_PII is on in production")
    if production and settings.include_local_variables:
        yield Result(
            "security",
            "warn",
            "SENTRY_INCLUDE_LOCAL_VARIABLES is on in production (values are scrubbed)",
        )
    if production and settings.dsn and Dsn(settings.dsn).scheme != "https":
        yield Result("security", "fail", "SENTRY_DSN does not use https in production")
    leaked, total = _probe_scrubber(settings)
    if leaked:
        shown = "; ".join(leaked[:5])
        yield Result(
            "security", "fail", f"{len(leaked)} of {total} shared cases leak: {shown}"
        )
    else:
        yield Result(
            "security",
            "pass",
            f"the installed before_send passes all {total} shared cases "
            f"({settings.pii_mode})",
        )


def check_connectivity(settings: SentrySettings) -> Iterator[Result]:
    if settings.dsn is None:
        yield Result("connectivity", "fail", "SENTRY_DSN is not set")
        return
    try:
        status = _send_probe(settings)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        yield Result("connectivity", "fail", f"could not reach Sentry: {reason}")
        return
    if status == 200:
        yield Result("connectivity", "pass", "test envelope accepted (HTTP 200)")
    elif status == 429:
        yield Result("connectivity", "warn", "reachable but rate limited (HTTP 429)")
    else:
        yield Result("connectivity", "fail", f"test envelope refused (HTTP {status})")


def check_performance(settings: SentrySettings) -> Iterator[Result]:
    production = settings.environment == "production"
    if production and settings.traces_sample_rate > 0.2:
        yield Result(
            "performance",
            "warn",
            f"traces sample rate {settings.traces_sample_rate} is high for production",
        )
    if production and settings.sample_rate < 1.0:
        yield Result(
            "performance",
            "warn",
            f"error sample rate {settings.sample_rate} drops errors in production",
        )
    if settings.sentry_max_breadcrumbs > 100:
        yield Result(
            "performance",
            "warn",
            f"SENTRY_MAX_BREADCRUMBS={settings.sentry_max_breadcrumbs} enlarges events",
        )
    milliseconds = _time_scrubber(settings)
    yield Result(
        "performance", "pass", f"scrubbing a typical event takes {milliseconds:.2f} ms"
    )
    yield Result(
        "performance", "pass", f"transport queue holds {TRANSPORT_QUEUE_SIZE} events"
    )


CHECKS: dict[str, Check] = {
    "config": check_config,
    "security": check_security,
    "connectivity": check_connectivity,
    "performance": check_performance,
}


def run_checks(settings: SentrySettings, check_type: str) -> list[Result]:
    names = CHECK_TYPES if check_type == "all" else (check_type,)
    return [result for name in names for result in CHECKS[name](settings)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="validate-sentry-setup", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--environment", choices=("development", "staging", "production")
    )
    parser.add_argument("--check-type", choices=(*CHECK_TYPES, "all"), default="all")
    parser.add_argument("--verbose", action="store_true", help="show passed checks")
    args = parser.parse_args(argv)
    if args.environment:
        os.environ["ENVIRONMENT"] = args.environment
    try:
        settings = load_settings(SentrySettings)
    except SettingsError as error:
        print(f"FAIL  config: {error}")
        return 1
    results = run_checks(settings, args.check_type)
    for result in results:
        if args.verbose or result.status != "pass":
            print(f"{result.status.upper():5} {result.check}: {result.detail}")
    failed = sum(result.status == "fail" for result in results)
    print(f"{len(results)} checks, {failed} failed")
    return 1 if failed else 0


class _KeptEvents(Transport):
    """A transport that keeps the events the SDK would send."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.events: list[Event] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


def _probe_scrubber(settings: SentrySettings) -> tuple[list[str], int]:
    """Run every shared case through the SDK as `init_sentry` sets it up (its real
    before_send), into a transport that keeps the events; return the cases that
    leak, and how many ran."""
    kept = _KeptEvents()
    text_cases = [
        case
        for case in scrubber.POLICY["text_cases"]
        if case["mode"] in ("both", settings.pii_mode)
    ]
    key_cases = scrubber.POLICY["key_cases"]
    sentry.init_sentry(dsn=settings.dsn or PROBE_DSN, transport=kept)
    try:
        for index, case in enumerate(text_cases):
            _probe(f"text-{index}", case["input"], {})
        for index, case in enumerate(key_cases):
            _probe(f"key-{index}", "key case", {case["key"]: PROBE_VALUE})
        sentry_sdk.flush(timeout=5)
    finally:
        sentry.close_sentry()
    sent = {(event.get("tags") or {}).get("probe"): event for event in kept.events}
    leaks = []
    for index, case in enumerate(text_cases):
        message = sent.get(f"text-{index}", {}).get("message")
        if message != case["expected"]:
            leaks.append(f"{case['input']!r} sent as {message!r}")
    for index, case in enumerate(key_cases):
        context = sent.get(f"key-{index}", {}).get("contexts", {}).get("probe", {})
        if context.get(case["key"]) != _expected_probe(case["rule"], settings):
            leaks.append(f"key {case['key']!r} sent as {context.get(case['key'])!r}")
    return leaks, len(text_cases) + len(key_cases)


def _probe(name: str, message: str, context: dict[str, str]) -> None:
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("probe", name)
        scope.set_context("probe", context)
        sentry_sdk.capture_message(message, level="error")


def _expected_probe(rule: str, settings: SentrySettings) -> str:
    """What the probe value under a key case must become."""
    if rule in ("sensitive", "counter"):
        return scrubber.FILTERED
    strict = settings.pii_mode == "strict"
    if strict or (rule == "client_address" and not settings.sentry_send_default_pii):
        return PROBE_VALUE.replace("203.0.113.9", scrubber.FILTERED)
    return PROBE_VALUE


def _probe_event() -> dict[str, Any]:
    """A typical event, for timing."""
    return {
        "message": "card 4111 1111 1111 1111 for probe.user@example.com",
        "request": {
            "url": "https://example.com/login?token=probe-token",
            "data": {"password": "probe-password-1234"},
            "headers": {"X-Api-Key": "probe-api-key-5678"},
        },
        "breadcrumbs": {
            "values": [
                {"message": f"login {i}", "data": {"step": i}} for i in range(20)
            ]
        },
    }


def _time_scrubber(settings: SentrySettings, rounds: int = 50) -> float:
    policy = scrubber.Scrubber(
        settings.pii_mode,
        settings.extra_sensitive_keys,
        settings.sentry_send_default_pii,
    )
    events = [copy.deepcopy(_probe_event()) for _ in range(rounds)]
    started = time.perf_counter()
    for event in events:
        policy.scrub_event(event)
    return (time.perf_counter() - started) * 1000 / rounds


def _send_probe(settings: SentrySettings) -> int:
    """POST one small message envelope to the DSN; return the HTTP status."""
    dsn = Dsn(settings.dsn or "")
    auth = dsn.to_auth(client="validate-sentry-setup/1.0")
    event_id = uuid.uuid4().hex
    envelope = Envelope(headers={"event_id": event_id, "dsn": str(dsn)})
    # The event as it travels: JSON, with the timestamp already a string.
    event = {
        "event_id": event_id,
        "message": "validate-sentry-setup connectivity check",
        "level": "info",
        "platform": "python",
        "environment": settings.resolved_environment,
        "release": settings.resolved_release,
        "timestamp": datetime.now(UTC).isoformat(),
    }
    envelope.add_item(Item(payload=PayloadRef(json=event), type="event"))
    request = urllib.request.Request(
        auth.get_api_url(),
        data=envelope.serialize(),
        headers={
            "Content-Type": "application/x-sentry-envelope",
            "X-Sentry-Auth": auth.to_header(),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT_SECONDS) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


if __name__ == "__main__":
    sys.exit(main())
