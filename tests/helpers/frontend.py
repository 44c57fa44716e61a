"""Using a baked project's frontend as its README says: npm ci, test, build, preview."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.helpers.tools import clean_env, expect_success, run

CHROMIUM = Path("/usr/bin/chromium")


def npm() -> str:
    found = shutil.which("npm")
    if found is None:
        raise AssertionError("npm is not installed (Node.js 24.11+ is needed)")
    return found


def npm_env(**overrides: str) -> dict[str, str]:
    """Quiet, non-interactive npm; the shared ~/.npm cache keeps installs fast."""
    return clean_env(
        CI="true",
        NO_COLOR="1",
        NPM_CONFIG_AUDIT="false",
        NPM_CONFIG_FUND="false",
        NPM_CONFIG_UPDATE_NOTIFIER="false",
        **overrides,
    )


def npm_run(
    frontend: Path, *args: str, timeout: float = 600, **env: str
) -> subprocess.CompletedProcess[str]:
    """``npm <args>`` in ``frontend``; fails the test with npm's output on error."""
    result = run([npm(), *args], cwd=frontend, env=npm_env(**env), timeout=timeout)
    expect_success(result, f"npm {' '.join(args)} failed in {frontend}")
    return result


def require_chromium() -> Path:
    if not CHROMIUM.exists():
        raise AssertionError(
            f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does); "
            "the browser tests never download one"
        )
    return CHROMIUM
