"""Shared fixtures of the template's tests: one bake per combination per run.

``bake(**context)`` bakes the template once per combination for the whole run: the
bakes live in a directory all xdist workers share, and the first worker to need a
combination bakes it under a lock while the others wait and reuse it
(``tests/helpers/baking.py``); ``synced_project(combo)`` does the same for the
``uv sync``ed copy. Bake timings are attached to the test reports and summed up at
the end of the run: one line per bake actually made.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.baking import Bake, directory_name, exclusive, shared_bake
from tests.helpers.combos import ROOT, Combo
from tests.helpers.project import copy_project, uv_sync

BAKE_PROPERTY = "bake_seconds"
# record_property() names shown in the terminal summary.
SUMMARY_FIGURES = ("generated_tests_passed",)
_PENDING_TIMINGS: list[tuple[str, float]] = []


def pytest_configure(config: pytest.Config) -> None:
    for marker in (
        "slow: syncs a generated project's own environment (uv sync) and runs it",
        "e2e: starts real servers (Bugsink, the generated service) on 127.0.0.1",
    ):
        config.addinivalue_line("markers", marker)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the long tests first so that xdist overlaps them with the quick ones."""

    def weight(item: pytest.Item) -> int:
        if item.get_closest_marker("e2e"):
            return 0
        if item.get_closest_marker("slow"):
            return 1
        return 2

    items.sort(key=weight)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[None]:
    # Bakes made while setting up or running this test are reported with it, so
    # the controller (which sees reports, not worker memory) can sum them up.
    while _PENDING_TIMINGS:
        combo_id, seconds = _PENDING_TIMINGS.pop(0)
        item.user_properties.append((BAKE_PROPERTY, (combo_id, round(seconds, 3))))
    yield


def pytest_terminal_summary(terminalreporter: Any) -> None:
    timings: dict[str, list[float]] = {}
    figures: set[tuple[str, str]] = set()
    seen: set[tuple[str, str, float]] = set()
    for reports in terminalreporter.stats.values():
        for report in reports:
            node = getattr(report, "nodeid", "")
            for name, value in getattr(report, "user_properties", ()):
                if name in SUMMARY_FIGURES:
                    figures.add((name, str(value)))
                if name != BAKE_PROPERTY or (node, *value) in seen:
                    continue
                seen.add((node, *value))
                label, seconds = value
                timings.setdefault(label, []).append(float(seconds))
    if figures:
        terminalreporter.section("recorded figures (never asserted)")
        for name, value in sorted(figures):
            terminalreporter.write_line(f"{name} = {value}")
    if not timings:
        return
    terminalreporter.section("bake and uv sync timings (s)")
    for label, values in sorted(timings.items(), key=lambda kv: -max(kv[1])):
        times = f"  (x{len(values)})" if len(values) > 1 else ""
        terminalreporter.write_line(f"{max(values):7.2f}  {label}{times}")
    total = sum(sum(values) for values in timings.values())
    count = sum(len(values) for values in timings.values())
    terminalreporter.write_line(f"{total:7.2f}  total for {count} bakes and syncs")


@pytest.fixture(scope="session")
def template_dir() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every xdist worker of this run sees (a session's own without
    xdist)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # The run's directory, above each worker's.
    path = root / "shared"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def bake(shared_dir: Path) -> Callable[..., Bake]:
    """Factory: ``bake(**answers)`` -> Bake, made once per run for those answers."""
    cache: dict[tuple[tuple[str, str], ...], Bake] = {}

    def _bake(**context: str) -> Bake:
        key = tuple(sorted(context.items()))
        if key not in cache:
            label = ",".join(f"{k}={v}" for k, v in key) or "default"
            directory = shared_dir / "bakes" / directory_name(label)
            cache[key], made = shared_bake(ROOT, dict(context), directory)
            if made:
                _PENDING_TIMINGS.append((label, cache[key].seconds))
        return cache[key]

    return _bake


@pytest.fixture(scope="session")
def bake_combo(bake: Callable[..., Bake]) -> Callable[[Combo], Bake]:
    """``bake_combo(combo)`` -> Bake, for tests parametrized over ``Combo`` objects."""

    def _bake_combo(combo: Combo) -> Bake:
        return bake(**combo.extra_context)

    return _bake_combo


@pytest.fixture(scope="session")
def synced_project(
    bake_combo: Callable[[Combo], Bake], shared_dir: Path
) -> Callable[[Combo], Path]:
    """``synced_project(combo)`` -> a copy of the bake with its own ``uv sync``ed
    .venv, made once per combination per run."""

    def _synced(combo: Combo) -> Path:
        source = bake_combo(combo).path()
        label = ",".join(f"{k}={v}" for k, v in combo.context) or "default"
        directory = shared_dir / "synced" / directory_name(label)
        target = directory / source.name
        done = directory / "synced"
        with exclusive(directory.with_suffix(".lock")):
            if not done.exists():
                if target.exists():  # A sync that failed earlier: start afresh.
                    shutil.rmtree(target)
                copy_project(source, target)
                started = time.perf_counter()
                uv_sync(target)
                seconds = time.perf_counter() - started
                _PENDING_TIMINGS.append((f"uv sync {label}", seconds))
                done.touch()
        return target

    return _synced
