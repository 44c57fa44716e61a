"""Benchmark the generated project's event scrubber against the SDK's EventScrubber.

Builds one realistic, secret-laden error event *through the real sentry_sdk client*
(so it has exactly the shape ``before_send`` receives: serialised, JSON-like
primitives, frame variables as reprs, real source context lines), then, for each PII
mode, times side by side in one run:

  (a) ``sentry_sdk.scrubber.EventScrubber(recursive=True).scrub_event(event)``
  (b) the template's ``scrub_event(event, {})``, configured for the mode

Each timed call gets its own pre-built deep copy, so copying is never timed. It prints
both medians, the fastest run of each, the ratio, the first call of a fresh policy
(nothing remembered yet: no key name classified; the scrubber keeps nothing else
between events), a leak check (how many planted secrets survive in each output; ours
must leak none), and the scrubber's size: its line count and the radon complexity grade
of every function (when radon is installed:
``uv run --with radon python benchmarks/scrubber_benchmark.py``).

Usage: python benchmarks/scrubber_benchmark.py [--runs N]
       [--pii-mode standard|strict|both]
"""

from __future__ import annotations

import argparse
import copy
import gc
import importlib
import importlib.util
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import sentry_sdk
from sentry_sdk.scrubber import EventScrubber
from sentry_sdk.transport import Transport

ROOT = Path(__file__).resolve().parents[1]
SCRUBBER_PATH = (
    ROOT
    / "{{cookiecutter.project_slug}}"
    / "{{cookiecutter.project_slug}}"
    / "core"
    / "scrubber.py"
)

N_FRAMES = 25
N_BREADCRUMBS = 50
N_SPANS = 30

# Secrets planted in the event. Every one must be gone from our output.
SECRETS: list[str] = []
# Only scrubbed in strict mode (phones, IPs in free text).
STRICT_SECRETS: list[str] = []
# Luhn-valid test card numbers, spaced and plain.
CARDS = ["4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005"]
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6"
    "IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePz"
    "NmOkQ9rPk\nq1w2e3r4t5y6u7i8o9p0PEMBODY\n-----END RSA PRIVATE KEY-----"
)


def _plant(value: str, strict_only: bool = False) -> str:
    (STRICT_SECRETS if strict_only else SECRETS).append(value)
    return value


def _plant_parts(*parts: str) -> list[str]:
    """Plant a secret that only exists at run time (never as one literal in source)."""
    _plant("-".join(parts))
    return list(parts)


def _load_scrubber() -> ModuleType:
    """Import the template's scrubber.py straight from its (Jinja-named) path, as a
    module of its core package (it imports the core's scrub_values)."""
    core = SCRUBBER_PATH.parent
    spec = importlib.util.spec_from_file_location(
        "core_under_test", core / "__init__.py", submodule_search_locations=[str(core)]
    )
    assert spec and spec.loader, core
    sys.modules["core_under_test"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules["core_under_test"])
    return importlib.import_module("core_under_test.scrubber")


class _NullTransport(Transport):
    def capture_envelope(self, envelope: Any) -> None:
        pass


class _NoScrubbing(EventScrubber):
    """Keeps the SDK's default scrubber from pre-scrubbing the raw event."""

    def scrub_event(self, event: Any) -> None:
        pass


