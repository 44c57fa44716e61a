"""Locating and running the command-line tools the template's tests use."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

# Created by tools, never by the template: ignored when walking a baked project.
IGNORED_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "__pycache__",
        ".ruff_cache",
        ".pytest_cache",
        ".mypy_cache",
        "node_modules",
    }
)


def tool(name: str) -> list[str]:
    """The command for a tool installed beside the running Python (else on PATH).

    Returns an empty list when the tool is nowhere to be found.
    """
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    return [found] if found else []


def ruff() -> list[str]:
    """ruff from the template's own environment."""
    try:
        import ruff as _ruff  # noqa: F401
    except ImportError:
        return tool("ruff")
    return [sys.executable, "-m", "ruff"]


def run(
    cmd: Sequence[str],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
    stdin: int | None = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    """Run a command and capture its output (never raises on a non-zero status)."""
    return subprocess.run(
        list(cmd),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=stdin,
        check=False,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    """A command's status and output, for assertion messages."""
    args = " ".join(str(a) for a in result.args)
    return (
        f"$ {args}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}".rstrip()
    )


def expect_success(result: subprocess.CompletedProcess[str], what: str = "") -> None:
    """Fail the test with the command's output when it exited non-zero."""
    if result.returncode != 0:
        prefix = f"{what}\n" if what else ""
        pytest.fail(prefix + output(result), pytrace=False)


def project_files(root: Path) -> Iterator[Path]:
    """Every file of a baked project, skipping tool caches and virtual environments."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        for filename in sorted(filenames):
            yield Path(dirpath) / filename


def read_text(path: Path) -> str | None:
    """The file's text, or None when it is binary."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def clean_env(**overrides: str) -> dict[str, str]:
    """os.environ without the variables that would leak a tool's own environment
    (virtualenv, uv project settings, Sentry) into a generated project's commands."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONHOME"}
        and not key.startswith(("SENTRY_", "PYTEST_", "COV_CORE_"))
    }
    env.update(overrides)
    return env
