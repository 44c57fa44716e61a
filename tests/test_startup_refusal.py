"""A bad setting stops every entry point of a baked project in one line.

Each framework and each worker is started for real, as its README (and, for the
web app, its Dockerfile's production CMD) says, with one bad variable set. The
process must end within seconds, name the variable, and show no traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.combos import Combo, framework_worker_combos
from tests.helpers.compose import listen_on, production_command
from tests.helpers.net import free_port
from tests.helpers.project import (
    project_env,
    readme_run_command,
    readme_worker_command,
)

pytestmark = pytest.mark.slow

# Every framework and every worker once, from the bakes the generated suites sync.
COMBOS = [
    combo
    for combo in framework_worker_combos()
    if combo.id in {"fastapi/arq", "django/celery", "starlette-graphql/none"}
]
HOST = "127.0.0.1"
TIMEOUT_SECONDS = 60
# Entry point -> the variable it is started with, and its bad value.
BAD_SETTING = {
    "service": ("SENTRY_SAMPLE_RATE", "2"),
    "production": ("SENTRY_TRACES_SAMPLE_RATE", "-1"),
    "worker": ("WORKER_QUEUE", "two words"),
    "validate-sentry-setup": ("SENTRY_ENVIRONMENT", "prod/eu"),
}
# uvicorn's supervisors (--reload, --workers) stop once the app refuses to start,
# but exit with status 0 themselves: only their ending can be asserted.
UVICORN_SUPERVISOR_STOPPED = re.compile(r"Stopping (reloader|parent) process")


def production_line(project: Path, port: int) -> str:
    """The production stage's CMD, bound to ``port`` on 127.0.0.1."""
    command = listen_on(production_command(project), HOST, port)
    return "uv run " + shlex.join(command)


def command_for(entry: str, project: Path, port: int) -> str:
    if entry == "service":
        return readme_run_command(project)
    if entry == "production":
        return production_line(project, port)
    if entry == "worker":
        return readme_worker_command(project)
    return "uv run validate-sentry-setup --check-type config"


def run_until_exit(command: str, project: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run ``command`` in its own process group; its status and output. The group
    is killed afterwards, and on timeout (which fails the test)."""
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        text, _ = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        text, _ = process.communicate()
        pytest.fail(f"`{command}` still ran after {TIMEOUT_SECONDS} s:\n{text}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # Strays, if any.
    return process.returncode, text


CASES = [
    pytest.param(combo, entry, id=f"{combo.id}-{entry}", marks=mark)
    for combo in COMBOS
    for entry in BAD_SETTING
    if entry != "worker" or combo.answer("worker") != "none"
    # Starlette's image runs the same uvicorn CMD as FastAPI's.
    if entry != "production" or combo.answer("framework") != "starlette-graphql"
    # One xdist worker per project: it is synced once.
    for mark in [pytest.mark.xdist_group(f"startup-{combo.id}")]
]


@pytest.mark.parametrize(("combo", "entry"), CASES)
def test_a_bad_setting_stops_start_up_in_one_line(
    combo: Combo, entry: str, synced_project: Callable[[Combo], Path]
) -> None:
    project = synced_project(combo)
    variable, value = BAD_SETTING[entry]
    port = free_port(HOST)
    env = project_env(UVICORN_PORT=str(port), **{variable: value})
    if entry == "production":
        env["ENVIRONMENT"] = "production"  # As the image sets it.
    command = command_for(entry, project, port)

    status, text = run_until_exit(command, project, env)

    report = f"`{command}` with {variable}={value!r} (exit {status}):\n{text}"
    assert "Traceback" not in text, report
    lines = {line for line in text.splitlines() if variable in line}
    # Once per process that refused (e.g. each gunicorn worker): the same line.
    assert len(lines) == 1, report
    (line,) = lines
    assert re.match(rf"(Configuration error|FAIL  config): {variable}: ", line), report
    if not UVICORN_SUPERVISOR_STOPPED.search(text):
        assert status != 0, report
