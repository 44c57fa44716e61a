"""The everyday loop of every bake: the justfile's tasks, dependency update
automation for each ecosystem the project uses, and the pre-commit hooks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.helpers.baking import Bake
from tests.helpers.combos import Combo, matrix
from tests.helpers.tools import expect_success, run, tool

MATRIX = matrix()
EVERYDAY_TASKS = {
    "serve",
    "test",
    "lint",
    "format",
    "typecheck",
    "check",
    "migrate",
    "migration",
    "up",
    "upgrade",
    "hooks",
}


@pytest.fixture(params=MATRIX, ids=[combo.id for combo in MATRIX])
def combo(request: pytest.FixtureRequest) -> Combo:
    return request.param


@pytest.fixture
def project(combo: Combo, bake_combo: Callable[[Combo], Bake]) -> Path:
    return bake_combo(combo).path()


def expected_tasks(combo: Combo) -> set[str]:
    tasks = set(EVERYDAY_TASKS)
    if combo.answer("framework") == "django":
        tasks.add("createsuperuser")
    if combo.answer("worker") != "none":
        tasks.add("worker")
    if combo.answer("frontend") != "none":
        tasks |= {"frontend", "frontend-check"}
    if combo.answer("local_error_tracker") == "bugsink":
        tasks.add("tracker")
    return tasks


def test_just_lists_the_tasks(project: Path, combo: Combo) -> None:
    just = tool("just")
    assert just, "just is not installed (dev dependency rust-just)"
    result = run([*just, "--list", "--unsorted"], cwd=project)
    expect_success(result, "`just --list` failed")
    listed = {
        line.split()[0]
        for line in result.stdout.splitlines()[1:]  # After "Available recipes:".
        if line.strip()
    }
    assert listed - {"default"} == expected_tasks(combo), result.stdout
    # Every task says what it does.
    undocumented = [
        line for line in result.stdout.splitlines()[1:] if line and "#" not in line
    ]
    assert not undocumented, undocumented


def test_every_task_command_is_real(project: Path, combo: Combo) -> None:
    """`just --dry-run` of each task: the commands it would run, for a look at the
    module paths and files they name."""
    just = tool("just")
    assert just
    commands = ""
    for task in sorted(expected_tasks(combo)):
        args = ["x"] if task == "migration" else []
        result = run([*just, "--dry-run", task, *args], cwd=project)
        expect_success(result, f"`just --dry-run {task}` failed")
        commands += result.stderr
    slug = combo.slug
    for module in re.findall(rf"\b{slug}(?:\.\w+)+", commands):
        parts = module.split(".")
        candidates = [Path(*parts).with_suffix(".py"), Path(*parts) / "__init__.py"]
        # `a.b.c:attr` or `a.b.Class`: the module is a prefix of the dotted name.
        while not any((project / c).exists() for c in candidates) and len(parts) > 1:
            parts = parts[:-1]
            candidates = [Path(*parts).with_suffix(".py"), Path(*parts) / "__init__.py"]
        assert len(parts) > 1, f"{module} names no module of {slug}"
    for path in re.findall(r"[\w./-]+\.(?:py|yml)\b", commands):
        assert (project / path).is_file(), f"a task names {path}, which is missing"
    for directory in re.findall(r"\bcd (\S+)", commands):
        assert (project / directory).is_dir(), f"a task enters {directory}/"


def _dependabot(project: Path) -> dict:
    return yaml.safe_load((project / ".github" / "dependabot.yml").read_text())


def test_dependency_updates_cover_every_ecosystem(project: Path, combo: Combo) -> None:
    checker = tool("check-jsonschema")
    assert checker
    frontend = combo.answer("frontend") != "none"
    dependabot = project / ".github" / "dependabot.yml"
    renovate = project / "renovate.json"
    if combo.answer("ci") == "github":
        assert not renovate.exists()
        schema = ["--builtin-schema", "vendor.dependabot"]
        result = run([*checker, *schema, str(dependabot)])
        expect_success(result)
        updates = _dependabot(project)["updates"]
        ecosystems = {update["package-ecosystem"] for update in updates}
        expected = {"uv", "docker", "docker-compose", "github-actions", "pre-commit"}
        assert ecosystems == expected | ({"npm"} if frontend else set())
        (docker,) = [u for u in updates if u["package-ecosystem"] == "docker"]
        assert docker["directories"] == ["/", "/frontend"] if frontend else ["/"]
        for update in updates:
            directory = update.get("directory", "/")
            assert (project / directory.lstrip("/")).is_dir(), directory
        assert (project / "uv.lock").is_file()
    else:
        assert not dependabot.exists()
        schema = ["--builtin-schema", "vendor.renovate"]
        result = run([*checker, *schema, str(renovate)])
        expect_success(result)
        config = json.loads(renovate.read_text(encoding="utf-8"))
        assert "config:recommended" in config["extends"]
        # Renovate leaves pre-commit hooks alone unless asked.
        assert config["pre-commit"] == {"enabled": True}
        assert config["lockFileMaintenance"] == {"enabled": True}
        described = config["description"]
        assert ("npm" in described) == frontend


def test_pre_commit_runs_ruff_and_keeps_the_lock(project: Path) -> None:
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "uv-lock"} <= hooks
