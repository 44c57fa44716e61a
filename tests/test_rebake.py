"""A generated project records its answers; replaying them bakes the same tree.

Only `.env` differs: generation draws its dev secrets afresh from ``secrets`` every
time, and no other file holds them.
"""

from __future__ import annotations

import json
import re
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
