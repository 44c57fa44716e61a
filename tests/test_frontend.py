"""Each frontend, baked with each framework, installs, tests and builds (README).

The frontend is copied out of the shared bake first, so node_modules and dist/ never
land in the bake the other tests walk.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.baking import Bake
from tests.helpers.combos import AVAILABLE, ROOT, Combo, make_combo
from tests.helpers.frontend import npm, npm_env, npm_run
from tests.helpers.project import copy_project, project_env, readme_commands, uv_sync
from tests.helpers.tools import output, run

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
# What Vite prints when loading vite.config.ts the way its next default loader will
# not ("Your Vite config uses features that are unsupported by `configLoader: ...`").
VITE_CONFIG_WARNING = "configLoader"
# The Node a README names ("You need Node.js 24 (LTS), 24.11 or newer").
README_NODE = re.compile(r"Node\.js (\d+) \(LTS(?:, |\),\s*)(\d+)\.(\d+) or newer")
ENGINES_NODE = re.compile(r"^>=(\d+)\.(\d+)$")


def npm_warnings(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines of an npm command's output that npm printed as warnings."""
    text = f"{result.stdout}\n{result.stderr}"
    return [line for line in text.splitlines() if line.lower().startswith("npm warn")]


def readme_node(readme: Path) -> tuple[int, int, int]:
    """(major, minimum major, minimum minor) of the Node.js a README names."""
    named = README_NODE.search(readme.read_text(encoding="utf-8"))
    assert named, f"{readme} names no Node.js version"
    return int(named[1]), int(named[2]), int(named[3])


def running_node() -> tuple[int, int]:
    """(major, minor) of the node on PATH, the one npm and the tests run."""
    result = run(["node", "--version"])
    assert result.returncode == 0, output(result)
    major, minor, _ = result.stdout.strip().lstrip("v").split(".", 2)
    return int(major), int(minor)


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
    # On the Node the README names: a fresh install then prints no warning at all
    # (no EBADENGINE, no deprecated package).
    named, minimum_major, minimum_minor = readme_node(project / "README.md")
    node = running_node()
    assert node[0] == named and node >= (minimum_major, minimum_minor), (
        f"the tests run Node {node}, the README names Node.js {named} "
        f"({minimum_major}.{minimum_minor}+): put it first on PATH (.ci/run does)"
    )

    installed = npm_run(frontend, "ci")
    assert not npm_warnings(installed), output(installed)
    npm_run(frontend, "run", "format:check")
    tested = npm_run(frontend, "test")
    assert VITE_CONFIG_WARNING not in tested.stdout + tested.stderr, tested.stdout
    summary = VITEST_SUMMARY.search(tested.stdout)
    assert summary, f"no Vitest summary in\n{tested.stdout[-3000:]}"
    assert summary.group(1) == summary.group(2), summary.group(0)
    assert int(summary.group(1)) >= 40, summary.group(0)
    record_property(
        "generated_tests_passed", f"{combo.id} (Vitest): {summary.group(1)}"
    )

    built = npm_run(frontend, "run", "build")
    assert VITE_CONFIG_WARNING not in built.stdout + built.stderr, built.stdout
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


BAD_SETTINGS = [
    (
        "VITE_SENTRY_TRACES_SAMPLE_RATE",
        "often",
        'VITE_SENTRY_TRACES_SAMPLE_RATE must be a number between 0 and 1, got "often"',
    ),
    # A release name Sentry refuses, as the backend refuses it (core/settings.py).
    (
        "SENTRY_RELEASE",
        "1.0/beta",
        "SENTRY_RELEASE must not contain newlines, tabs, '/' or '\\', got \"1.0/beta\"",
    ),
]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    BAD_SETTINGS,
    ids=[setting[0] for setting in BAD_SETTINGS],
)
def test_bad_sentry_setting_stops_the_build(
    bake_combo: Callable[[Combo], Bake],
    tmp_path: Path,
    name: str,
    value: str,
    message: str,
) -> None:
    """One clear message naming the variable, and no dist/."""
    combo = make_combo(frontend=FRONTENDS[0])
    frontend = copy_frontend(bake_combo(combo).path(), tmp_path)
    npm_run(frontend, "ci")
    result = run(
        [npm(), "exec", "--", "vite", "build"],
        cwd=frontend,
        env=npm_env(**{name: value}),
    )
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not (frontend / "dist").exists()