def _frame_source(i: int) -> str:
    """Source of one generated stack frame with 8-15 locals of mixed types."""
    nxt = f"step_{i + 1:02d}(ctx, depth + 1)" if i + 1 < N_FRAMES else "explode(ctx)"
    lines = [
        f"def step_{i:02d}(ctx, depth):",
        f"    order_id = 'ORD-2024-{i:06d}'",
        f"    amount = {100 + i}.50",
        f"    attempt = {i % 3}",
        "    trace_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f'step{depth}')",
        "    started = datetime.datetime(2024, 1, 15, 10, 30, depth)",
        "    enabled = depth % 2 == 0",
        "    maybe = None",
        f"    route = '/api/v1/orders/{{order_id}}/items/{i}'",
        f"    tags = ['checkout', 'eu-west-1', 'shard-{i}', 'v1.4.{i}']",
        "    customer = Customer(depth)",
    ]
    extras = [
        f"    db_password = 'DbPw-{i}-x9'",
        "    payload = {'user': {'name': 'bob', 'api_key': 'AK-"
        f"{i}-live', 'profile': {{'secret_answer': 'Fluffy-{i}', 'age': 41}}}},"
        " 'items': [{'sku': 'SKU-1', 'qty': 2}, {'sku': 'SKU-2', 'qty': 1}],"
        f" 'meta': {{'request_id': 'req-{i}', 'flags': [True, False]}}}}",
        f"    headers = {{'X-Api-Key': 'XK-{i}-sec', 'Accept': 'application/json',"
        " 'User-Agent': 'acme-client/1.4.2'}",
        f"    note = 'please contact alice.{i}@example.com about the refund'",
        f"    card = 'card {CARDS[i % 3]} declined by issuer'",
        f"    dsn = 'postgres://app:S3cr3t-{i}@db.internal:5432/app'",
        "    blob = b'\\x00\\x01binary'",
        f"    sha = '{i:02d}9f2c1e4b7a8d0f3e6c5b4a39281706f5e4d3c2b1'",
        f"    counter = {{'hits': {i * 10}, 'misses': {i}, 'ratio': 0.{i:02d}}}",
    ]
    for j in range(i % 5):  # 10 + 0..4 locals, more with the extras below
        lines.append(extras[(i + j) % len(extras)])
    if i % 3 == 0:
        lines.append(f"    password = 'Pw-frame-{i}!'")
    lines.append(f"    return {nxt}")
    return "\n".join(lines) + "\n"


def _plant_frame_secrets() -> None:
    for i in range(N_FRAMES):
        for j in range(i % 5):
            k = (i + j) % 9
            planted = {
                0: [f"DbPw-{i}-x9"],
                1: [f"AK-{i}-live", f"Fluffy-{i}"],
                2: [f"XK-{i}-sec"],
                3: [f"alice.{i}@example.com"],
                4: [CARDS[i % 3]],
                5: [f"S3cr3t-{i}"],
            }.get(k, [])
            for value in planted:
                if value not in SECRETS:
                    _plant(value)
        if i % 3 == 0:
            _plant(f"Pw-frame-{i}!")


