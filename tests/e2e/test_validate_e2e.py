"""`validate-sentry-setup --check-type connectivity`, run as the README says, against
the local Bugsink (passes, and the probe is stored) and against a closed port on
127.0.0.1 (one clear failure line, exit 1, no traceback)."""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.bugsink import Bugsink
from tests.helpers.combos import Combo, make_combo
from tests.helpers.net import free_port
from tests.helpers.project import project_env
from tests.helpers.tools import output, run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROBE_MESSAGE = "validate-sentry-setup connectivity check"


def _validate(project: Path, dsn: str) -> subprocess.CompletedProcess[str]:
    uv = shutil.which("uv")
    assert uv, "uv is not installed"
    command = [uv, "run", "validate-sentry-setup", "--check-type", "connectivity"]
    return run([*command, "--verbose"], cwd=project, env=project_env(SENTRY_DSN=dsn))


@pytest.fixture(scope="module")
def project(synced_project: Callable[[Combo], Path]) -> Path:
    return synced_project(make_combo())


def test_connectivity_passes_against_bugsink(
    project: Path, bugsink_server: Bugsink
) -> None:
    result = _validate(project, bugsink_server.dsn)

    assert result.returncode == 0, output(result)
    assert "PASS  connectivity: test envelope accepted (HTTP 200)" in result.stdout
    stored = bugsink_server.events(
        predicate=lambda event: PROBE_MESSAGE in str(event.get("data", {}))
    )
    assert stored, "Bugsink did not store the connectivity probe"


def test_connectivity_fails_clearly_on_a_closed_port(
    project: Path, bugsink_server: Bugsink
) -> None:
    parts = urllib.parse.urlsplit(bugsink_server.dsn)
    key = parts.netloc.rpartition("@")[0]
    closed = urllib.parse.urlunsplit(
        parts._replace(netloc=f"{key}@127.0.0.1:{free_port()}")
    )

    result = _validate(project, closed)

    assert result.returncode == 1, output(result)
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failures) == 1, output(result)
    assert failures[0].startswith("FAIL  connectivity: could not reach Sentry:")
    assert "Connection refused" in failures[0]
    assert "Traceback" not in result.stdout + result.stderr
