"""The post-generation hook's tables (CONDITIONS, PRUNE_TABLE, RENAMES), read with
``ast``: the hook holds Jinja, so it is never imported."""

from __future__ import annotations

import ast
from typing import Any

from tests.helpers.combos import ROOT, Combo

HOOK = ROOT / "hooks" / "post_gen_project.py"


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


def load_table(name: str) -> dict[str, Any]:
    """The dict literal assigned to ``name`` in the hook."""
    table = _literal_after(HOOK.read_text(encoding="utf-8"), name)
    assert isinstance(table, dict), f"{name} is not a dict literal"
    return table


def holds(condition: dict[str, list[str]], combo: Combo) -> bool:
    """Does ``combo`` meet ``condition`` (each question answered as listed)?"""
    return all(combo.answer(q) in values for q, values in condition.items())
