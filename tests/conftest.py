"""Shared fixtures of the template's tests: one bake per combination per session.

``bake(**context)`` bakes the template with pytest-cookies' session-scoped
``cookies_session`` and caches the result by the sorted answers, so every test
of a session (of an xdist worker) that needs the same combination shares it.
Bake timings are attached to the test reports and summed up at the end of the
run (also under xdist).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.baking import Bake
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
        times = f"  (x{len(values)}, one per xdist worker)" if len(values) > 1 else ""
        terminalreporter.write_line(f"{max(values):7.2f}  {label}{times}")
    total = sum(sum(values) for values in timings.values())
    count = sum(len(values) for values in timings.values())
    terminalreporter.write_line(f"{total:7.2f}  total for {count} bakes and syncs")


@pytest.fixture(scope="session")
def template_dir() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def bake(cookies_session: Any) -> Callable[..., Bake]:
    """Factory: ``bake(**answers)`` -> Bake, cached for the session by the answers."""
    cache: dict[tuple[tuple[str, str], ...], Bake] = {}

    def _bake(**context: str) -> Bake:
        key = tuple(sorted(context.items()))
        if key not in cache:
            started = time.perf_counter()
            result = cookies_session.bake(
                extra_context=dict(context), template=str(ROOT)
            )
            seconds = time.perf_counter() - started
            cache[key] = Bake(
                context=dict(context),
                seconds=seconds,
                exit_code=result.exit_code,
                exception=result.exception,
                project_path=result.project_path,
            )
            label = ",".join(f"{k}={v}" for k, v in key) or "default"
            _PENDING_TIMINGS.append((label, seconds))
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
    bake_combo: Callable[[Combo], Bake], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Combo], Path]:
    """``synced_project(combo)`` -> a fresh copy of the bake with its own ``uv sync``ed
    .venv (once per combination per session)."""
    cache: dict[tuple[tuple[str, str], ...], Path] = {}

    def _synced(combo: Combo) -> Path:
        if combo.context not in cache:
            source = bake_combo(combo).path()
            target = tmp_path_factory.mktemp("synced") / source.name
            copy_project(source, target)
            started = time.perf_counter()
            uv_sync(target)
            seconds = time.perf_counter() - started
            label = ",".join(f"{k}={v}" for k, v in combo.context) or "default"
            _PENDING_TIMINGS.append((f"uv sync {label}", seconds))
            cache[combo.context] = target
        return cache[combo.context]

    return _synced
