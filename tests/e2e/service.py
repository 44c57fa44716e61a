"""Running a baked service exactly as its README's Quick start says."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.net import wait_http
from tests.helpers.processes import log_tail, start_logged

STARTUP_FAILURE = "Traceback (most recent call last)"


@dataclass
class Service:
    """A generated service running in its own process group."""

    base_url: str
    project: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str]

    def log(self, tail: int = 6000) -> str:
        """The service's output (its last ``tail`` characters)."""
        return log_tail(self.log_path, tail)

    def python(self, code: str) -> str:
        """Run ``code`` with the project's own interpreter; return its stdout."""
        result = subprocess.run(
            [str(self.project / ".venv" / "bin" / "python"), "-c", code],
            cwd=self.project,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"{code!r} failed:\n{result.stderr}")
        return result.stdout.strip()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass


def start_service(
    project: Path, command: str, env: dict[str, str], host: str, port: int
) -> Service:
    """Run ``command`` through ``bash -c`` in ``project``; wait for GET /health 200."""
    log_path = project.parent / f"{project.name}-service.log"
    process = start_logged(["bash", "-c", command], project, env, log_path)
    service = Service(
        base_url=f"http://{host}:{port}",
        project=project,
        process=process,
        log_path=log_path,
        env=env,
    )

    def alive() -> bool:
        # `--reload` keeps a supervisor alive when the app fails to import.
        return process.poll() is None and STARTUP_FAILURE not in service.log()

    try:
        status = wait_http(f"{service.base_url}/health", 90, alive=alive)
    except (TimeoutError, RuntimeError) as error:
        service.stop()
        raise AssertionError(
            f"`{command}` did not serve: {error}\n{service.log()}"
        ) from None
    if status != 200:
        service.stop()
        raise AssertionError(f"GET /health answered {status}\n{service.log()}")
    return service
