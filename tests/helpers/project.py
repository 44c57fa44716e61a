"""Using a baked project as its README says: its commands, its own environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.helpers.tools import IGNORED_DIRS, clean_env, output, run

FENCE = re.compile(r"^```bash\s*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# The interpreter the generated projects are synced with (uv never downloads one).
PROJECT_PYTHON = os.environ.get("TEMPLATE_TEST_PYTHON", "python3.11")


def quick_start(project: Path) -> list[str]:
    """The command lines of the first ```bash block under "## Quick start"."""
    return readme_commands(project, "Quick start")


def readme_commands(project: Path, title: str) -> list[str]:
    """The command lines of the first ```bash block under the section ``title``."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    heading = re.search(rf"^## {re.escape(title)}\s*$", readme, re.MULTILINE)
    if heading is None:
        raise AssertionError(f"README.md has no '## {title}' section")
    section = readme[heading.end() :]
    next_heading = re.search(r"^## ", section, re.MULTILINE)
    if next_heading is not None:
        section = section[: next_heading.start()]
    block = FENCE.search(section)
    if block is None:
        raise AssertionError(f"the {title} section has no ```bash block")
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def readme_run_command(project: Path) -> str:
    """Quick start line 1: runs the service."""
    return quick_start(project)[0]


def readme_test_command(project: Path) -> str:
    """Quick start line 2: runs the project's own tests."""
    return quick_start(project)[1]


def readme_worker_command(project: Path) -> str:
    """The one command that runs the background worker."""
    return readme_commands(project, "Background worker")[0]


def copy_project(source: Path, destination: Path) -> Path:
    """A fresh copy of a baked project (without tool caches)."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*IGNORED_DIRS))
    return destination


def project_env(**overrides: str) -> dict[str, str]:
    """The environment a generated project's commands run in: no outer venv, no
    Python downloads, the chosen interpreter."""
    return clean_env(UV_PYTHON=PROJECT_PYTHON, UV_PYTHON_DOWNLOADS="never", **overrides)


def uv() -> str:
    found = shutil.which("uv")
    if found is None:
        raise AssertionError("uv is not installed")
    return found


def uv_sync(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``uv sync --locked`` the project into its own .venv: exactly the versions of
    its own uv.lock (fails if the lock does not match its pyproject)."""
    cmd = [uv(), "sync", "--locked", "--python", PROJECT_PYTHON, *options]
    result = run(cmd, cwd=project, env=project_env())
    if result.returncode != 0:
        raise AssertionError("uv sync failed\n" + output(result))
    return result