def _write_frames_module(directory: Path) -> ModuleType:
    source = [
        "import datetime",
        "import uuid",
        "",
        "",
        "class Customer:",
        "    def __init__(self, n):",
        "        self.n = n",
        "",
        "    def __repr__(self):",
        "        return f'<Customer id={self.n} tier=gold>'",
        "",
        "",
        "def explode(ctx):",
        "    token = ctx['token']",
        f"    email = {_plant('bob.payer@example.com')!r}",
        "    raise ValueError(",
        "        f'payment failed for {email} with card"
        f" {_plant('4012 8888 8888 1881')} (token={{token}})'",
        "    )",
        "",
        "",
    ]
    for i in range(N_FRAMES):
        source.append(_frame_source(i))
        source.append("")
    path = directory / "bench_frames.py"
    path.write_text("\n".join(source))
    spec = importlib.util.spec_from_file_location("bench_frames", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_frames"] = module
    spec.loader.exec_module(module)
    return module


def _request() -> dict[str, Any]:
    session = _plant("sess-8f7a6b5c4d3e2f1a")
    return {
        "method": "POST",
        "url": "https://api.example.com/api/v1/orders/ORD-2024-000123/pay"
        f"?page=2&access_token={_plant('URL-TOKEN-77aa')}",
        "query_string": f"page=2&sort=desc&api_key={_plant('QS-KEY-99bb')}",
        "headers": {
            "Host": "api.example.com",
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {_plant(JWT)}",
            "X-Api-Key": _plant("hdr-api-key-5566"),
            "Cookie": f"sessionid={session}; theme=dark",
            "X-Forwarded-For": _plant("198.51.100.23"),
            "X-Request-Id": "3f2b8c1e-9d4a-4b7e-8f6a-1c2d3e4f5a6b",
            "Referer": "https://shop.example.com/checkout?step=3&"
            f"reset_token={_plant('RESET-abc123')}",
        },
        "cookies": {
            "sessionid": session,
            "csrftoken": _plant("csrf-0a1b2c3d4e"),
            "theme": "dark",
        },
        "data": {
            "username": "bob",
            "password": _plant("BodyPw-hunter2"),
            "card_number": _plant("4242424242424242"),
            "billing": {
                "cvv": _plant("737"),
                "address": "1 Infinite Loop",
                "note": f"ssn {_plant('123-45-6789')} on file, call"
                f" {_plant('+1 415-555-0132', strict_only=True)}",
            },
            "items": [{"sku": "SKU-1", "qty": 2, "price": "19.99"}] * 3,
        },
        "env": {"REMOTE_ADDR": _plant("203.0.113.9"), "SERVER_NAME": "api-1"},
    }


def _add_breadcrumb(n: int, secret: bool) -> None:
    kind = n % 5
    if kind == 0:
        query = f"apikey={_plant(f'BC-KEY-{n}')}" if secret else "page=2&sort=asc"
        sentry_sdk.add_breadcrumb(
            category="httplib",
            type="http",
            data={
                "url": "https://payments.example.com/v1/charges",
                "http.method": "POST",
                "http.query": query,
                "status_code": 200,
            },
        )
    elif kind == 1:
        sentry_sdk.add_breadcrumb(
            category="query",
            message="SELECT id, email FROM users WHERE id = %s",
            data={"db.params": [n], "duration_ms": 3.2},
        )
    elif kind == 2:
        who = _plant(f"user{n}@example.com") if secret else f"user {n}"
        sentry_sdk.add_breadcrumb(
            category="auth", message=f"login ok for {who}", level="info"
        )
    elif kind == 3:
        with_what = _plant(JWT) if secret else "a refresh token (rotated)"
        sentry_sdk.add_breadcrumb(
            category="log",
            message=f"refreshing session with {with_what}",
            data={"logger": "acme.auth", "attempt": n},
        )
    else:
        sentry_sdk.add_breadcrumb(
            category="navigation",
            message=f"GET /api/v1/orders/ORD-2024-{n:06d} took 12.5ms",
            data={"from": "/cart", "to": "/checkout"},
        )


def _add_span(n: int, secret: bool) -> None:
    kind = n % 3
    if kind == 0:
        if secret:
            password = _plant(f"SpanPw-{n}")
            query = f"UPDATE users SET password = '{password}' WHERE id = 7"
        else:
            query = "SELECT id, total, status FROM orders WHERE customer_id = %s"
        with sentry_sdk.start_span(op="db", name=query) as span:
            span.set_data("db.system", "postgresql")
            params = {"token": _plant(f"ST-{n}")} if secret else {"id": n}
            span.set_data("db.params", params)
    elif kind == 1:
        creds = f"api:{_plant(f'HttpPw{n}')}@" if secret else ""
        with sentry_sdk.start_span(
            op="http.client", name=f"POST https://{creds}billing.example.com/charge"
        ) as span:
            span.set_data("http.response.status_code", 201)
            span.set_data("url", "https://billing.example.com/charge")
    else:
        with sentry_sdk.start_span(op="cache.get", name=f"cache:orders:{n}") as span:
            span.set_data("cache.key", [f"orders:{n}"])
            span.set_data("cache.hit", n % 2 == 0)


def build_event(dense: bool = False) -> dict[str, Any]:
    """Produce one serialised error event (plus a transaction's spans) via the SDK.

    By default about a third of the breadcrumbs and a fifth of the spans carry a
    secret; ``dense`` plants one in every breadcrumb and span (worst case for a
    scrubber that replaces values, free for one that only looks at keys).
    """
    captured: dict[str, dict[str, Any]] = {}

    def grab(event: dict[str, Any], hint: dict[str, Any]) -> None:
        captured[event.get("type") or "error"] = copy.deepcopy(event)
        return None

    with tempfile.TemporaryDirectory() as tmp:
        frames = _write_frames_module(Path(tmp))
        _plant_frame_secrets()
        sentry_sdk.init(
            dsn="http://public@127.0.0.1:9/1",
            transport=_NullTransport,
            before_send=grab,
            before_send_transaction=grab,
            default_integrations=False,
            traces_sample_rate=1.0,
            max_breadcrumbs=100,
            include_local_variables=True,
            release="acme_service@0.1.0+abc1234",
            event_scrubber=_NoScrubbing(),
        )
        request = _request()
        with sentry_sdk.isolation_scope() as scope:
            scope.add_event_processor(lambda e, h: {**e, "request": request})
            scope.set_user(
                {
                    "id": "42",
                    "username": "bob",
                    "email": "bob@example.com",
                    "ip_address": _plant("192.0.2.44"),
                    "phone": _plant("+44 20 7946 0958"),
                    "address": {"street": _plant("221B Baker Street")},
                }
            )
            scope.set_tag("customer_email", _plant("carol@example.org"))
            scope.set_tag("region", "eu-west-1")
            scope.set_tag("order", "ORD-2024-000123")
            scope.set_context(
                "payment",
                {
                    "provider": "stripe",
                    "stripe_secret_key": _plant("sk_live_51Hxyz"),
                    "amount": "100.50",
                    "callback": "https://hooks.example.com/cb?"
                    f"signature_token={_plant('SIG-TOK-3344')}",
                },
            )
            scope.set_context(
                "db",
                {
                    "url": f"postgresql://svc:{_plant('DBURLPASS')}@db.internal/app",
                    "pool_size": 10,
                },
            )
            scope.set_extra("private_key_pem", _plant(PEM))
            scope.set_extra("tls_material", "loaded " + PEM)
            scope.set_extra(
                "sys.argv", ["app", f"--password={_plant('ARGV-PW-1')}", "--debug"]
            )
            scope.set_extra("settings", {"DEBUG": False, "SECRET_KEY": _plant("sk-1")})
            for n in range(N_BREADCRUMBS):
                _add_breadcrumb(n, secret=dense or n % 10 in (0, 3, 7))
            with sentry_sdk.start_transaction(
                name="/api/v1/orders/{order_id}/pay", op="http.server"
            ) as tx:
                for n in range(N_SPANS):
                    _add_span(n, secret=dense or n % 10 in (0, 5))
                try:
                    token = "-".join(_plant_parts("CTX", "TOKEN", "123456"))
                    frames.step_00({"token": token}, 0)
                except ValueError:
                    sentry_sdk.capture_exception()
                tx.set_status("ok")
        sentry_sdk.get_client().close()
        sys.modules.pop("bench_frames", None)
    event = captured["error"]
    # One event carrying everything: the transaction's spans travel with the error.
    event["spans"] = captured["transaction"]["spans"]
    return event


def _leaks(event: Any, secrets: list[str]) -> list[str]:
    text = json.dumps(event, default=repr)
    # Secrets are compared the way they appear in JSON (escaped newlines in PEM).
    found = []
    for secret in secrets:
        escaped = re.escape(json.dumps(secret)[1:-1])
        if re.search(rf"(?<![0-9A-Za-z]){escaped}(?![0-9A-Za-z])", text):
            found.append(secret)
    return found


def _stats(event: dict[str, Any]) -> str:
    strings = dicts = 0
    stack: list[Any] = [event]
    while stack:
        obj = stack.pop()
        if isinstance(obj, dict):
            dicts += 1
            stack.extend(obj.values())
        elif isinstance(obj, list):
            stack.extend(obj)
        elif isinstance(obj, str):
            strings += 1
    size = len(json.dumps(event, default=repr))
    return f"{dicts} dicts, {strings} strings, {size / 1024:.0f} KiB JSON"


def measure(scrubber: ModuleType, event: dict[str, Any], mode: str, runs: int) -> bool:
    """Time both scrubbers on `event` in `mode`; print the figures; True if ours
    leaked nothing."""
    scrubber.configure(pii_mode=mode)
    expected = SECRETS + (STRICT_SECRETS if mode == "strict" else [])
    sdk = EventScrubber(recursive=True)
    theirs_out = copy.deepcopy(event)
    sdk.scrub_event(theirs_out)
    t0 = time.perf_counter()
    ours_out = scrubber.scrub_event(copy.deepcopy(event), {})
    cold = time.perf_counter() - t0

    print(f"[{mode}] pre-building {2 * runs} deep copies ...", flush=True)
    theirs_copies = [copy.deepcopy(event) for _ in range(runs)]
    ours_copies = [copy.deepcopy(event) for _ in range(runs)]
    print(f"[{mode}] timing {runs} runs each, interleaved ...", flush=True)
    theirs_t: list[float] = []
    ours_t: list[float] = []
    gc.disable()
    try:
        for i in range(runs):
            t0 = time.perf_counter()
            sdk.scrub_event(theirs_copies[i])
            theirs_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            scrubber.scrub_event(ours_copies[i], {})
            ours_t.append(time.perf_counter() - t0)
            if (i + 1) % max(1, runs // 5) == 0:
                print(f"  {i + 1}/{runs}", flush=True)
    finally:
        gc.enable()

    theirs_med = statistics.median(theirs_t) * 1e3
    ours_med = statistics.median(ours_t) * 1e3
    theirs_leaks = _leaks(theirs_out, expected)
    ours_leaks = _leaks(ours_out, expected)
    print()
    print(f"pii_mode={mode}, runs={runs}")
    theirs_best, ours_best = min(theirs_t) * 1e3, min(ours_t) * 1e3
    print(f"EventScrubber(recursive=True): median {theirs_med:.3f} ms")
    print(f"scrub_event (ours):            median {ours_med:.3f} ms")
    # On a shared machine the median of the longer run suffers more from other
    # processes; the fastest run of each is the figure least touched by them.
    print(
        f"fastest run, theirs / ours:    {theirs_best:.3f} / {ours_best:.3f} ms"
        f" ({ours_best / theirs_best:.2f}x)"
    )
    print(f"  first call, nothing remembered: {cold * 1e3:.3f} ms")
    print(
        f"ratio ours/EventScrubber:      {ours_med / theirs_med:.2f}x (target <= 1.00x)"
    )
    print(f"planted secrets:               {len(expected)}")
    print(f"leaked by EventScrubber:       {len(theirs_leaks)}")
    print(f"leaked by ours:                {len(ours_leaks)}")
    for leak in ours_leaks:
        print(f"  LEAK: {leak!r}")
    print()
    return not ours_leaks


def _blocks(blocks: list[Any]) -> list[Any]:
    """Classes, functions, methods and nested functions, as `radon cc -s` lists them."""
    found = []
    for block in blocks:
        found.append(block)
        found += _blocks(
            [*getattr(block, "methods", []), *getattr(block, "closures", [])]
        )
    return found


def print_size() -> None:
    """The scrubber's line count and, with radon installed, every function's grade."""
    lines = len(SCRUBBER_PATH.read_text(encoding="utf-8").splitlines())
    print(f"core/scrubber.py: {lines} lines (target <= 400)")
    try:
        from radon.complexity import cc_rank, cc_visit
    except ImportError:
        print("radon is not installed: no complexity grades")
        return
    grades: dict[str, list[str]] = {}
    blocks = _blocks(cc_visit(SCRUBBER_PATH.read_text(encoding="utf-8")))
    for block in {(b.fullname, b.lineno): b for b in blocks}.values():
        grades.setdefault(cc_rank(block.complexity), []).append(
            f"{block.fullname} {block.complexity}"
        )
    worst = max(grades)
    counts = ", ".join(f"{grade}: {len(n)}" for grade, n in sorted(grades.items()))
    print(f"radon grades: {counts}")
    print(f"worst grade:  {worst} (target <= B): {'; '.join(grades[worst])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--pii-mode", choices=["standard", "strict", "both"], default="both"
    )
    parser.add_argument(
        "--dense", action="store_true", help="a secret in every breadcrumb and span"
    )
    args = parser.parse_args()

    print(f"loading {SCRUBBER_PATH.relative_to(ROOT)}", flush=True)
    scrubber = _load_scrubber()
    print("building the event through sentry_sdk ...", flush=True)
    event = build_event(dense=args.dense)
    print(f"event: {_stats(event)}", flush=True)
    modes = ["standard", "strict"] if args.pii_mode == "both" else [args.pii_mode]
    clean = [measure(scrubber, event, mode, args.runs) for mode in modes]
    print_size()
    return 0 if all(clean) else 1


if __name__ == "__main__":
    sys.exit(main())
