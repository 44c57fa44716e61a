"""Benchmark a baked service's request overhead with Sentry on, off and unreachable.

For each framework it bakes the default project (worker none), syncs it with uv
(``uv sync --no-dev``, as the production image does) and runs it bare-metal with the
CMD of its Dockerfile's ``production`` stage, listening on 127.0.0.1 and a free port,
with ENVIRONMENT=staging (production answers 404 on the test-error endpoint).

wrk then drives an authenticated, database-reading request (GET /api/v1/auth/me with
a bearer token; for starlette-graphql POST /graphql ``{ me { id } }``) under:

  off          SENTRY_DSN empty
  floor        the SDK floor: a plain sentry_sdk.init(dsn, traces_sample_rate=0.1)
               with the SDK's defaults in every process (plain_init/), DSN to
               the sink
  on           the template: SENTRY_TRACES_SAMPLE_RATE=0.1, DSN to a local sink
               answering 200
  on-no-logs   the template without Sentry Logs (SENTRY_ENABLE_LOGS=false, the
               production default; staging sends each request's log line): what
               the template costs with the floor's features, DSN to the sink
  closed-port  DSN to a closed port on 127.0.0.1
  black-hole   DSN to a server that accepts and reads but never answers
  slow         DSN to a server that answers after --slow-delay seconds

and prints requests/s, p50/p99 latency, service CPU per request and client errors
side by side, with ratios and deltas against ``off`` (and the template against the
floor). ``errors`` then sends --error-requests failing requests one after another
(POST /api/v1/test/error, staging presets: local variables on) with Sentry off, at
the floor and on, and prints the service CPU per failing request of each: on minus
off is what the SDK costs per error. A ``burst`` then sends --burst-requests failing
requests (POST /api/v1/test/error, 500 answers expected) with Sentry on, and reports
how long they took, whether GET /health still answers 200, how many error events
reached the sink and the transport queue size the service runs with.

Every address is on 127.0.0.1. Needs wrk (apt-get install -y wrk) and uv.

Usage: python benchmarks/service_benchmark.py [--frameworks fastapi ...] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # The template's test helpers (free ports, uv env).

from _servers import HOST, BlackHole, Sink, SlowServer, Tally, dsn_for_port  # noqa: E402

from tests.e2e.client import LOGIN, REGISTER  # noqa: E402
from tests.helpers.combos import AVAILABLE, DEFAULT_SLUG  # noqa: E402
from tests.helpers.compose import (  # noqa: E402
    listen_on,
    migration_command,
    production_build_steps,
    production_command,
)
from tests.helpers.net import free_port, wait_http  # noqa: E402
from tests.helpers.project import project_env  # noqa: E402

SCENARIOS = ("off", "floor", "on", "on-no-logs", "closed-port", "black-hole", "slow")
# What a scenario sets in the service's environment beyond its DSN.
SCENARIO_ENV = {"on-no-logs": {"SENTRY_ENABLE_LOGS": "false"}}
# Scenarios whose service starts Sentry with a plain init (the SDK floor).
PLAIN = frozenset({"floor"})
PLAIN_INIT = Path(__file__).resolve().parent / "plain_init"
OUTAGES = ("closed-port", "black-hole", "slow")
OFF_CPU_GOAL = 1.25  # The template's CPU per request at most this times off's.
TRACES_SAMPLE_RATE = "0.1"
# Profiling is decided once per process at random: off, so runs stay comparable.
PROFILES_SAMPLE_RATE = "0"
THROUGHPUT_GOAL = 0.9
ERROR_PATH = "/api/v1/test/error"
GRAPHQL_ME = "{ me { id } }"
USER = {
    "username": "bench_user",
    "email": "bench.user@example.com",
    "password": "Bench-Passw0rd-1",
}
# wrk prints this line from the Lua `done` hook: figures without scraping its text.
WRK_MARK = "WRK_RESULT "
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    "WRK_RESULT ", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

STARTED = time.monotonic()


class BenchmarkError(Exception):
    """Something the benchmark needs is missing or broke: one line for the user."""


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f}s] {message}", flush=True)


# --- processes -----------------------------------------------------------------


class Processes:
    """Every process started, each in its own process group, stopped on exit."""

    def __init__(self) -> None:
        self._running: list[subprocess.Popen[bytes]] = []

    def start(
        self, cmd: list[str], cwd: Path, env: dict[str, str], log: Path
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Its own group: stopped with its children.
            )
        self._running.append(process)
        return process

    def run(
        self, cmd: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float
    ) -> None:
        """Run to completion; raise BenchmarkError with the log's tail on failure."""
        process = self.start(cmd, cwd, env, log)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchmarkError(
                f"`{' '.join(cmd)}` took over {timeout:.0f} s"
            ) from None
        finally:
            self.stop(process)
        if code != 0:
            raise BenchmarkError(f"`{' '.join(cmd)}` exited {code}:\n{tail(log)}")

    def stop(self, process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
        """SIGTERM the group (a graceful shutdown flushes Sentry), SIGKILL what is
        left of it after ``grace`` seconds."""
        if process in self._running:
            self._running.remove(process)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in list(self._running):
            self.stop(process, grace=5.0)


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the live processes of a group.

    Unlike requests/s it barely depends on what else the machine runs, so it tells
    Sentry's cost per request apart from a busy neighbour. Linux /proc only."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The fields after "(comm)": state is field 3, pgrp 5, utime 14, stime 15.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # The process ended meanwhile.
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def tail(log: Path, size: int = 3000) -> str:
    if not log.exists():
        return ""
    return log.read_text(encoding="utf-8", errors="replace")[-size:]


# --- the baked project ------------------------------------------------------------


def bake(framework: str, workdir: Path, processes: Processes) -> Path:
    """Bake the framework's default project with the cookiecutter CLI."""
    out = workdir / framework
    out.mkdir()
    config = workdir / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {workdir / 'cc'}\nreplay_dir: {workdir / 'replay'}\n",
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "cookiecutter", "--no-input"]
    cmd += ["--config-file", str(config), "-o", str(out), str(ROOT)]
    cmd += [f"framework={framework}"]
    processes.run(cmd, ROOT, dict(os.environ), workdir / f"{framework}-bake.log", 300)
    return out / DEFAULT_SLUG


