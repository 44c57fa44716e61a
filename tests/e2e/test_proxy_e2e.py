"""The production stack behind its proxy: each framework's stack as the production
compose file runs it (`stack.py`), with the proxy service's Caddy in front of it
(`proxy.py`: the shipped Caddyfile, a local CA instead of ACME, free ports of
127.0.0.1 instead of 80/443).

A visitor at an address of its own (127.0.0.2) asks for the health check over HTTPS
and plain HTTP, fails the test-error endpoint with a forged X-Forwarded-For, and
walks the paths the Caddyfile routes. Then the tests read what the visitor got, what
the app logged and what reached Sentry (an envelope recorder): HTTPS for DOMAIN with
one HSTS header, HTTP redirected, the app seeing https and the visitor's address
(never the forged one, never the proxy's), no client address in any event, the API
at the app and every other path at the frontend.

The frontend service (nginx serving the built app) is stood for by a static file
server that records the paths it serves: what is under test is the proxy's routing.
"""

from __future__ import annotations

import functools
import json
import subprocess
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.proxy import Proxy, start_proxy
from tests.e2e.recorder import Recorder
from tests.e2e.stack import COMPOSE_FILE, HOST, Stack, start_stack
from tests.helpers.combos import Combo, make_combo
from tests.helpers.compose import resolved_services
from tests.helpers.tools import output, run

pytestmark = [pytest.mark.e2e]

DOMAIN = "app.example.test"
VISITOR = "127.0.0.2"  # A loopback address of its own: not the proxy's 127.0.0.1.
FORGED = "203.0.113.7"
HSTS = "max-age=31536000; includeSubDomains; preload"
ERROR_PATH = "/api/v1/test/error"
# The app's default port in the compose file's healthcheck.
COMPOSE_APP_ADDRESS = "127.0.0.1:8000"

DJANGO = make_combo(framework="django", frontend="vue")
GRAPHQL = make_combo(framework="starlette-graphql", frontend="react")
FASTAPI = make_combo()  # No frontend: every path goes to the app.
COMBOS = [DJANGO, GRAPHQL, FASTAPI]

# Paths the proxy must send to the app, by framework; FRONTEND_PATHS go to the frontend.
APP_PATHS = {
    "fastapi": ["/api/v1/auth/me", "/"],
    "django": ["/api/v1/auth/me", "/admin/", "/static/admin/css/base.css"],
    "starlette-graphql": ["/graphql", "/api/v1/nothing-here"],
}
FRONTEND_PATHS = ["/", "/debug", "/assets/app.js"]
# What the stack runs as staging (for the test-error endpoint) set back to
# production's: the HTTPS redirect, and no frame variables (production's preset).
# gunicorn's access log shows the client address the app saw, as uvicorn's does.
OVERRIDES = {
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "SENTRY_INCLUDE_LOCAL_VARIABLES": "false",
    "GUNICORN_CMD_ARGS": "--access-logfile -",
}


def group(combo: Combo) -> str:
    """One xdist group per stack: its tests share one worker, and one start."""
    return f"proxy-{combo.id}"


@dataclass
class Visit:
    """What one visitor got through the proxy, and what the stack made of it."""

    combo: Combo
    proxy: Proxy
    health: httpx.Response
    plain_http: httpx.Response
    error: httpx.Response
    routes: dict[str, httpx.Response]
    frontend_paths: list[str]
    events: list[dict[str, Any]]
    sent: bytes
    app_log: str
    healthchecks: dict[str, subprocess.CompletedProcess[str]] = field(
        default_factory=dict
    )

    @property
    def framework(self) -> str:
        return self.combo.answer("framework")

    @property
    def has_frontend(self) -> bool:
        return self.combo.answer("frontend") != "none"


class FrontendStandIn(ThreadingHTTPServer):
    """Serves a directory on 127.0.0.1 and records each path it was asked for."""

    def __init__(self, root: Path) -> None:
        self.paths: list[str] = []
        served = self.paths

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                served.append(self.path)
                # Client-side routes fall back to index.html, as nginx.conf says.
                if not (root / self.path.lstrip("/")).exists():
                    self.path = "/"
                super().do_GET()

        super().__init__((HOST, 0), functools.partial(Handler, directory=str(root)))

    @property
    def address(self) -> str:
        return f"{HOST}:{self.server_address[1]}"


