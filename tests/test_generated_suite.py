"""The generated project's own test command passes in its own fresh environment.

For every framework x worker: copy the bake, ``uv sync`` it from its own
pyproject, then run Quick start line 2 of its README with the project as cwd.
DATABASE_URL / REDIS_URL are passed through when set (the generated tests use
Postgres / Redis then, and skip those tests otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.combos import Combo, framework_worker_combos
from tests.helpers.project import project_env, readme_test_command
from tests.helpers.tools import expect_success, output, run

pytestmark = pytest.mark.slow

COMBOS = framework_worker_combos()
SUMMARY = re.compile(r"=+ .*\b(\d+) passed\b.* in [\d.]+s", re.MULTILINE)


@pytest.mark.parametrize("combo", COMBOS, ids=[combo.id for combo in COMBOS])
def test_generated_suite_passes(
    combo: Combo,
    synced_project: Callable[[Combo], Path],
    record_property: Callable[[str, object], None],
) -> None:
    project = synced_project(combo)
    command = readme_test_command(project)
    result = run(["bash", "-c", command], cwd=project, env=project_env(), timeout=900)
    text = result.stdout + result.stderr
    expect_success(result, f"`{command}` failed")
    assert "no tests ran" not in text, output(result)
    summary = SUMMARY.search(text)
    assert summary is not None, f"no pytest 'N passed' summary\n{output(result)}"
    record_property("generated_tests_passed", f"{combo.id}: {summary.group(1)}")
    print(f"\n{combo.id}: `{command}` -> {summary.group(0).strip('= ')}")
