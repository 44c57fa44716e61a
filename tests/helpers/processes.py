"""Processes the end-to-end tests start: each in its own process group, its output
in a log file, stopped as `docker compose stop` (or the kubelet) stops a container."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path


def start_logged(
    command: list[str], cwd: Path, env: dict[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    """Start `command` in its own process group, stdin closed, stdout and stderr
    written to `log_path` (emptied first)."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_gracefully(popen: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM to the main process only (it stops its own children and flushes
    Sentry), then SIGKILL to whatever is left of its group after `grace` seconds."""
    if popen.poll() is None:
        popen.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal.SIGKILL)
    popen.wait(timeout=15)


def log_tail(log_path: Path, tail: int = 6000) -> str:
    """The last `tail` characters of a process's log."""
    return log_path.read_text(encoding="utf-8", errors="replace")[-tail:]
