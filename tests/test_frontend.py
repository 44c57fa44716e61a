"""Each frontend, baked with each framework, installs, tests and builds (README).

The frontend is copied out of the shared bake first, so node_modules and dist/ never
land in the bake the other tests walk.
"""

from __future__ import annotations

import html
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
# Names with markup, quotes and template syntax of every kind: the TSX and Vue files,
# index.html and Prettier's check must all take them (see local_extensions.py).
HOSTILE_NAMES = {
    "react": 'Ops {Beta} <Team> & Co\'s "Best" \\ {x} %VITE_X%',
    "vue": "Ops { Beta } <b>Team</b> & O'Brien's ${x} @click \u00e9",
}
COMBOS += [
    make_combo(frontend=frontend, project_name=name, project_slug="ops_team")
    for frontend, name in HOSTILE_NAMES.items()
]
VITEST_SUMMARY = re.compile(r"Tests\s+(\d+) passed \((\d+)\)")


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
    frontend = shutil.copytree(project / "frontend", tmp_path / "frontend")

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
    title = re.search(r"<title>(.*?)</title>", index, re.DOTALL)
    assert title is not None
    assert html.unescape(title.group(1)) == combo.answer("project_name")
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
    frontend = shutil.copytree(bake_combo(combo).path() / "frontend", tmp_path / "fe")
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
