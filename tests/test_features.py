"""Each feature lives in files kept or removed whole: the generated core is the same
in every bake and holds no template code, and no bake carries code, settings or docs
of a feature it did not choose."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.baking import Bake
from tests.helpers.combos import TEMPLATE_PROJECT_DIR, Combo, matrix
from tests.helpers.hook_tables import holds, load_table
from tests.helpers.tools import project_files, read_text

MATRIX = matrix()
CORE = TEMPLATE_PROJECT_DIR / "{{cookiecutter.project_slug}}" / "core"
JINJA = ("{{", "{%", "{#")
# Files that name every choice by design: the recorded answers, and lock files.
NOT_CHECKED = {".cookiecutter.json", ".cruft.json", "uv.lock", "package-lock.json"}

# A condition of the hook's CONDITIONS -> what only its files say (matched without
# regard to case): none of it may appear in a bake where the condition fails.
MARKERS: dict[str, list[str]] = {
    "fastapi": [r"fastapi"],
    "django": [r"django"],
    # GraphQL itself is named by the privacy docs (the SDK's data categories).
    "starlette-graphql": [r"strawberry", r"graphql_api", r"/graphql\b"],
    "a SQLAlchemy framework": [r"sqlalchemy", r"SENTRY_SLOW_QUERY_MS"],
    "a worker": [r"REDIS_URL", r"WORKER_QUEUE", r"SENTRY_DSN_WORKER", r"enqueue_order"],
    "celery": [r"celery"],
    "arq": [r"\barq\b"],
    "a frontend": [r"VITE_SENTRY", r"frontend/"],
    "vue": [r"@sentry/vue", r"\bvue\b"],
    "react": [r"@sentry/react", r"\breact\b"],
    "alerts": [r"SENTRY_CRITICAL_ERROR_THRESHOLD", r"AlertMonitor", r"alerts/"],
    # Slack's token formats are in the scrubbing policy of every bake.
    "slack alerts": [
        r"SENTRY_SLACK_",
        r"SlackSettings",
        r"slack_notifier",
        r"alerts/slack",
    ],
    "email alerts": [r"SMTP_", r"aiosmtpd", r"EmailNotifier"],
    "bugsink": [r"bugsink"],
    "otlp": [r"opentelemetry", r"\botlp\b", r"OTEL_", r"otel-collector"],
}


def test_every_marker_names_a_condition() -> None:
    assert set(MARKERS) <= set(load_table("CONDITIONS"))


def test_the_core_holds_no_template_code() -> None:
    files = sorted(CORE.glob("*.py"))
    assert files
    templated = [
        f"{path.name}: {marker}"
        for path in files
        for marker in JINJA
        if marker in path.read_text(encoding="utf-8")
    ]
    assert not templated, f"Jinja in the generated core: {templated}"


def test_the_core_is_the_same_in_every_bake(
    bake_combo: Callable[[Combo], Bake],
) -> None:
    """The template's core/, copied as it is: no bake changes a byte of it."""
    expected = {path.name: path.read_bytes() for path in CORE.glob("*.py")}
    for combo in MATRIX:
        core = bake_combo(combo).path() / combo.slug / "core"
        baked = {path.name: path.read_bytes() for path in core.glob("*.py")}
        assert baked == expected, f"{combo.id}: core/ differs from the template's"


def leaks(project: Path, combo: Combo) -> list[str]:
    """Where the bake mentions a feature whose condition it does not meet."""
    conditions = load_table("CONDITIONS")
    absent = {
        name: re.compile("|".join(patterns), re.IGNORECASE)
        for name, patterns in MARKERS.items()
        if not holds(conditions[name], combo)
    }
    found = []
    for path in project_files(project):
        if path.name in NOT_CHECKED:
            continue
        relative = path.relative_to(project).as_posix()
        text = read_text(path)
        for name, pattern in absent.items():
            hit = pattern.search(relative) or (text and pattern.search(text))
            if hit:
                found.append(f"{relative}: {hit.group(0)!r} of {name!r}")
    return found


@pytest.mark.parametrize("combo", MATRIX, ids=[combo.id for combo in MATRIX])
def test_no_code_of_an_unchosen_feature(
    combo: Combo, bake_combo: Callable[[Combo], Bake]
) -> None:
    found = leaks(bake_combo(combo).path(), combo)
    assert not found, "features not chosen, still in the bake:\n" + "\n".join(found)