@pytest.fixture(scope="module")
def frontend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FrontendStandIn]:
    root = tmp_path_factory.mktemp("frontend-dist")
    (root / "index.html").write_text("<title>the frontend</title>")
    (root / "assets").mkdir()
    (root / "assets" / "app.js").write_text("console.log('the frontend')")
    server = FrontendStandIn(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(combo, id=combo.id, marks=pytest.mark.xdist_group(group(combo)))
        for combo in COMBOS
    ],
)
def proxy_combo(request: pytest.FixtureRequest) -> Combo:
    return request.param


@pytest.fixture(scope="module")
def visit(
    proxy_combo: Combo,
    synced_project: Callable[[Combo], Path],
    machine_urls: tuple[str, str],
    frontend: FrontendStandIn,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Visit]:
    project = synced_project(proxy_combo)
    workdir = tmp_path_factory.mktemp("proxy")
    database_url, redis_url = machine_urls
    with Recorder() as recorder:
        stack = start_stack(
            project,
            workdir,
            dsn=recorder.dsn_for("http://proxy-e2e@sentry.invalid/1"),
            release=f"{proxy_combo.slug}@proxy-e2e",
            database_url=database_url,
            redis_url=redis_url,
            overrides=OVERRIDES,
            domain=DOMAIN,
        )
        try:
            app = stack.base_url.removeprefix("http://")
            proxy = start_proxy(
                project,
                workdir,
                compose_env=stack.compose_env,
                upstreams={"app": app, "frontend": frontend.address},
            )
            try:
                yield _drive(proxy_combo, proxy, stack, recorder, frontend, app)
            finally:
                proxy.stop()
        finally:
            stack.stop()


def _drive(
    combo: Combo,
    proxy: Proxy,
    stack: Stack,
    recorder: Recorder,
    frontend: FrontendStandIn,
    app: str,
) -> Visit:
    """Visit the stack through the proxy; gather what came back."""
    frontend.paths.clear()
    transport = httpx.HTTPTransport(verify=proxy.ca(), local_address=VISITOR)
    with httpx.Client(transport=transport, timeout=30) as client:

        def https(method: str, path: str, **kwargs: Any) -> httpx.Response:
            # To 127.0.0.1, as DNS would send DOMAIN here; TLS checks DOMAIN.
            host = {"Host": f"{DOMAIN}:{proxy.https_port}"}
            headers = {**host, **kwargs.pop("headers", {})}
            return client.request(
                method,
                f"https://{HOST}:{proxy.https_port}{path}",
                headers=headers,
                extensions={"sni_hostname": DOMAIN},
                **kwargs,
            )

        health = https("GET", "/health")
        plain_http = client.get(
            f"http://{HOST}:{proxy.http_port}/health",
            headers={"Host": f"{DOMAIN}:{proxy.http_port}"},
        )
        error = https(
            "POST",
            ERROR_PATH,
            json={"error_type": "exception"},
            headers={"X-Forwarded-For": FORGED},
        )
        paths = APP_PATHS[combo.answer("framework")]
        if combo.answer("frontend") != "none":
            paths = paths + FRONTEND_PATHS
        routes = {path: https("GET", path) for path in paths}

    events = [
        item.payload
        for item in recorder.wait_for(
            lambda item: "SentryTestError" in str(item.payload.get("exception")),
            item_type="event",
        )
    ]
    healthchecks = {
        "proxy": run(proxy.healthcheck, timeout=30),
        "app": _app_healthcheck(stack, app),
    }
    return Visit(
        combo=combo,
        proxy=proxy,
        health=health,
        plain_http=plain_http,
        error=error,
        routes=routes,
        frontend_paths=list(frontend.paths),
        events=events,
        sent=recorder.all_bytes(),
        app_log="\n".join(process.log(200_000) for process in stack.processes),
        healthchecks=healthchecks,
    )


def _app_healthcheck(stack: Stack, app: str) -> subprocess.CompletedProcess[str]:
    """The app service's compose healthcheck, against the app's address here."""
    services = resolved_services(stack.project, COMPOSE_FILE, stack.compose_env)
    command = [
        arg.replace(COMPOSE_APP_ADDRESS, app)
        for arg in services["app"]["healthcheck"]["test"][1:]  # Without "CMD".
    ]
    return run(command, env=stack.env, timeout=30)


# --- HTTPS ---------------------------------------------------------------------


