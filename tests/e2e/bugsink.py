"""A real Bugsink server for end-to-end tests.

Bugsink (https://www.bugsink.com/) is a small Sentry-compatible error tracker.
It is installed into its own virtual environment (``BUGSINK_VENV`` if set, else
``~/.cache/sentry-template/bugsink-venv``), configured with SQLite and eager
(synchronous) digestion, and read back through its canonical REST API.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers.net import free_port, wait_http

BUGSINK_VERSION = "2.6.1"
DEFAULT_VENV = Path.home() / ".cache" / "sentry-template" / "bugsink-venv"
SETUP_MARKER = "BUGSINK_SETUP "

# Appended to the configuration written by `bugsink-create-conf --template=local`.
CONF_OVERRIDES = """

# --- added by the template's e2e harness ---
PHONEHOME = False
SNAPPEA = {{"TASK_ALWAYS_EAGER": True}}
DATABASES["default"]["NAME"] = {db!r}
DATABASES["snappea"]["NAME"] = {snappea_db!r}
BUGSINK["PHONEHOME"] = False
BUGSINK["BASE_URL"] = {base_url!r}
BUGSINK["INGEST_STORE_BASE_DIR"] = {ingest_dir!r}
BUGSINK["MAX_EVENTS_PER_PROJECT_PER_5_MINUTES"] = 1_000_000
BUGSINK["MAX_EVENTS_PER_PROJECT_PER_HOUR"] = 1_000_000
BUGSINK["MAX_EVENTS_PER_5_MINUTES"] = 1_000_000
BUGSINK["MAX_EVENTS_PER_HOUR"] = 1_000_000
"""

SETUP_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from bsmain.models import AuthToken
from projects.models import Project
from teams.models import Team

get_user_model().objects.create_superuser("admin", "admin@example.invalid", "admin")
token = AuthToken.create_full_access(description="template e2e")
facts = {"dsn": "", "project_id": 0, "token": token.token}
if CREATE_PROJECT:
    team = Team.objects.create(name="template-e2e")
    project = Project.objects.create(name="template-e2e", team=team)
    facts.update(dsn=project.dsn, project_id=project.id)
print(SETUP_MARKER + json.dumps(facts))
""".replace("SETUP_MARKER", repr(SETUP_MARKER))


def ensure_venv() -> Path:
    """Return a virtual environment with bugsink installed (create it if needed).

    Several test processes (xdist workers, or two runs on one machine) may ask at
    once: one installs under an exclusive file lock while the others wait. A marker
    written last tells a finished venv from one a killed run left half-made.
    """
    configured = os.environ.get("BUGSINK_VENV")
    if configured:
        venv = Path(configured)
        if not (venv / "bin" / "bugsink-manage").exists():
            raise RuntimeError(f"BUGSINK_VENV={configured} has no bin/bugsink-manage")
        return venv
    venv = DEFAULT_VENV
    installed = venv / f"installed-{BUGSINK_VERSION}"
    if installed.exists():
        return venv
    uv = shutil.which("uv")
    if uv is None:
        raise RuntimeError("uv is needed to install bugsink")
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not installed.exists():
            create = [uv, "venv", "--quiet", "--clear", "--python", "python3.11"]
            _run([*create, str(venv)])
            env = {**os.environ, "VIRTUAL_ENV": str(venv)}
            install = [uv, "pip", "install", "--quiet", f"bugsink=={BUGSINK_VERSION}"]
            _run(install, env=env)
            installed.touch()
    return venv