def uv_sync(project: Path, processes: Processes) -> None:
    """The runtime dependencies only, as the production image installs them."""
    uv = shutil.which("uv")
    if uv is None:
        raise BenchmarkError("uv is not installed (pip install uv)")
    log = project.parent / "uv-sync.log"
    command = [uv, "sync", "--locked", "--no-dev"]
    processes.run(command, project, project_env(), log, 900)


# --- the running service -----------------------------------------------------------


@dataclass
class Project:
    framework: str
    path: Path
    workdir: Path
    command: list[str]
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    registered: bool = False

    @property
    def graphql(self) -> bool:
        return self.framework == "starlette-graphql"

    @property
    def python(self) -> Path:
        return self.path / ".venv" / "bin" / "python"

    def env(
        self, dsn: str, plain: bool = False, extra: dict[str, str] | None = None
    ) -> dict[str, str]:
        """The service's environment reporting to ``dsn``: through the template's
        set-up, or with ``plain`` through plain_init/sitecustomize.py; then
        ``extra``."""
        venv = self.path / ".venv"
        env = project_env(
            ENVIRONMENT="staging",
            SENTRY_DSN="" if plain else dsn,
            PLAIN_SENTRY_DSN=dsn if plain else "",
            PLAIN_TRACES_SAMPLE_RATE=TRACES_SAMPLE_RATE,
            PYTHONPATH=str(PLAIN_INIT) if plain else "",
            SENTRY_TRACES_SAMPLE_RATE=TRACES_SAMPLE_RATE,
            SENTRY_PROFILES_SAMPLE_RATE=PROFILES_SAMPLE_RATE,
            SECRET_KEY=self.secret_key,
            DATABASE_URL=f"sqlite:///{self.workdir / 'bench.db'}",
            VIRTUAL_ENV=str(venv),
            PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            PYTHONUNBUFFERED="1",
        )
        if self.framework == "django":
            env.update(
                DJANGO_SETTINGS_MODULE=f"{DEFAULT_SLUG}.config.settings.production",
                DJANGO_SECURE_SSL_REDIRECT="false",
                DJANGO_ALLOWED_HOSTS=HOST,
            )
        return env | (extra or {})


@dataclass
class Service:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path
    token: str = ""


