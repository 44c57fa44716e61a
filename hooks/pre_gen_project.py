"""Validate every answer before a single file is written.

Each refusal is one line on stderr naming the question and what it accepts; cookiecutter
then removes the half-made project directory.
"""

import json
import keyword
import math
import re
import sys

ANSWERS = json.loads({{cookiecutter | jsonify | tojson}})

# Every multiple-choice question with its choices, from cookiecutter.json (see
# local_extensions.TemplateChoices).
CHOICES = json.loads({{template_choices | jsonify | tojson}})

# Import names the generated project depends on (or may): a package with one of these
# names would shadow the real library.
DEPENDENCY_NAMES = {
    "alembic",
    "arq",
    "argon2",
    "celery",
    "django",
    "fastapi",
    "gunicorn",
    "httpx",
    "jwt",
    "kombu",
    "psycopg",
    "psycopg2",
    "pwdlib",
    "pydantic",
    "pydantic_settings",
    "pytest",
    "redis",
    "sentry_sdk",
    "sqlalchemy",
    "starlette",
    "strawberry",
    "uvicorn",
    "whitenoise",
    "core",
    "tests",
    "test",
}

RATE_QUESTIONS = (
    "traces_sample_rate_development",
    "traces_sample_rate_staging",
    "traces_sample_rate_production",
)

# Longer names would push generated lines past the formatter's width.
FREE_TEXT_LIMITS = {"project_name": 60, "description": 200, "author_name": 100}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
VERSION = re.compile(r"^\d+(\.\d+){0,3}((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


class Refusal(Exception):
    """An answer the template cannot accept; the message is shown as it is."""


def check_free_text(answers: dict) -> None:
    """Free text lands inside quoted strings in Python, TOML and YAML files."""
    for question, limit in FREE_TEXT_LIMITS.items():
        text = answers[question].strip()
        if not text or len(text) > limit or '"' in text or "\\" in text:
            raise Refusal(
                f"{question}: use 1 to {limit} characters, "
                "without double quotes or backslashes"
            )


def check_project_slug(answers: dict) -> None:
    slug = answers["project_slug"]
    accepted = "use a lowercase identifier such as acme_service"
    if not slug.isidentifier() or slug != slug.lower() or not slug.isascii():
        raise Refusal(
            f"project_slug: {slug!r} is not a lowercase Python identifier; {accepted}"
        )
    if slug.startswith("_") or slug.endswith("_") or "__" in slug:
        # The distribution name (`_` -> `-`) must start and end with a letter or
        # digit, and uv.lock spells it normalized (one `-` for a run of them).
        raise Refusal(
            f"project_slug: {slug!r} starts or ends with '_' or doubles it; {accepted}"
        )
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        raise Refusal(f"project_slug: {slug!r} is a Python keyword; {accepted}")
    if slug in sys.stdlib_module_names:
        raise Refusal(
            f"project_slug: {slug!r} is a standard library module; {accepted}"
        )
    if slug in DEPENDENCY_NAMES:
        raise Refusal(f"project_slug: {slug!r} would shadow a dependency; {accepted}")


def check_author_email(answers: dict) -> None:
    if not EMAIL.match(answers["author_email"]):
        raise Refusal(
            f"author_email: {answers['author_email']!r} is not an e-mail address; "
            "use name@example.com"
        )


def check_version(answers: dict) -> None:
    if not VERSION.match(answers["version"]):
        raise Refusal(
            f"version: {answers['version']!r} is not a PEP 440 version; use e.g. 0.1.0"
        )


def check_rates(answers: dict) -> None:
    for question in RATE_QUESTIONS:
        raw = answers[question]
        try:
            rate = float(raw)
        except ValueError:
            rate = math.nan
        if not 0.0 <= rate <= 1.0:
            raise Refusal(
                f"{question}: {raw!r} is not a number from 0 to 1; use e.g. 0.1"
            )


def check_choices(answers: dict) -> None:
    for question, accepted in CHOICES.items():
        value = answers[question]
        if value not in accepted:
            raise Refusal(f"{question}: {value!r} is not one of {', '.join(accepted)}")


CHECKS = (
    check_free_text,
    check_project_slug,
    check_author_email,
    check_version,
    check_rates,
    check_choices,
)


def main() -> int:
    try:
        for check in CHECKS:
            check(ANSWERS)
    except Refusal as refusal:
        print(refusal, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