def test_release_outside_git_is_the_backends(
    bake_combo: Callable[[Combo], Bake], tmp_path: Path
) -> None:
    """Outside a git checkout (an image build, an exported tree) the browser names the
    same release as the backend for the same environment: APP_VERSION when it is set,
    else <slug>@<version> (README, "Frontend": "the backend's rule")."""
    combo = make_combo(frontend=FRONTENDS[0])
    project = copy_project(bake_combo(combo).path(), tmp_path / "project")
    not_git = run(["git", "rev-parse", "HEAD"], cwd=project)
    assert not_git.returncode != 0, "the copy must not be inside a git checkout"
    slug = next(project.glob("*/core/scrubbing_policy.json")).parent.parent.name
    uv_sync(project)
    frontend = project / "frontend"
    npm_run(frontend, "ci")
    releases = {}
    for app_version in ("2024.11.3", ""):
        backend = run(
            [
                str(project / ".venv" / "bin" / "python"),
                "-c",
                f"from {slug}.features import Settings; "
                "print(Settings().resolved_release)",
            ],
            cwd=project,
            env=project_env(APP_VERSION=app_version),
        )
        assert backend.returncode == 0, output(backend)
        release = backend.stdout.strip().splitlines()[-1]
        npm_run(frontend, "exec", "--", "vite", "build", APP_VERSION=app_version)
        bundle = "".join(
            path.read_text() for path in (frontend / "dist" / "assets").glob("*.js")
        )
        # A string literal of the bundle, in whatever quotes the minifier chose.
        assert re.search(f"[`\"']{re.escape(release)}[`\"']", bundle), release
        releases[app_version] = release
    assert releases == {"2024.11.3": "2024.11.3", "": f"{slug}@0.1.0"}


# The GitLab pipeline is baked with a frontend among the option combinations.
NODE_COMBOS = [make_combo(frontend=frontend) for frontend in FRONTENDS] + [
    make_combo(ci="gitlab", frontend="vue", worker="arq")
]
NODE_IMAGE = re.compile(r"\bnode:(\d+)\b")
SETUP_NODE_VERSION = re.compile(r"node-version: *(\S+)")


@pytest.mark.parametrize("combo", NODE_COMBOS, ids=[combo.id for combo in NODE_COMBOS])
def test_one_node_version(combo: Combo, bake_combo: Callable[[Combo], Bake]) -> None:
    """The README, engines, the lock, the image, the dev compose file, CI, the
    version managers' `.nvmrc` and the template's own README name the same Node.js."""
    project = bake_combo(combo).path()
    named, minimum_major, minimum_minor = readme_node(project / "README.md")
    assert named == minimum_major, "the README names one major version"
    assert readme_node(ROOT / "README.md") == (named, minimum_major, minimum_minor)

    engines = f">={minimum_major}.{minimum_minor}"
    package = json.loads((project / "frontend/package.json").read_text())
    lock = json.loads((project / "frontend/package-lock.json").read_text())
    assert package["engines"]["node"] == engines
    assert lock["packages"][""]["engines"]["node"] == engines
    assert ENGINES_NODE.match(engines)

    images = {
        "frontend/Dockerfile": NODE_IMAGE.findall(
            (project / "frontend/Dockerfile").read_text()
        ),
        "docker-compose.dev.yml": NODE_IMAGE.findall(
            (project / "docker-compose.dev.yml").read_text()
        ),
        "frontend/.nvmrc": [(project / "frontend/.nvmrc").read_text().strip()],
    }
    ci = combo.answer("ci")
    if ci == "github":
        workflow = (project / ".github/workflows/ci.yml").read_text()
        images["ci.yml node-version"] = SETUP_NODE_VERSION.findall(workflow)
    else:
        images[".gitlab-ci.yml"] = NODE_IMAGE.findall(
            (project / ".gitlab-ci.yml").read_text()
        )
    for where, majors in images.items():
        assert majors and set(majors) == {str(named)}, f"{where}: Node {majors}"
