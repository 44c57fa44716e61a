"""A generated project records its answers; replaying them bakes the same tree.

Only `.env` differs: generation draws its dev secrets afresh from ``secrets`` every
time, and no other file holds them.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.helpers.baking import Bake
from tests.helpers.combos import ROOT, Combo, make_combo
from tests.helpers.tools import project_files

COMBOS = [
    make_combo(),
    make_combo(
        framework="django",
        worker="celery",
        frontend="react",
        pii_mode="strict",
        ci="gitlab",
        project_name="Billing API",
    ),
]
# The one file that holds generated secrets, and what a generated secret looks like.
SECRET_FILES = {".env"}
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{24,}")


def _tree(root: Path) -> dict[str, str]:
    files = {}
    for path in project_files(root):
        relative = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if relative in SECRET_FILES:
            text = SECRET_TOKEN.sub("<secret>", text)
        files[relative] = text
    return files


@pytest.mark.parametrize("combo", COMBOS, ids=[combo.id for combo in COMBOS])
def test_replaying_the_recorded_answers_bakes_the_same_tree(
    combo: Combo, bake_combo: Callable[[Combo], Bake], tmp_path: Path
) -> None:
    first = bake_combo(combo).path()
    recorded = json.loads((first / ".cookiecutter.json").read_text(encoding="utf-8"))
    answers = recorded["cookiecutter"]
    for question, value in combo.extra_context.items():
        assert answers[question] == value
    assert not {"_output_dir", "_repo_dir", "_checkout"} & answers.keys()

    again = Path(
        cookiecutter(
            str(ROOT),
            replay=str(first / ".cookiecutter.json"),
            output_dir=str(tmp_path),
        )
    )

    assert again.name == first.name
    first_tree, second_tree = _tree(first), _tree(again)
    assert sorted(first_tree) == sorted(second_tree)
    changed = [name for name in first_tree if first_tree[name] != second_tree[name]]
    assert not changed, f"re-baked files differ: {changed}"


# What using a project leaves in it, all git-ignored: bytecode, the frontend's
# build, the SQLite database, Django's collected static files, Celery beat's
# schedule, the virtualenv.
LEFT_BY_USE = (
    "{slug}/__pycache__/settings.cpython-311.pyc",
    "tests/__pycache__/conftest.cpython-311.pyc",
    "frontend/dist/index.html",
    "{slug}.db",
    "{slug}/staticfiles/admin/css/base.css",
    "celerybeat-schedule.dat",
    ".venv/pyvenv.cfg",
)


@pytest.mark.skipif(shutil.which("diff") is None, reason="needs diff(1)")
def test_the_readmes_comparison_shows_no_difference_after_use(
    bake_combo: Callable[[Combo], Bake], tmp_path: Path
) -> None:
    """The README's `diff -r` of a used project against a replayed bake: silent, as
    the README says (two bakes differ only in `.env`), whatever running it added."""
    combo = COMBOS[1]
    used = tmp_path / "used"
    shutil.copytree(bake_combo(combo).path(), used)
    slug = json.loads((used / ".cookiecutter.json").read_text(encoding="utf-8"))[
        "cookiecutter"
    ]["project_slug"]
    for name in LEFT_BY_USE:
        path = used / name.format(slug=slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("left by use\n", encoding="utf-8")
    readme = (used / "README.md").read_text(encoding="utf-8")
    (command,) = [line for line in readme.splitlines() if line.startswith("diff -r ")]
    cookiecutter(
        str(ROOT),
        replay=str(used / ".cookiecutter.json"),
        output_dir=str(tmp_path / "regenerated"),
    )
    arguments = shlex.split(
        command.replace("/tmp/regenerated", str(tmp_path / "regenerated"))
    )
    result = subprocess.run(
        arguments, cwd=used, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
