"""The post-gen hook's PRUNE_TABLE, checked both ways: template and bakes.

The tables are read with ``ast`` (the hook holds Jinja, so it is never imported):
``CONDITIONS = {"name": {"question": ["answer", ...]}}``, ``PRUNE_TABLE = {"name":
["relative/path", ...]}`` and ``RENAMES = {"template path": "baked path"}``; a path
may hold the literal ``{{cookiecutter.project_slug}}`` for the package directory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from tests.helpers.baking import Bake
from tests.helpers.combos import (
    COOKIECUTTER_JSON,
    TEMPLATE_PROJECT_DIR,
    Combo,
    matrix,
)
from tests.helpers.hook_tables import holds, load_table
from tests.helpers.tools import project_files

SLUG_MARK = "{{cookiecutter.project_slug}}"
MATRIX = matrix()
PruneTable = dict[str, list[str]]
Conditions = dict[str, dict[str, list[str]]]


def load_prune_table() -> PruneTable:
    return load_table("PRUNE_TABLE")


@pytest.fixture(scope="module")
def table() -> PruneTable:
    return load_prune_table()


@pytest.fixture(scope="module")
def conditions() -> Conditions:
    return load_table("CONDITIONS")


@pytest.fixture(scope="module")
def renames() -> dict[str, str]:
    return load_table("RENAMES")


def generic(relative: PurePosixPath, slug: str) -> str:
    """A baked path with the package directory written as in the template."""
    return "/".join(SLUG_MARK if part == slug else part for part in relative.parts)


def covered(path: str, listed: set[str]) -> bool:
    """Is ``path`` listed, itself or through a listed parent directory?"""
    parts = path.split("/")
    return any("/".join(parts[:i]) in listed for i in range(1, len(parts) + 1))


def baked_files(project: Path, slug: str) -> set[str]:
    return {
        generic(PurePosixPath(path.relative_to(project).as_posix()), slug)
        for path in project_files(project)
    }


def expected(
    combo: Combo, table: PruneTable, conditions: Conditions
) -> tuple[set[str], set[str]]:
    """(paths that must exist, paths that must be gone)."""
    keep: set[str] = set()
    drop: set[str] = set()
    for name, paths in table.items():
        (keep if holds(conditions[name], combo) else drop).update(paths)
    return keep, drop


def test_table_shape(
    table: PruneTable, conditions: Conditions, renames: dict[str, str]
) -> None:
    assert table, "PRUNE_TABLE is empty"
    for name, condition in conditions.items():
        assert condition, f"condition {name!r} names no question"
        for question, answers in condition.items():
            choices = COOKIECUTTER_JSON.get(question)
            assert isinstance(choices, list), f"{name}: {question!r} is no choice"
            unknown = set(answers) - set(choices)
            assert not unknown, f"{name}: {sorted(unknown)} are not {question} answers"
    assert set(table) == set(conditions), "a condition without paths, or vice versa"
    listed = [path for paths in table.values() for path in paths]
    twice = sorted({path for path in listed if listed.count(path) > 1})
    assert not twice, f"paths listed twice: {twice}"
    for path in listed:
        assert isinstance(path, str) and path, f"bad path {path!r}"
        assert not path.startswith("/") and ".." not in path.split("/"), path
        assert path == path.strip("/"), path
    for source in renames:
        assert source in listed, f"renamed {source} must be kept by a condition"


def test_every_listed_path_exists_in_the_template(
    table: PruneTable, renames: dict[str, str]
) -> None:
    missing = [
        f"{name}: {path}"
        for name, paths in table.items()
        for path in [*paths, *renames]
        if not (TEMPLATE_PROJECT_DIR / path).exists()
    ]
    assert not missing, "listed in the hook but not in the template:\n" + "\n".join(
        missing
    )


def test_every_optional_file_is_listed(
    table: PruneTable, renames: dict[str, str], bake_combo: Callable[[Combo], Bake]
) -> None:
    """A file present in some bakes but not all must be covered by the table."""
    listed = {path for paths in table.values() for path in paths} | set(
        renames.values()
    )
    per_bake = {
        combo.id: baked_files(bake_combo(combo).path(), combo.slug) for combo in MATRIX
    }
    everywhere = set.intersection(*per_bake.values())
    anywhere = set.union(*per_bake.values())
    optional = sorted(anywhere - everywhere)
    count = {
        path: sum(path in files for files in per_bake.values()) for path in optional
    }
    unlisted = [
        f"{path}  (in {count[path]}/{len(per_bake)} bakes)"
        for path in optional
        if not covered(path, listed)
    ]
    assert not unlisted, "optional files missing from PRUNE_TABLE:\n" + "\n".join(
        unlisted
    )


@pytest.mark.parametrize("combo", MATRIX, ids=[combo.id for combo in MATRIX])
def test_bake_follows_the_table(
    combo: Combo,
    table: PruneTable,
    conditions: Conditions,
    renames: dict[str, str],
    bake_combo: Callable[[Combo], Bake],
) -> None:
    project = bake_combo(combo).path()
    keep, drop = expected(combo, table, conditions)

    def resolve(path: str) -> Path:
        return project / path.replace(SLUG_MARK, combo.slug)

    def pruned_with_a_parent(path: str) -> bool:
        # e.g. the FastAPI tasks router (a worker) goes with api/ (fastapi).
        return any(path.startswith(parent + "/") for parent in drop)

    survivors = sorted(path for path in drop if resolve(path).exists())
    kept_renamed = [path for path in keep if path in renames]
    missing = sorted(
        path
        for path in keep - set(renames)
        if not resolve(path).exists() and not pruned_with_a_parent(path)
    )
    missing += [
        renames[path] for path in kept_renamed if not resolve(renames[path]).exists()
    ]
    leftovers = sorted(path for path in renames if resolve(path).exists())
    assert not survivors, f"paths of unchosen answers survived: {survivors}"
    assert not missing, f"paths of chosen answers are missing: {missing}"
    assert not leftovers, f"variants kept under their template name: {leftovers}"
    assert len({renames[path] for path in kept_renamed}) == len(kept_renamed), (
        f"two variants of one module kept: {kept_renamed}"
    )
