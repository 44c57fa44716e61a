"""Benchmark what structured logging and Sentry Logs cost per request.

For each framework it bakes the default project (worker none), syncs it with uv
(``uv sync --no-dev``) and, in one fresh process per scenario, sends --requests GET
/health requests straight to the ASGI application the server runs (``main.app``, or
Django's ``config.asgi.application``: "whole app"), and as many to the logging layer
alone (``core.request_log.RequestLogging`` around an app that answers 200 at once:
"logging layer", the figure that noise from the framework's thread pool does not
blur), with Sentry on (DSN to a local sink answering 200) and the log lines written
to a file, as a server writes them to stdout:

  no line           LOG_LEVEL=WARNING: the request id and context, no line written
  json              LOG_FORMAT=json: one scrubbed JSON line per request
  console           LOG_FORMAT=console: one scrubbed readable line per request
  json+sentry-logs  json, and SENTRY_ENABLE_LOGS=true: each line also a Sentry log

It prints microseconds per request side by side, with the difference to ``no line``
(the cost of writing the line, scrubbing included) and to ``json`` (the cost of Sentry
Logs), and per log call: one structlog line with three fields (one of them a secret),
and ``core.logs.scrub_fields`` alone over the same fields.

Every address is on 127.0.0.1. Needs uv.

Usage: python benchmarks/logging_benchmark.py [--frameworks fastapi ...] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _servers import Sink, dsn_for_port  # noqa: E402

from tests.helpers.combos import AVAILABLE, DEFAULT_SLUG  # noqa: E402

SCENARIOS: dict[str, dict[str, str]] = {
    "no line": {"LOG_LEVEL": "WARNING", "LOG_FORMAT": "json"},
    "json": {"LOG_LEVEL": "INFO", "LOG_FORMAT": "json"},
    "console": {"LOG_LEVEL": "INFO", "LOG_FORMAT": "console"},
    "json+sentry-logs": {
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "SENTRY_ENABLE_LOGS": "true",
    },
}

# Run inside the bake's environment, one process per scenario.
CHILD = textwrap.dedent(
    """
    import asyncio, json, os, sys, time
    import structlog

    slug, framework, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if framework == "django":
        application = __import__(f"{slug}.config.asgi", fromlist=["x"]).application
    else:
        application = __import__(f"{slug}.main", fromlist=["x"]).app
    logs = __import__(f"{slug}.core.logs", fromlist=["x"])
    request_log = __import__(f"{slug}.core.request_log", fromlist=["x"])

    async def bare(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    logged_only = request_log.RequestLogging(bare)  # The layer alone, Sentry on.

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": "/health", "raw_path": b"/health",
        "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }

    def receiver():
        pending = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive():
            if pending:
                return pending.pop()
            await asyncio.Event().wait()  # The client stays; the server cancels this.

        return receive

    async def send(message):
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message

    async def run(app, count):
        for _ in range(count):
            await app(dict(scope), receiver(), send)

    def per_request(app):
        asyncio.run(run(app, max(50, requests // 10)))  # Warm-up.
        started = time.perf_counter()
        asyncio.run(run(app, requests))
        return (time.perf_counter() - started) / requests * 1e6

    per_app = per_request(application)
    per_layer = per_request(logged_only)

    logger = structlog.get_logger("bench")
    fields = {"order_id": 42, "total": 99.5, "note": "password=hunter2 for a@b.co"}
    calls = requests
    started = time.perf_counter()
    for _ in range(calls):
        logger.info("order placed", **fields)
    per_line = (time.perf_counter() - started) / calls * 1e6
    started = time.perf_counter()
    for _ in range(calls):
        logs.scrub_fields({"event": "order placed", **fields})
    per_scrub = (time.perf_counter() - started) / calls * 1e6
    with open(os.environ["BENCH_RESULT"], "w") as result:
        figures = {
            "request": per_app, "layer": per_layer, "line": per_line, "scrub": per_scrub
        }
        json.dump(figures, result)
    """
)


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def bake(framework: str, workdir: Path) -> Path:
    subprocess.run(
        [
            *(sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(workdir)),
            *(str(ROOT), f"framework={framework}", "worker=none", "alerts=none"),
        ],
        check=True,
        capture_output=True,
    )
    project = workdir / DEFAULT_SLUG
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(
        ["uv", "sync", "--locked", "--no-dev", "-q"], cwd=project, check=True, env=env
    )
    return project


def run_scenario(
    project: Path, framework: str, scenario: str, dsn: str, requests: int
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / "result.json"
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "ENVIRONMENT": "staging",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": f"sqlite:///{scratch}/bench.db",
            "SENTRY_DSN": dsn,
            "SENTRY_TRACES_SAMPLE_RATE": "1.0",
            "SENTRY_PROFILES_SAMPLE_RATE": "0",
            "SENTRY_ENABLE_LOGS": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "BENCH_RESULT": str(result),
            **SCENARIOS[scenario],
        }
        with (Path(scratch) / "stdout.log").open("wb") as stdout:
            subprocess.run(
                [
                    *(str(project / ".venv" / "bin" / "python"), "-c", CHILD),
                    *(DEFAULT_SLUG, framework, str(requests)),
                ],
                cwd=scratch,
                env=env,
                stdout=stdout,
                check=True,
            )
        figures: dict[str, float] = json.loads(result.read_text())
        return figures


def logging_rows(framework: str, figures: dict[str, dict[str, float]]) -> list[str]:
    """The side-by-side table of one framework (microseconds, best round)."""
    rows = [
        f"\n{framework}: microseconds per GET /health request (Sentry on), best round",
        f"  {'scenario':<18}{'logging layer':>14}{'vs no line':>11}{'vs json':>9}"
        f"{'whole app':>11}{'vs no line':>11}{'vs json':>9}",
    ]
    for scenario, measured in figures.items():
        cells = [f"  {scenario:<18}"]
        for key, width in (("layer", 14), ("request", 11)):
            value = measured[key]
            base, json_line = figures["no line"][key], figures["json"][key]
            cells.append(
                f"{value:>{width}.0f}{value - base:>+11.0f}{value - json_line:>+9.0f}"
            )
        rows.append("".join(cells))
    rows.append(
        "  per log call: "
        + ", ".join(
            f"{scenario} {measured['line']:.0f} us"
            for scenario, measured in figures.items()
        )
    )
    scrub = statistics_of(figures, "scrub")
    rows.append(f"  scrub_fields over one line's fields alone: {scrub:.0f} us")
    return rows


def statistics_of(figures: dict[str, dict[str, float]], key: str) -> float:
    values = sorted(measured[key] for measured in figures.values())
    return values[len(values) // 2]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--frameworks", nargs="+", default=AVAILABLE["framework"], metavar="NAME"
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3, help="best of N per scenario")
    parser.add_argument("--quick", action="store_true", help="300 requests, 1 round")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    requests, rounds = (300, 1) if args.quick else (args.requests, args.rounds)
    output: list[str] = []
    with tempfile.TemporaryDirectory() as workdir, Sink() as sink:
        dsn = dsn_for_port(sink.port)
        for framework in args.frameworks:
            progress(f"baking and syncing {framework}")
            project = bake(framework, Path(workdir) / framework)
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in SCENARIOS}
            for round_number in range(rounds):  # Interleaved: noise hits all alike.
                for scenario in SCENARIOS:
                    progress(f"{framework}: {scenario}, round {round_number + 1}")
                    runs[scenario].append(
                        run_scenario(project, framework, scenario, dsn, requests)
                    )
            figures = {
                scenario: {key: min(run[key] for run in done) for key in done[0]}
                for scenario, done in runs.items()
            }
            output += logging_rows(framework, figures)
    print("\n".join(output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
