"""The generated project's own test command passes in its own fresh environment,
and the project type-checks there (`uv run mypy`, as its CI runs it).

For every framework x worker (and the alert notifiers): copy the bake, ``uv sync``
it from its own pyproject, then run Quick start line 2 of its README with the
project as cwd.
Each suite runs twice: on SQLite (DATABASE_URL removed) and on the PostgreSQL
server DATABASE_URL names (skipped when it names none). REDIS_URL is passed through.
The suites also read both from `.env`, as their README says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.combos import Combo, framework_worker_combos, make_combo
from tests.helpers.project import project_env, readme_test_command
from tests.helpers.tools import expect_success, output, run

pytestmark = pytest.mark.slow

# Every framework x worker, plus the alert notifiers (their tests run local servers)
# and the OTLP export of each framework (its tests run an OTLP receiver).
COMBOS = [
    *framework_worker_combos(),
    make_combo(framework="django", alerts="slack+email"),
    make_combo(framework="starlette-graphql", alerts="email"),
    make_combo(alerts="slack"),
    make_combo(opentelemetry="otlp"),
    make_combo(framework="django", opentelemetry="otlp", worker="celery"),
    make_combo(framework="starlette-graphql", opentelemetry="otlp", worker="arq"),
]
SUMMARY = re.compile(r"=+ .*\b(\d+) passed\b.* in [\d.]+s", re.MULTILINE)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("combo", COMBOS, ids=[combo.id for combo in COMBOS])
def test_generated_suite_passes(
    combo: Combo,
    database: str,
    synced_project: Callable[[Combo], Path],
    record_property: Callable[[str, object], None],
) -> None:
    env = project_env()
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
    elif not env.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("DATABASE_URL does not name a PostgreSQL server")
    project = synced_project(combo)
    command = readme_test_command(project)
    result = run(["bash", "-c", command], cwd=project, env=env, timeout=900)
    text = result.stdout + result.stderr
    expect_success(result, f"`{command}` failed")
    assert "no tests ran" not in text, output(result)
    summary = SUMMARY.search(text)
    assert summary is not None, f"no pytest 'N passed' summary\n{output(result)}"
    record_property(
        "generated_tests_passed", f"{combo.id} on {database}: {summary.group(1)}"
    )
    print(f"\n{combo.id}: `{command}` -> {summary.group(0).strip('= ')}")


@pytest.mark.parametrize("combo", COMBOS, ids=[combo.id for combo in COMBOS])
def test_generated_project_type_checks(
    combo: Combo, synced_project: Callable[[Combo], Path]
) -> None:
    project = synced_project(combo)
    result = run(["uv", "run", "mypy"], cwd=project, env=project_env(), timeout=900)
    expect_success(result, "`uv run mypy` failed")
    assert "Success: no issues found" in result.stdout, output(result)


def test_the_tests_read_their_servers_from_dotenv(
    synced_project: Callable[[Combo], Path],
) -> None:
    """As the README says: REDIS_URL and DATABASE_URL set in `.env` only (not in the
    environment) make the worker tests run, on PostgreSQL."""
    outer = project_env()
    redis_url = outer.pop("REDIS_URL", "")
    database_url = outer.pop("DATABASE_URL", "")
    if not redis_url or not database_url.startswith("postgres"):
        pytest.skip("REDIS_URL and DATABASE_URL (PostgreSQL) are not set")
    project = synced_project(make_combo(worker="arq"))
    dotenv = project / ".env"
    original = dotenv.read_text(encoding="utf-8")
    dotenv.write_text(
        f"{original}\nREDIS_URL={redis_url}\nDATABASE_URL={database_url}\n",
        encoding="utf-8",
    )
    try:
        command = f"{readme_test_command(project)} tests/test_arq_worker.py -rs"
        result = run(["bash", "-c", command], cwd=project, env=outer, timeout=600)
    finally:
        dotenv.write_text(original, encoding="utf-8")
    text = result.stdout + result.stderr
    expect_success(result, f"`{command}` failed")
    assert "database: PostgreSQL" in text, output(result)
    assert "redis: REDIS_URL is set" in text, output(result)
    assert "skipped" not in text and "REDIS_URL is not set" not in text, output(result)
    assert SUMMARY.search(text), output(result)
