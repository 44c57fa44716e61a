"""Every generated project ships a current uv.lock for its own combination.

The locks live in templates/uv/ (written by scripts/lock_python.py) and are
assembled by {{cookiecutter.project_slug}}/uv.lock. For every combination of the
questions that shape the generated pyproject.toml, a bake's lock must satisfy its
pyproject (`uv lock --check`, offline: nothing to resolve). That the generated suites
pass with the lock is proven where they run: `synced_project` syncs with
`uv sync --locked`.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable

import pytest
from jinja2 import Environment, FileSystemLoader

from scripts.lock_python import lock_key, shaping_questions
from tests.helpers.baking import Bake
from tests.helpers.combos import ROOT, Combo, make_combo
from tests.helpers.project import PROJECT_PYTHON, project_env, quick_start, uv
from tests.helpers.tools import expect_success, run

STORE = ROOT / "templates" / "uv"
STALE = "the stored locks are stale: run `uv run python scripts/lock_python.py`"
QUESTIONS = shaping_questions()
DEFAULTS = {question: values[0] for question, values in QUESTIONS.items()}


def shaping_combos() -> list[Combo]:
    """Every combination of the shaping questions (defaults left out, so that the
    bakes are shared with the other tests)."""
    combos = []
    for values in itertools.product(*QUESTIONS.values()):
        answers = dict(zip(QUESTIONS, values, strict=True))
        combos.append(
            make_combo(**{q: v for q, v in answers.items() if v != DEFAULTS[q]})
        )
    return combos


def stored_index() -> dict[str, object]:
    """QUESTIONS, LOCKS and PACKAGES of templates/uv/locks.jinja."""
    environment = Environment(loader=FileSystemLoader(ROOT / "templates"))
    module = environment.get_template("uv/locks.jinja").module
    return {name: getattr(module, name) for name in ("QUESTIONS", "LOCKS", "PACKAGES")}


def packages(lock_text: str) -> list[dict[str, object]]:
    return tomllib.loads(lock_text)["package"]


def test_the_store_follows_the_questions_that_shape_the_dependencies() -> None:
    """A question added to pyproject.toml (or a new value) needs the script run."""
    index = stored_index()
    assert index["QUESTIONS"] == list(QUESTIONS), STALE
    expected = {
        lock_key(dict(zip(QUESTIONS, values, strict=True)))
        for values in itertools.product(*QUESTIONS.values())
    }
    assert set(index["LOCKS"]) == expected, STALE


def test_the_store_holds_no_stale_file() -> None:
    index = stored_index()
    locks = set(index["LOCKS"].values())
    used = {file for entries in index["PACKAGES"].values() for _, file in entries}
    stored = {path.name for path in (STORE / "packages").glob("*.toml")}
    assert stored == used, f"unused: {stored - used}; missing: {used - stored}"
    lock_dirs = {path.name for path in (STORE / "locks").iterdir()}
    assert lock_dirs == locks == set(index["PACKAGES"])
    for lock in locks:
        assert {p.name for p in (STORE / "locks" / lock).iterdir()} == {
            "header.toml",
            "project.toml",
        }


@pytest.mark.parametrize("combo", shaping_combos(), ids=lambda combo: combo.id)
def test_the_lock_is_current(combo: Combo, bake_combo: Callable[[Combo], Bake]) -> None:
    project = bake_combo(combo).path()
    result = run(
        [uv(), "lock", "--check", "--offline", "--python", PROJECT_PYTHON],
        cwd=project,
        env=project_env(),
    )
    expect_success(result, STALE)


@pytest.mark.parametrize(
    "answers",
    [
        {"project_name": "Billing API", "version": "2.3.4"},
        # Sorts before every package, and after every package.
        {"project_slug": "aaa_service", "version": "1.0rc1", "framework": "django"},
        {"project_slug": "zzz_service", "version": "10.2.3.post1", "worker": "arq"},
    ],
    ids=["billing-api", "first", "last"],
)
def test_the_lock_names_the_project_in_uv_order(
    answers: dict[str, str], bake: Callable[..., Bake]
) -> None:
    project = bake(**answers).path()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    text = (project / "uv.lock").read_text(encoding="utf-8")
    entries = packages(text)
    names = [str(entry["name"]) for entry in entries]
    assert names == sorted(names), "packages are not in uv's order"
    (own,) = [entry for entry in entries if entry.get("source") == {"editable": "."}]
    assert own["name"] == pyproject["project"]["name"]
    assert own["version"] == answers["version"]
    assert re.search(r"\n\n\[\[package\]\]\nname = ", text)
    assert text.endswith("\n") and not text.endswith("\n\n")
    result = run(
        [uv(), "lock", "--check", "--offline", "--python", PROJECT_PYTHON],
        cwd=project,
        env=project_env(),
    )
    expect_success(result, STALE)


def test_installs_are_locked_everywhere(bake: Callable[..., Bake]) -> None:
    """The Dockerfile, CI and the README install with --locked."""
    for answers in ({"ci": "github"}, {"ci": "gitlab"}):
        project = bake(**answers).path()
        dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
        syncs = re.findall(r"uv sync[^\n]*", dockerfile)
        assert syncs and all("--locked" in line for line in syncs), syncs
        ci_file = (
            project / ".github/workflows/ci.yml"
            if answers["ci"] == "github"
            else project / ".gitlab-ci.yml"
        )
        ci_syncs = re.findall(r"uv sync[^\n]*", ci_file.read_text("utf-8"))
        assert ci_syncs and all("--locked" in line for line in ci_syncs), ci_syncs
        runs = re.findall(r"uv run[^&]*", " && ".join(quick_start(project)))
        assert runs and all("--locked" in command for command in runs), runs