def prepare(framework: str, workdir: Path, processes: Processes) -> Project:
    progress(f"{framework}: baking the default project")
    path = bake(framework, workdir, processes)
    progress(f"{framework}: uv sync --no-dev")
    uv_sync(path, processes)
    command = production_command(path)
    project = Project(framework, path, workdir / framework, command)
    progress(f"{framework}: production CMD: {' '.join(command)}")
    # As the image and the production compose file do before the app starts.
    for number, step in enumerate(production_build_steps(path), 1):
        progress(f"{framework}: image build step: {' '.join(step.command)}")
        env = {**project.env(""), **step.env}
        processes.run(step.command, path, env, workdir / f"build-{number}.log", 300)
    migrate = migration_command(path)
    progress(f"{framework}: {' '.join(migrate)}")
    processes.run(migrate, path, project.env(""), workdir / "migrate.log", 300)
    return project


def start(
    project: Project,
    dsn: str,
    label: str,
    processes: Processes,
    plain: bool = False,
    extra_env: dict[str, str] | None = None,
) -> Service:
    """The production CMD on a free port; with ``plain``, Sentry's plain init."""
    port = free_port(HOST)
    command = listen_on(project.command, HOST, port)
    log = project.workdir / f"service-{label}.log"
    env = project.env(dsn, plain, extra_env)
    process = processes.start(command, project.path, env, log)
    base_url = f"http://{HOST}:{port}"
    try:
        status = wait_http(
            f"{base_url}/health", 120, alive=lambda: process.poll() is None
        )
    except (TimeoutError, RuntimeError) as error:
        raise BenchmarkError(
            f"the service did not start: {error}\n{tail(log)}"
        ) from None
    if status != 200:
        raise BenchmarkError(f"GET /health answered {status}\n{tail(log)}")
    service = Service(base_url, process, log)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        service.token = sign_in(client, project)
        check_request(client, project, service.token)
    return service


