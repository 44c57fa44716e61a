"""The post-gen hook's PRUNE_TABLE, checked both ways: template and bakes.

The table is read with ``ast`` (the hook holds Jinja, so it is never imported):
``{"option": {"value": ["relative/path", ...]}}``; a path may hold the literal
``{{cookiecutter.project_slug}}`` for the package directory.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from tests.helpers.baking import Bake
from tests.helpers.combos import (
    COOKIECUTTER_JSON,
    ROOT,
    TEMPLATE_PROJECT_DIR,
    Combo,
    matrix,
)
from tests.helpers.tools import project_files

HOOK = ROOT / "hooks" / "post_gen_project.py"
SLUG_MARK = "{{cookiecutter.project_slug}}"
MATRIX = matrix()
PruneTable = dict[str, dict[str, list[str]]]


def _literal_after(source: str, name: str) -> object:
    """ast.literal_eval of the expression assigned to ``name`` in ``source``.

    Parses the whole file when it is valid Python; otherwise takes the shortest
    text after ``name =`` that is a complete literal (Jinja elsewhere in the file
    does not matter).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    if tree is not None:
        for node in ast.walk(tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                assert node.value is not None
                return ast.literal_eval(node.value)
        raise LookupError(f"no assignment to {name}")
    marker = f"\n{name}"
    start = source.index(marker) + len(marker)
    start = source.index("=", start) + 1
    for end in range(start + 1, len(source) + 1):
        if source[end - 1] not in "}]":
            continue
        try:
            return ast.literal_eval(source[start:end].strip())
        except (SyntaxError, ValueError):
            continue
    raise LookupError(f"no literal assigned to {name}")


def load_prune_table() -> PruneTable:
    table = _literal_after(HOOK.read_text(encoding="utf-8"), "PRUNE_TABLE")
    assert isinstance(table, dict), "PRUNE_TABLE is not a dict literal"
    return table  # type: ignore[return-value]


@pytest.fixture(scope="module")
def table() -> PruneTable:
    return load_prune_table()


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


def expected(combo: Combo, table: PruneTable) -> tuple[set[str], set[str]]:
    """(paths that must exist, paths that must be gone): the hook's keep-wins rule."""
    keep: set[str] = set()
    drop: set[str] = set()
    for option, values in table.items():
        for value, paths in values.items():
            (keep if combo.answer(option) == value else drop).update(paths)
    return keep, drop - keep


def test_table_shape(table: PruneTable) -> None:
    assert table, "PRUNE_TABLE is empty"
    for option, values in table.items():
        assert option in COOKIECUTTER_JSON, f"{option!r} is not a question"
        choices = COOKIECUTTER_JSON[option]
        assert isinstance(choices, list), (
            f"{option!r} is not a multiple-choice question"
        )
        for value, paths in values.items():
            assert value in choices, f"{option}={value!r} is not one of {choices}"
            assert isinstance(paths, list)
            for path in paths:
                assert isinstance(path, str) and path, (
                    f"{option}={value}: bad path {path!r}"
                )
                assert not path.startswith("/") and ".." not in path.split("/"), path
                assert path == path.strip("/"), f"{option}={value}: {path!r}"


def test_every_listed_path_exists_in_the_template(table: PruneTable) -> None:
    missing = [
        f"{option}={value}: {path}"
        for option, values in table.items()
        for value, paths in values.items()
        for path in paths
        if not (TEMPLATE_PROJECT_DIR / path).exists()
    ]
    assert not missing, "listed in PRUNE_TABLE but not in the template:\n" + "\n".join(
        missing
    )


def test_every_optional_file_is_listed(
    table: PruneTable, bake_combo: Callable[[Combo], Bake]
) -> None:
    """A file present in some bakes but not all must be covered by the table."""
    listed = {
        path for values in table.values() for paths in values.values() for path in paths
    }
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
    combo: Combo, table: PruneTable, bake_combo: Callable[[Combo], Bake]
) -> None:
    project = bake_combo(combo).path()
    keep, drop = expected(combo, table)

    def resolve(path: str) -> Path:
        return project / path.replace(SLUG_MARK, combo.slug)

    def pruned_with_a_parent(path: str) -> bool:
        # e.g. the FastAPI tasks router (worker=celery) goes with api/ (framework).
        return any(path.startswith(parent + "/") for parent in drop)

    survivors = sorted(path for path in drop if resolve(path).exists())
    missing = sorted(
        path
        for path in keep
        if not resolve(path).exists() and not pruned_with_a_parent(path)
    )
    assert not survivors, f"paths of unchosen values survived: {survivors}"
    assert not missing, f"paths of chosen values are missing: {missing}"
