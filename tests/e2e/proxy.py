"""The production proxy of a baked project (Caddy), run bare-metal in front of a stack.

Caddy runs the Caddyfile that `docker-compose.prod.yml` mounts into its `proxy`
service, unchanged, with that service's environment, as the caddy:2 image runs it
(`caddy run --adapter caddyfile`). The test's own config is a global options block
that then imports the shipped file; it differs from production on purpose in:

- `local_certs`: certificates from Caddy's local CA, not from ACME (no network here);
- `http_port` / `https_port` / `default_bind`: free ports of 127.0.0.1, not 80/443;
- `admin`: the admin API (the proxy's healthcheck) on a free port, not 2019;
- `skip_install_trust`: the local CA stays out of this machine's trust store.

What the compose network provides maps onto 127.0.0.1: an upstream `<service>:<port>`
in the proxy's environment becomes the address given for that service.
"""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.caddy import CADDYFILE_TARGET, PROXY_SERVICE, caddy, caddy_env
from tests.helpers.compose import mounted_config, resolved_config
from tests.helpers.net import free_port, wait_http
from tests.helpers.processes import log_tail, start_logged, stop_gracefully

HOST = "127.0.0.1"
COMPOSE_FILE = "docker-compose.prod.yml"
UPSTREAM = re.compile(r"^([a-z][a-z0-9_-]*):(\d+)$")
# The admin API address the proxy's healthcheck asks (Caddy's default).
ADMIN_ADDRESS = "127.0.0.1:2019"

TEST_OPTIONS = """\
{{
	local_certs
	skip_install_trust
	default_bind {host}
	http_port {http_port}
	https_port {https_port}
	admin {host}:{admin_port}
}}

import {caddyfile}
"""


@dataclass
class Proxy:
    """A running Caddy: its ports, its local CA and its process group."""

    domain: str
    http_port: int
    https_port: int
    admin_port: int
    data: Path
    popen: subprocess.Popen[bytes]
    log_path: Path
    healthcheck: list[str]

    def log(self, tail: int = 6000) -> str:
        return log_tail(self.log_path, tail)

    def ca(self) -> ssl.SSLContext:
        """A client context that trusts only Caddy's local CA."""
        root = self.data / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        return ssl.create_default_context(cafile=str(root))

    def https_url(self, path: str = "/") -> str:
        return f"https://{self.domain}:{self.https_port}{path}"

    def stop(self) -> None:
        stop_gracefully(self.popen, grace=15)


def start_proxy(
    project: Path,
    workdir: Path,
    *,
    compose_env: dict[str, str],
    upstreams: dict[str, str],
) -> Proxy:
    """Start the project's proxy service; ``upstreams`` maps a compose service name to
    the host:port that stands for it here. Waits until Caddy serves HTTPS."""
    config = resolved_config(project, COMPOSE_FILE, compose_env)
    service = config["services"][PROXY_SERVICE]
    environment = {
        key: _mapped(str(value), upstreams)
        for key, value in (service.get("environment") or {}).items()
    }
    caddyfile = mounted_config(config, PROXY_SERVICE, CADDYFILE_TARGET)
    home = workdir / "caddy"
    home.mkdir(parents=True, exist_ok=True)
    ports = {"http_port": free_port(HOST), "https_port": free_port(HOST)}
    admin_port = free_port(HOST)
    test_config = workdir / "Caddyfile.test"
    test_config.write_text(
        TEST_OPTIONS.format(
            host=HOST, admin_port=admin_port, caddyfile=caddyfile, **ports
        ),
        encoding="utf-8",
    )
    env = caddy_env(home, environment)
    log_path = workdir / "caddy.log"
    command = [caddy(), "run", "--adapter", "caddyfile", "--config", str(test_config)]
    popen = start_logged(command, workdir, env, log_path)
    healthcheck = [
        arg.replace(ADMIN_ADDRESS, f"{HOST}:{admin_port}")
        for arg in service["healthcheck"]["test"][1:]  # Without "CMD".
    ]
    proxy = Proxy(
        domain=environment["DOMAIN"],
        admin_port=admin_port,
        data=home / "data",
        popen=popen,
        log_path=log_path,
        healthcheck=healthcheck,
        **ports,
    )
    try:
        wait_http(
            f"http://{HOST}:{admin_port}/config/",
            30,
            alive=lambda: popen.poll() is None,
        )
        _wait_for_certificate(proxy)
    except BaseException as error:
        proxy.stop()
        raise AssertionError(f"Caddy did not start: {error}\n{proxy.log()}") from None
    return proxy


def _mapped(value: str, upstreams: dict[str, str]) -> str:
    """``app:8000`` -> the address standing for ``app``; other values unchanged."""
    match = UPSTREAM.match(value)
    if match and match[1] in upstreams:
        return upstreams[match[1]]
    return value


def _wait_for_certificate(proxy: Proxy) -> None:
    """Until a TLS handshake for the domain succeeds against the local CA."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with (
                socket.create_connection((HOST, proxy.https_port), timeout=2) as raw,
                proxy.ca().wrap_socket(raw, server_hostname=proxy.domain),
            ):
                return
        except (OSError, ssl.SSLError):
            if proxy.popen.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