def test_https_for_the_domain_with_hsts(visit: Visit) -> None:
    """A certificate for DOMAIN (checked against the proxy's CA), and one HSTS header
    on every answer, whoever made it."""
    assert visit.health.status_code == 200, visit.health.text
    answers = [visit.health, visit.error, *visit.routes.values()]
    for answer in answers:
        assert answer.headers.get_list("strict-transport-security") == [HSTS], (
            answer.url,
            answer.headers,
        )


def test_plain_http_is_redirected(visit: Visit) -> None:
    assert visit.plain_http.status_code == 308, visit.plain_http.text
    location = urllib.parse.urlsplit(visit.plain_http.headers["location"])
    assert (location.scheme, location.hostname, location.path) == (
        "https",
        DOMAIN,
        "/health",
    ), location


def test_health_passes_through(visit: Visit) -> None:
    """The app's own /health: its status and Sentry settings, never the DSN."""
    body = visit.health.json()
    assert body["status"] == "ok", body
    assert body["sentry"]["release"] == f"{visit.combo.slug}@proxy-e2e"
    assert "sentry.invalid" not in visit.health.text


# --- what the app sees -----------------------------------------------------------


def test_the_app_sees_https(visit: Visit) -> None:
    """The error's request, as Sentry got it: the visitor's https URL on DOMAIN."""
    assert visit.error.status_code == 500, visit.error.text
    assert len(visit.events) == 1, visit.events
    request = visit.events[0]["request"]
    assert request["url"] == f"https://{DOMAIN}:{visit.proxy.https_port}{ERROR_PATH}"


def test_the_request_line_keeps_the_visitor_address_private(visit: Visit) -> None:
    """The request's log line (JSON in production) has the client address the server
    saw through the proxy filtered, as the standard PII mode wants it without
    SENTRY_SEND_DEFAULT_PII: neither the visitor's address nor the one the visitor
    forged is on stdout. (That the app trusts the proxy's forwarded headers shows in
    `test_the_app_sees_https`.)"""
    lines = [
        json.loads(line)
        for line in visit.app_log.splitlines()
        if line.startswith("{") and ERROR_PATH in line
    ]
    seen = {line.get("client") for line in lines if line.get("path") == ERROR_PATH}
    assert seen == {"[Filtered]"}, lines or visit.app_log[-3000:]
    assert VISITOR not in visit.app_log
    assert FORGED not in visit.app_log


def test_no_client_address_reaches_sentry(visit: Visit) -> None:
    """The forwarded address is scrubbed as the scrubber expects it (by its header),
    and no address of the visitor leaves, forged or not."""
    headers = {
        key.lower(): value
        for key, value in (visit.events[0]["request"].get("headers") or {}).items()
    }
    assert headers.get("x-forwarded-for") in (None, "[Filtered]"), headers
    assert headers.get("x-forwarded-proto") == "https", headers
    for address in (VISITOR, FORGED):
        at = visit.sent.find(address.encode())
        assert at == -1, visit.sent[max(0, at - 300) : at + 100]


# --- routing ---------------------------------------------------------------------


def test_routes(visit: Visit) -> None:
    """The API (and what else the framework serves) at the app, every other path at
    the frontend when there is one."""
    expected_frontend = FRONTEND_PATHS if visit.has_frontend else []
    assert visit.frontend_paths == expected_frontend, visit.frontend_paths
    for path in expected_frontend:
        answer = visit.routes[path]
        assert answer.status_code == 200 and "the frontend" in answer.text, path
    for path in APP_PATHS[visit.framework]:
        assert "the frontend" not in visit.routes[path].text, path


@pytest.mark.xdist_group(group(DJANGO))
@pytest.mark.parametrize("proxy_combo", [DJANGO], ids=[DJANGO.id], indirect=True)
def test_django_redirects_once(visit: Visit) -> None:
    """With production's SECURE_SSL_REDIRECT, Django behind the proxy knows the request
    is HTTPS: the admin sends to its login page, never to https:// again."""
    admin = visit.routes["/admin/"]
    assert admin.status_code == 302, admin.headers
    assert admin.headers["location"] == "/admin/login/?next=/admin/"


# --- healthchecks ------------------------------------------------------------------


@pytest.mark.parametrize("service", ["proxy", "app"])
def test_healthchecks_pass(visit: Visit, service: str) -> None:
    """The compose file's healthchecks, run against this stack's addresses."""
    result = visit.healthchecks[service]
    assert result.returncode == 0, output(result)
