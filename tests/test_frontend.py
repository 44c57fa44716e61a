"""Each frontend, baked with each framework, installs, tests and builds (README).

The frontend is copied out of the shared bake first, so node_modules and dist/ never
land in the bake the other tests walk.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.baking import Bake
from tests.helpers.combos import AVAILABLE, Combo, make_combo
from tests.helpers.frontend import npm, npm_env, npm_run
from tests.helpers.project import readme_commands
from tests.helpers.tools import run

pytestmark = pytest.mark.slow

FRONTENDS = [value for value in AVAILABLE["frontend"] if value != "none"]
COMBOS = [
    make_combo(frontend=frontend, framework=framework)
    for frontend, framework in itertools.product(FRONTENDS, AVAILABLE["framework"])
] + [make_combo(frontend=frontend, pii_mode="strict") for frontend in FRONTENDS]
VITEST_SUMMARY = re.compile(r"Tests\s+(\d+) passed \((\d+)\)")


def copy_frontend(project: Path, target: Path) -> Path:
    """Copy the frontend, and the scrubbing policy it shares with the backend (same
    layout), into `target`; return the frontend's copy."""
    policy = next(project.glob("*/core/scrubbing_policy.json")).relative_to(project)
    (target / policy).parent.mkdir(parents=True)
    shutil.copy2(project / policy, target / policy)
    return Path(shutil.copytree(project / "frontend", target / "frontend"))


@pytest.mark.parametrize("combo", COMBOS, ids=[combo.id for combo in COMBOS])
def test_frontend_installs_tests_and_builds(
    combo: Combo,
    bake_combo: Callable[[Combo], Bake],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    project = bake_combo(combo).path()
    commands = readme_commands(project, "Frontend")
    assert commands[0] == "cd frontend", commands
    assert {"npm ci", "npm test"} <= set(commands), commands
    frontend = copy_frontend(project, tmp_path)

    npm_run(frontend, "ci")
    npm_run(frontend, "run", "format:check")
    tested = npm_run(frontend, "test")
    summary = VITEST_SUMMARY.search(tested.stdout)
    assert summary, f"no Vitest summary in\n{tested.stdout[-3000:]}"
    assert summary.group(1) == summary.group(2), summary.group(0)
    assert int(summary.group(1)) >= 40, summary.group(0)
    record_property(
        "generated_tests_passed", f"{combo.id} (Vitest): {summary.group(1)}"
    )

    npm_run(frontend, "run", "build")
    index = (frontend / "dist" / "index.html").read_text(encoding="utf-8")
    assert "/assets/" in index
    bundle = "".join(
        path.read_text() for path in (frontend / "dist" / "assets").glob("*.js")
    )
    # Built without SENTRY_AUTH_TOKEN: no source maps, and nothing to upload them.
    assert not list((frontend / "dist").rglob("*.map"))
    assert "sourceMappingURL" not in bundle


def test_bad_sentry_setting_stops_the_build(
    bake_combo: Callable[[Combo], Bake], tmp_path: Path
) -> None:
    """One clear message naming the variable, and no dist/."""
    combo = make_combo(frontend=FRONTENDS[0])
    frontend = copy_frontend(bake_combo(combo).path(), tmp_path)
    npm_run(frontend, "ci")
    result = run(
        [npm(), "exec", "--", "vite", "build"],
        cwd=frontend,
        env=npm_env(VITE_SENTRY_TRACES_SAMPLE_RATE="often"),
    )
    assert result.returncode != 0
    assert (
        'VITE_SENTRY_TRACES_SAMPLE_RATE must be a number between 0 and 1, got "often"'
        in result.stdout + result.stderr
    )
    assert not (frontend / "dist").exists()
