"""Caddy, the production proxy of a generated project, without a container: Debian's
`caddy` runs the project's Caddyfile with the environment the compose file gives it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers.tools import run

# Where docker-compose.prod.yml mounts the project's Caddyfile: the caddy:2 image runs
# `caddy run --config /etc/caddy/Caddyfile --adapter caddyfile`.
CADDYFILE_TARGET = "/etc/caddy/Caddyfile"
PROXY_SERVICE = "proxy"


def caddy() -> str:
    """The caddy binary; fails the test when it is missing (.ci/run installs it)."""
    found = shutil.which("caddy")
    if found is None:
        raise AssertionError(
            "caddy is not installed: apt-get install caddy (.ci/run does)"
        )
    return found


def caddy_env(home: Path, environment: dict[str, Any]) -> dict[str, str]:
    """``environment`` (a compose service's) for a caddy process whose data (its local
    CA, certificates) and autosaved config stay under ``home``."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        **{key: str(value) for key, value in environment.items()},
    }


def validate(caddyfile: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``caddy validate``: adapts the Caddyfile and provisions every module."""
    return run(
        [caddy(), "validate", "--adapter", "caddyfile", "--config", str(caddyfile)],
        env=env,
    )


def formatted(caddyfile: Path) -> str:
    """The Caddyfile as ``caddy fmt`` writes it."""
    result = run([caddy(), "fmt", str(caddyfile)])
    if result.returncode != 0:
        raise AssertionError(f"caddy fmt failed\n{result.stderr}")
    return result.stdout
