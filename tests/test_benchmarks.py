"""The benchmark scripts run to the end in their quick mode and print their tables.

Smoke tests only: the figures are never asserted (they depend on the machine);
benchmarks/BENCHMARKS.md says how to get them.
"""

from __future__ import annotations

import shutil
import sys

import pytest

from tests.helpers.combos import ROOT, matrix
from tests.helpers.tools import clean_env, output, run

# Both hog the CPU: one xdist worker runs them one after the other.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("benchmarks")]

BENCHMARKS = ROOT / "benchmarks"


def test_service_benchmark_quick() -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install -y wrk; .ci/run does)")
    script = BENCHMARKS / "service_benchmark.py"
    result = run(
        [sys.executable, str(script), "--quick", "--frameworks", "fastapi"],
        cwd=ROOT,
        env=clean_env(),
        timeout=420,
    )
    assert result.returncode == 0, output(result)
    table = result.stdout
    for scenario in (
        "off",
        "floor",
        "on",
        "on-no-logs",
        "closed-port",
        "black-hole",
        "slow",
    ):
        assert f"\n{scenario} " in table, f"no {scenario} row\n{output(result)}"
    assert "fastapi burst:" in table, output(result)
    assert "fastapi errors:" in table, output(result)
    assert "SDK CPU per failing request" in table, output(result)
    assert "transport queue size" in table, output(result)
    assert "goals" in table, output(result)


def test_bake_benchmark_quick() -> None:
    script = BENCHMARKS / "bake_benchmark.py"
    result = run(
        [sys.executable, str(script), "--quick"], cwd=ROOT, env=clean_env(), timeout=120
    )
    assert result.returncode == 0, output(result)
    assert "worst ratio:" in result.stdout, output(result)
    # --quick bakes the first and the last combination of the matrix.
    for combo in (matrix()[0], matrix()[-1]):
        row = f"\n{combo.id} "
        assert row in result.stdout, f"no row for {combo.id}\n{output(result)}"


def test_logging_benchmark_quick() -> None:
    script = BENCHMARKS / "logging_benchmark.py"
    result = run(
        [sys.executable, str(script), "--quick", "--frameworks", "fastapi"],
        cwd=ROOT,
        env=clean_env(),
        timeout=300,
    )
    assert result.returncode == 0, output(result)
    for scenario in ("no line", "json", "console", "json+sentry-logs"):
        assert f"\n  {scenario} " in result.stdout, (
            f"no {scenario} row\n{output(result)}"
        )
    assert "per log call:" in result.stdout, output(result)
    assert "scrub_fields over one line's fields alone:" in result.stdout, output(result)