def graphql(
    client: httpx.Client, query: str, variables: dict[str, Any], token: str = ""
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body = response.json() if response.status_code == 200 else {}
    if response.status_code != 200 or body.get("errors"):
        raise BenchmarkError(f"POST /graphql: {response.status_code} {response.text}")
    return dict(body["data"])


def sign_in(client: httpx.Client, project: Project) -> str:
    """Register the benchmark user (once per project), log in, return the token."""
    credentials = {"username": USER["username"], "password": USER["password"]}
    if project.graphql:
        if not project.registered:
            graphql(client, REGISTER, USER)
            project.registered = True
        return str(graphql(client, LOGIN, credentials)["login"]["accessToken"])
    if not project.registered:
        response = client.post("/api/v1/auth/register", json=USER)
        if response.status_code != 201:
            raise BenchmarkError(f"register: {response.status_code} {response.text}")
        project.registered = True
    response = client.post("/api/v1/auth/login", json=credentials)
    if response.status_code != 200:
        raise BenchmarkError(f"login: {response.status_code} {response.text}")
    return str(response.json()["access_token"])


def check_request(client: httpx.Client, project: Project, token: str) -> None:
    """Make the benchmarked request once and check it really succeeds (wrk only
    sees status codes; a GraphQL error answers 200)."""
    if project.graphql:
        me = graphql(client, GRAPHQL_ME, {}, token)["me"]
    else:
        response = client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code != 200:
            raise BenchmarkError(f"GET /api/v1/auth/me: {response.status_code}")
        me = response.json()
    if not me.get("id"):
        raise BenchmarkError(f"the benchmarked request returned no user: {me}")


# --- wrk -------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def lua_string(value: str) -> str:
    """A Lua long-bracket literal (no escaping needed)."""
    return f"[==[{value}]==]"


def wrk_script(project: Project, token: str) -> str:
    lines = [f'wrk.headers["Authorization"] = {lua_string("Bearer " + token)}']
    if project.graphql:
        body = json.dumps({"query": GRAPHQL_ME})
        lines += [
            'wrk.method = "POST"',
            f"wrk.body = {lua_string(body)}",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    return "\n".join(lines) + "\n" + WRK_DONE


def wrk_path(project: Project) -> str:
    return "/graphql" if project.graphql else "/api/v1/auth/me"


def run_wrk(
    service: Service,
    project: Project,
    seconds: int,
    args: argparse.Namespace,
    processes: Processes,
) -> WrkResult:
    script = project.workdir / "request.lua"
    script.write_text(wrk_script(project, service.token), encoding="utf-8")
    log = project.workdir / "wrk.out"
    log.write_bytes(b"")
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s"]
    cmd += ["--timeout", f"{args.wrk_timeout}s", "-s", str(script)]
    cmd.append(service.base_url + wrk_path(project))
    processes.run(cmd, project.workdir, dict(os.environ), log, seconds + 60)
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.startswith(WRK_MARK):
            data = json.loads(line[len(WRK_MARK) :])
            errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
            return WrkResult(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1e3,
                p99_ms=data["p99_us"] / 1e3,
                non_2xx=data["status"],
                socket_errors=errors,
            )
    raise BenchmarkError(f"wrk printed no result:\n{tail(log)}")


# --- scenarios -------------------------------------------------------------------


@dataclass
class Targets:
    """Where each scenario's DSN points."""

    sink: Sink
    black_hole: BlackHole
    slow: SlowServer
    closed_port: int

    def dsn(self, scenario: str) -> str:
        return {
            "off": "",
            "floor": self.sink.dsn,
            "on": self.sink.dsn,
            "on-no-logs": self.sink.dsn,
            "closed-port": dsn_for_port(self.closed_port),
            "black-hole": self.black_hole.dsn,
            "slow": self.slow.dsn,
        }[scenario]

    def tally(self, scenario: str) -> Tally | None:
        return {
            "floor": self.sink.tally,
            "on": self.sink.tally,
            "on-no-logs": self.sink.tally,
            "black-hole": self.black_hole.tally,
            "slow": self.slow.tally,
        }.get(scenario)


@contextmanager
def targets(slow_delay: float) -> Iterator[Targets]:
    with Sink() as sink, BlackHole() as black_hole, SlowServer(slow_delay) as slow:
        # Nothing listens there: the port was free a moment ago and stays unbound.
        yield Targets(sink, black_hole, slow, free_port(HOST))


@dataclass
class Measured:
    result: WrkResult
    cpu_ms: float  # Service CPU time per request.
    received: str  # What the DSN's server got, for the table.


def received(scenario: str, tally: Tally | None) -> str:
    if tally is None:
        return "-"
    seen = tally.snapshot()
    if scenario == "black-hole":
        return f"{seen['requests']} conn"
    items = seen["items"]
    return f"{seen['requests']} env ({items.get('transaction', 0)} tx)"


def measure(
    project: Project,
    scenario: str,
    where: Targets,
    args: argparse.Namespace,
    processes: Processes,
) -> Measured:
    tally = where.tally(scenario)
    if tally is not None:
        tally.reset()
    progress(f"{project.framework}/{scenario}: starting the service")
    service = start(
        project,
        where.dsn(scenario),
        scenario,
        processes,
        scenario in PLAIN,
        SCENARIO_ENV.get(scenario),
    )
    try:
        progress(f"{project.framework}/{scenario}: warm-up {args.warmup:g} s")
        run_wrk(service, project, args.warmup, args, processes)
        progress(f"{project.framework}/{scenario}: wrk {args.duration:g} s")
        cpu_before = group_cpu_seconds(service.process.pid)
        result = run_wrk(service, project, args.duration, args, processes)
        cpu = group_cpu_seconds(service.process.pid) - cpu_before
    finally:
        processes.stop(service.process)
    cpu_ms = cpu * 1e3 / result.requests if result.requests else 0.0
    progress(
        f"{project.framework}/{scenario}: {result.rps:.1f} req/s, "
        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"non-2xx {result.non_2xx}, socket errors {result.socket_errors}, "
        f"service CPU {cpu_ms:.2f} ms/request"
    )
    return Measured(result, cpu_ms, received(scenario, tally))


@dataclass
class Row:
    scenario: str
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    cpu_ms: float
    received: str

    @property
    def client_errors(self) -> int:
        return self.non_2xx + self.socket_errors


def combine(scenario: str, runs: list[Measured]) -> Row:
    """Medians over the rounds; errors summed."""
    results = [run.result for run in runs]
    return Row(
        scenario=scenario,
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        non_2xx=sum(r.non_2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        cpu_ms=statistics.median(run.cpu_ms for run in runs),
        received=" / ".join(run.received for run in runs),
    )


def percent(value: float, base: float) -> str:
    return f"{(value / base - 1) * 100:+.0f}%" if base else "n/a"


def print_table(
    project: Project, rows: dict[str, Row], args: argparse.Namespace
) -> None:
    off = rows["off"]
    method = "POST" if project.graphql else "GET"
    print()
    print(
        f"{project.framework}: {method} {wrk_path(project)} | {args.duration:g} s x "
        f"{args.rounds} round(s), {args.connections} connections, "
        f"{args.threads} wrk thread(s), traces {TRACES_SAMPLE_RATE}"
    )
    header = (
        f"{'scenario':<12} {'req/s':>7} {'x off':>6} {'p50 ms':>7} {'d p50':>14} "
        f"{'p99 ms':>7} {'d p99':>15} {'non-2xx':>7} {'sock err':>8} "
        f"{'CPU ms/req':>10} {'x off':>6}  DSN server got"
    )
    print(header)
    print("-" * len(header))
    for scenario in args.scenarios:
        row = rows[scenario]
        cpu_ratio = row.cpu_ms / off.cpu_ms if off.cpu_ms else 0.0
        d50 = f"{row.p50_ms - off.p50_ms:+.1f} ({percent(row.p50_ms, off.p50_ms)})"
        d99 = f"{row.p99_ms - off.p99_ms:+.1f} ({percent(row.p99_ms, off.p99_ms)})"
        print(
            f"{scenario:<12} {row.rps:>7.1f} {row.rps / off.rps:>5.2f}x "
            f"{row.p50_ms:>7.1f} {d50:>14} {row.p99_ms:>7.1f} {d99:>15} "
            f"{row.non_2xx:>7} {row.socket_errors:>8} {row.cpu_ms:>10.2f} "
            f"{cpu_ratio:>5.2f}x  {row.received}"
        )


def floor_verdicts(name: str, template: Row, floor: Row, off: Row) -> list[str]:
    """The template (scenario ``name``) against the SDK floor, and against the goal
    of at most OFF_CPU_GOAL times off's CPU per request."""
    x_off = template.cpu_ms / off.cpu_ms
    return [
        f"{name} vs the SDK floor: CPU per request {template.cpu_ms:.3f} vs "
        f"{floor.cpu_ms:.3f} ms ({template.cpu_ms / floor.cpu_ms:.2f}x), "
        f"x off {x_off:.2f} vs {floor.cpu_ms / off.cpu_ms:.2f}; "
        f"throughput x off {template.rps / off.rps:.2f} vs {floor.rps / off.rps:.2f}"
        f" -> at or below the floor: "
        f"{'met' if template.cpu_ms <= floor.cpu_ms else 'NOT met'}",
        f"{name} CPU per request <= {OFF_CPU_GOAL}x off's: {x_off:.2f}x -> "
        f"{'met' if x_off <= OFF_CPU_GOAL else 'NOT met'}",
    ]


def verdicts(rows: dict[str, Row], tolerance: float) -> list[str]:
    """One line per goal: figures, then met / NOT met."""
    off, on = rows["off"], rows.get("on")
    lines = []
    if on is not None:
        ratio = on.rps / off.rps
        met = ratio >= THROUGHPUT_GOAL and on.client_errors == 0
        cpu = f"{on.cpu_ms / off.cpu_ms:.2f}x" if off.cpu_ms else "n/a"
        lines.append(
            f"on >= {THROUGHPUT_GOAL}x off throughput: {ratio:.2f}x, "
            f"{on.client_errors} client errors (service CPU per request {cpu} off's) "
            f"-> {'met' if met else 'NOT met'}"
        )
    floor = rows.get("floor")
    for name in ("on", "on-no-logs"):
        template = rows.get(name)
        if template is not None and floor is not None and off.cpu_ms and floor.cpu_ms:
            lines += floor_verdicts(name, template, floor, off)
    for scenario in OUTAGES:
        if scenario not in rows or on is None:
            continue
        row = rows[scenario]
        # Against `on`: the only difference is whether the DSN's server is healthy.
        unchanged = row.p50_ms <= on.p50_ms * (
            1 + tolerance
        ) and row.p99_ms <= on.p99_ms * (1 + tolerance)
        met = unchanged and row.client_errors == 0
        lines.append(
            f"{scenario}: latency unchanged (p50/p99 within {tolerance:.0%} of on) "
            f"and zero client errors: p50 {percent(row.p50_ms, on.p50_ms)} / "
            f"p99 {percent(row.p99_ms, on.p99_ms)} vs on "
            f"({percent(row.p50_ms, off.p50_ms)} / {percent(row.p99_ms, off.p99_ms)}"
            f" vs off), {row.client_errors} client errors "
            f"-> {'met' if met else 'NOT met'}"
        )
    return lines


# --- burst -----------------------------------------------------------------------


@dataclass
class BurstReport:
    requests: int
    concurrency: int
    seconds: float
    statuses: Counter[str]
    health_after: int
    events_running: int
    settle_seconds: float
    after_shutdown: dict[str, Any]
    queue_size: str


async def fire(base_url: str, count: int, concurrency: int) -> Counter[str]:
    """``count`` failing requests, ``concurrency`` at a time; answers by status."""
    statuses: Counter[str] = Counter()
    gate = asyncio.Semaphore(concurrency)
    # A connection per request: uvicorn closes the connection after an unhandled
    # error, and a kept-alive one reused meanwhile fails (ReadError, Sentry or not).
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, limits=limits
    ) as client:

        async def one() -> None:
            async with gate:
                try:
                    response = await client.post(
                        ERROR_PATH, json={"error_type": "exception"}
                    )
                    statuses[str(response.status_code)] += 1
                except httpx.HTTPError as error:
                    statuses[type(error).__name__] += 1

        await asyncio.gather(*(one() for _ in range(count)))
    return statuses


def wait_until_stable(tally: Tally, quiet: float, limit: float) -> tuple[int, float]:
    """Poll the sink's error events until none arrived for ``quiet`` seconds."""
    started = time.monotonic()
    last_count, last_change = -1, started
    while time.monotonic() - started < limit:
        count = tally.snapshot()["items"].get("event", 0)
        now = time.monotonic()
        if count != last_count:
            last_count, last_change = count, now
        elif now - last_change >= quiet:
            break
        time.sleep(0.25)
    return last_count, last_change - started


def queue_size(project: Project, dsn: str) -> str:
    """The transport_queue_size the service's client gets: init_sentry() in the
    project's own Python with the service's environment, then read the option."""
    code = (
        "import sentry_sdk\n"
        f"from {DEFAULT_SLUG}.core.sentry import init_sentry\n"
        "init_sentry()\n"
        "print(sentry_sdk.get_client().options['transport_queue_size'])\n"
    )
    result = subprocess.run(
        [str(project.python), "-c", code],
        cwd=project.path,
        env=project.env(dsn),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        return f"unknown ({result.stderr.strip().splitlines()[-1:]})"
    return result.stdout.strip().splitlines()[-1]


def burst(
    project: Project, sink: Sink, args: argparse.Namespace, processes: Processes
) -> BurstReport:
    size = queue_size(project, sink.dsn)
    sink.tally.reset()
    progress(f"{project.framework}/burst: starting the service (DSN to the sink)")
    service = start(project, sink.dsn, "burst", processes)
    try:
        progress(
            f"{project.framework}/burst: {args.burst_requests} x POST {ERROR_PATH}, "
            f"{args.burst_concurrency} at a time"
        )
        began = time.monotonic()
        statuses = asyncio.run(
            fire(service.base_url, args.burst_requests, args.burst_concurrency)
        )
        seconds = time.monotonic() - began
        progress(
            f"{project.framework}/burst: done in {seconds:.1f} s; waiting for the flush"
        )
        events, settle = wait_until_stable(sink.tally, args.settle, 120)
        health = httpx.get(f"{service.base_url}/health", timeout=30).status_code
    finally:
        processes.stop(service.process)
    return BurstReport(
        requests=args.burst_requests,
        concurrency=args.burst_concurrency,
        seconds=seconds,
        statuses=statuses,
        health_after=health,
        events_running=events,
        settle_seconds=settle,
        after_shutdown=sink.tally.snapshot(),
        queue_size=size,
    )


def source_queue_size(project: Project) -> str:
    text = (project.path / DEFAULT_SLUG / "core" / "sentry.py").read_text("utf-8")
    found = re.search(r"^\w*QUEUE_SIZE\s*=\s*(\S+)", text, re.MULTILINE)
    return found.group(0) if found else "no *QUEUE_SIZE constant found"


def print_burst(project: Project, report: BurstReport) -> list[str]:
    answers = ", ".join(f"{code} x{n}" for code, n in sorted(report.statuses.items()))
    items = report.after_shutdown["items"]
    discarded = report.after_shutdown["discarded"]
    dropped = ", ".join(f"{r}/{c} x{n}" for (r, c), n in discarded.items()) or "none"
    print()
    print(
        f"{project.framework} burst: {report.requests} x POST {ERROR_PATH} "
        f'{{"error_type": "exception"}}, {report.concurrency} concurrent '
        "(a new connection each), Sentry on"
    )
    print(
        f"  took                  {report.seconds:.1f} s "
        f"({report.requests / report.seconds:.0f} req/s); answers: {answers}"
    )
    print(f"  GET /health after     {report.health_after}")
    print(
        f"  error events at sink  {report.events_running} of {report.requests} "
        f"(the last arrived {report.settle_seconds:.1f} s after the burst)"
    )
    print(
        f"  after shutdown        events {items.get('event', 0)}, transactions "
        f"{items.get('transaction', 0)}, SDK-reported discards: {dropped}"
    )
    print(
        f"  transport queue size  {report.queue_size} (client option, read by calling "
        f"init_sentry() in the project's .venv with the service's environment; "
        f"core/sentry.py: {source_queue_size(project)})"
    )
    all_500 = report.statuses.get("500", 0) == report.requests
    met = (
        report.health_after == 200
        and all_500
        and items.get("event", 0) >= report.requests
    )
    return [
        f"burst: every failing request answered 500, /health 200 afterwards, one "
        f"event per request at the sink: {report.statuses.get('500', 0)} x 500, "
        f"/health {report.health_after}, {items.get('event', 0)} events "
        f"-> {'met' if met else 'NOT met'}"
    ]


# --- CPU per failing request ------------------------------------------------------

ERROR_SCENARIOS = ("off", "floor", "on")
ERROR_CPU_GOAL_MS = 10.0


def error_cpu(
    project: Project,
    scenario: str,
    where: Targets,
    args: argparse.Namespace,
    processes: Processes,
) -> float:
    """Service CPU ms per failing request: --error-requests POSTs of the test error,
    one after another (a new connection each), after a few unmeasured ones."""
    progress(f"{project.framework}/errors-{scenario}: starting the service")
    service = start(
        project, where.dsn(scenario), f"errors-{scenario}", processes, scenario in PLAIN
    )
    body = {"error_type": "exception"}
    try:
        with httpx.Client(base_url=service.base_url, timeout=60) as client:
            for _ in range(5):
                client.post(ERROR_PATH, json=body, headers={"Connection": "close"})
            before = group_cpu_seconds(service.process.pid)
            statuses: Counter[int] = Counter()
            for _ in range(args.error_requests):
                response = client.post(
                    ERROR_PATH, json=body, headers={"Connection": "close"}
                )
                statuses[response.status_code] += 1
            # The SDK's thread sends after the answer: give it time to finish.
            time.sleep(args.error_settle)
            cpu = group_cpu_seconds(service.process.pid) - before
    finally:
        processes.stop(service.process)
    if statuses != Counter({500: args.error_requests}):
        raise BenchmarkError(f"failing requests answered {dict(statuses)}")
    per_request = cpu * 1e3 / args.error_requests
    progress(f"{project.framework}/errors-{scenario}: {per_request:.2f} ms CPU/error")
    return per_request


def print_errors(
    project: Project, errors: dict[str, list[float]], args: argparse.Namespace
) -> list[str]:
    """The CPU per failing request of each scenario (medians over the rounds), and
    the SDK's share: on minus off."""
    median = {name: statistics.median(values) for name, values in errors.items()}
    off = median["off"]
    print()
    print(
        f"{project.framework} errors: {args.error_requests} x POST {ERROR_PATH} one "
        f"after another, {args.rounds} round(s), staging presets (local variables on)"
    )
    print(f"{'scenario':<8} {'CPU ms/error':>12} {'SDK ms/error':>13}")
    for name in ERROR_SCENARIOS:
        print(f"{name:<8} {median[name]:>12.2f} {median[name] - off:>13.2f}")
    sdk = median["on"] - off
    met = sdk <= ERROR_CPU_GOAL_MS
    return [
        f"SDK CPU per failing request <= {ERROR_CPU_GOAL_MS:g} ms: template "
        f"{sdk:.2f} ms (floor {median['floor'] - off:.2f} ms) "
        f"-> {'met' if met else 'NOT met'}"
    ]


# --- main ------------------------------------------------------------------------


def benchmark_framework(
    framework: str,
    workdir: Path,
    where: Targets,
    args: argparse.Namespace,
    processes: Processes,
) -> list[str]:
    project = prepare(framework, workdir, processes)
    runs: dict[str, list[Measured]] = {scenario: [] for scenario in args.scenarios}
    errors: dict[str, list[float]] = {scenario: [] for scenario in ERROR_SCENARIOS}
    for round_number in range(args.rounds):
        if args.rounds > 1:
            progress(f"{framework}: round {round_number + 1}/{args.rounds}")
        # Interleaved rounds: a machine that gets busier hits every scenario.
        for scenario in args.scenarios:
            runs[scenario].append(measure(project, scenario, where, args, processes))
        if args.error_requests:
            for scenario in ERROR_SCENARIOS:
                errors[scenario].append(
                    error_cpu(project, scenario, where, args, processes)
                )
    rows = {scenario: combine(scenario, runs[scenario]) for scenario in runs}
    report = None
    if args.burst_requests:
        report = burst(project, where.sink, args, processes)
    print_table(project, rows, args)
    goals = [f"{framework} {line}" for line in verdicts(rows, args.latency_tolerance)]
    if args.error_requests:
        goals += [f"{framework} {line}" for line in print_errors(project, errors, args)]
    if report is not None:
        goals += [f"{framework} {line}" for line in print_burst(project, report)]
    print(flush=True)
    return goals


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    frameworks = AVAILABLE["framework"]
    parser.add_argument(
        "--frameworks", nargs="+", choices=frameworks, default=frameworks
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--rounds", type=int, default=1, help="medians over rounds")
    parser.add_argument("--wrk-timeout", type=int, default=5, help="seconds")
    parser.add_argument(
        "--slow-delay", type=float, default=5, help="the slow server's answer delay"
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=SCENARIOS,
        default=list(SCENARIOS),
        help="wrk scenarios, in this order (off is always run first)",
    )
    parser.add_argument(
        "--error-requests",
        type=int,
        default=None,
        help="failing requests per CPU-per-error run (0: skip)",
    )
    parser.add_argument(
        "--error-settle", type=float, default=2.0, help="seconds for the SDK to send"
    )
    parser.add_argument(
        "--burst-requests", type=int, default=None, help="0: skip the burst"
    )
    parser.add_argument("--burst-concurrency", type=int, default=50)
    parser.add_argument(
        "--settle", type=float, default=None, help="quiet seconds meaning flushed"
    )
    parser.add_argument(
        "--latency-tolerance",
        type=float,
        default=0.10,
        help="outage p50/p99 may exceed on's by this share and count as unchanged",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--quick", action="store_true", help="short runs, a smaller burst (smoke test)"
    )
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.rounds = 2, 1, 1
    if args.burst_requests is None:
        args.burst_requests = 100 if args.quick else 1000
    if args.error_requests is None:
        args.error_requests = 30 if args.quick else 200
    args.scenarios = ["off", *(name for name in args.scenarios if name != "off")]
    if args.settle is None:
        args.settle = 1 if args.quick else 5
    return args


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        print(
            "service_benchmark: wrk is not installed (apt-get install -y wrk)",
            file=sys.stderr,
        )
        return 2
    # SIGTERM unwinds like Ctrl-C, so the finally below stops every process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    processes = Processes()
    workdir = Path(tempfile.mkdtemp(prefix="service-benchmark-"))
    goals: list[str] = []
    try:
        progress(f"work directory {workdir}; frameworks {', '.join(args.frameworks)}")
        with targets(args.slow_delay) as where:
            for framework in args.frameworks:
                goals += benchmark_framework(framework, workdir, where, args, processes)
    except BenchmarkError as error:
        print(f"service_benchmark: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("service_benchmark: interrupted", file=sys.stderr)
        return 130
    finally:
        processes.stop_all()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print("goals")
    for line in goals:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