def _run(cmd: list[str], **kwargs: Any) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@dataclass
class Bugsink:
    """A running Bugsink server and the project the tests report to."""

    base_url: str
    dsn: str
    token: str
    project_id: int
    workdir: Path
    venv: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def manage_shell(self, script: str, **env: str) -> str:
        """Run ``script`` through ``bugsink-manage shell`` on stdin, as
        ``docker compose exec -T bugsink bugsink-manage shell < script`` does."""
        result = subprocess.run(
            [str(self.venv / "bin" / "bugsink-manage"), "shell"],
            input=script,
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env={**_bugsink_env(self.venv, self.workdir), **env},
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"bugsink-manage shell failed:\n{result.stderr}")
        return result.stdout

    def api(self, path: str, **params: str) -> Any:
        """GET ``/api/canonical/0/<path>`` with the token; return the parsed JSON."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        request = urllib.request.Request(
            f"{self.base_url}/api/canonical/0/{path}{query}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def issues(self) -> list[dict[str, Any]]:
        """All issues of the test project."""
        return _results(self.api("issues/", project=str(self.project_id)))

    def all_events(self) -> list[dict[str, Any]]:
        """Every stored event of the test project, with its full ``data`` payload."""
        events: list[dict[str, Any]] = []
        for issue in self.issues():
            for summary in _results(self.api("events/", issue=str(issue["id"]))):
                events.append(self.api(f"events/{summary['id']}/"))
        return events

    def events(
        self, timeout: float = 30.0, *, min_count: int = 1, predicate: Any = None
    ) -> list[dict[str, Any]]:
        """Poll until ``min_count`` (matching) events are stored; return them.

        Each item is Bugsink's event detail: ``data`` holds the event as the SDK
        sent it (after Bugsink's normalisation).
        """
        deadline = time.monotonic() + timeout
        found: list[dict[str, Any]] = []
        while True:
            found = self.all_events()
            if predicate is not None:
                found = [event for event in found if predicate(event)]
            if len(found) >= min_count or time.monotonic() > deadline:
                return found
            time.sleep(0.25)

    def stop(self) -> None:
        """Stop the server (its whole process group)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _results(payload: Any) -> list[dict[str, Any]]:
    """The items of a (cursor-paginated or plain) list answer."""
    if isinstance(payload, dict):
        return list(payload.get("results", []))
    return list(payload)


def _bugsink_env(venv: Path, workdir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SENTRY_", "DJANGO_", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bugsink_conf",
        PYTHONPATH=str(workdir),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def configure(
    venv: Path, workdir: Path, port: int, create_project: bool = True
) -> dict[str, Any]:
    """Write the config, migrate, create a token (and a project); return facts."""
    workdir.mkdir(parents=True, exist_ok=True)
    base_url = f"http://127.0.0.1:{port}"
    env = _bugsink_env(venv, workdir)
    bin_dir = venv / "bin"
    conf = workdir / "bugsink_conf.py"
    _run(
        [
            str(bin_dir / "bugsink-create-conf"),
            "--template=local",
            f"--port={port}",
            "--host=127.0.0.1",
            f"--output-file={conf}",
        ],
        cwd=workdir,
        env=env,
    )
    with conf.open("a", encoding="utf-8") as handle:
        handle.write(
            CONF_OVERRIDES.format(
                db=str(workdir / "db.sqlite3"),
                snappea_db=str(workdir / "snappea.sqlite3"),
                base_url=base_url,
                ingest_dir=str(workdir / "ingestion"),
            )
        )
    _migrate(venv, workdir, env)
    out = _run(
        [
            str(bin_dir / "bugsink-manage"),
            "shell",
            "-c",
            f"CREATE_PROJECT = {create_project}\n{SETUP_SCRIPT}",
        ],
        cwd=workdir,
        env=env,
    )
    for line in out.splitlines():
        if line.startswith(SETUP_MARKER):
            facts: dict[str, Any] = json.loads(line[len(SETUP_MARKER) :])
            facts["base_url"] = base_url
            return facts
    raise RuntimeError(f"bugsink setup printed no facts:\n{out}")


def _migrate(venv: Path, workdir: Path, env: dict[str, str]) -> None:
    """Migrate the SQLite databases; reuse a migrated snapshot kept beside the venv."""
    names = ("db.sqlite3", "snappea.sqlite3")
    snapshot = venv / f"migrated-{BUGSINK_VERSION}"
    if all((snapshot / name).exists() for name in names):
        for name in names:
            shutil.copyfile(snapshot / name, workdir / name)
        return
    manage = str(venv / "bin" / "bugsink-manage")
    _run([manage, "migrate", "--no-input"], cwd=workdir, env=env)
    _run(
        [manage, "migrate", "snappea", "--database=snappea", "--no-input"],
        cwd=workdir,
        env=env,
    )
    staging = venv / f".migrated-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in names:
        shutil.copyfile(workdir / name, staging / name)
    try:
        staging.rename(snapshot)
    except OSError:  # another process stored its snapshot first
        shutil.rmtree(staging, ignore_errors=True)


def start(
    workdir: Path,
    *,
    port: int | None = None,
    venv: Path | None = None,
    create_project: bool = True,
) -> Bugsink:
    """Install (if needed), configure and start Bugsink; wait until it answers.

    Without ``create_project`` it holds no project (``dsn`` is empty, ``project_id``
    0) until someone creates one."""
    venv = venv or ensure_venv()
    port = port or free_port()
    facts = configure(venv, workdir, port, create_project)
    env = _bugsink_env(venv, workdir)
    log = (workdir / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "bugsink.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Bugsink(
        base_url=facts["base_url"],
        dsn=facts["dsn"],
        token=facts["token"],
        project_id=int(facts["project_id"]),
        workdir=workdir,
        venv=venv,
        process=process,
    )
    try:
        wait_http(
            f"{server.base_url}/health/ready", 60, alive=lambda: process.poll() is None
        )
    except (TimeoutError, RuntimeError):
        server.stop()
        raise RuntimeError(
            "bugsink did not start:\n"
            + (workdir / "gunicorn.log").read_text(errors="replace")
        ) from None
    return server
