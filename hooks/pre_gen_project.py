"""Validate every answer before a single file is written.

Each refusal is one line on stderr naming the question and what it accepts; cookiecutter
then removes the half-made project directory.
"""

import json
import keyword
import math
import re
import sys
import unicodedata

ANSWERS = json.loads({{cookiecutter | jsonify | tojson}})

# Every multiple-choice question with its choices, from cookiecutter.json (see
# local_extensions.TemplateChoices).
CHOICES = json.loads({{template_choices | jsonify | tojson}})
# The distribution name of every package in the generated projects' locks (also from
# local_extensions.TemplateChoices): a project of the same name makes its uv.lock
# unreadable, and its package would shadow that library's.
LOCKED_PACKAGES = set(json.loads({{locked_packages | jsonify | tojson}}))

# The folders beside the package in a generated project: a package of the same name
# would have to be created where the folder already is.
PROJECT_FOLDERS = {"deploy", "frontend", "scripts", "tests"}

# Import names the locks cannot tell (LOCKED_PACKAGES holds distribution names:
# `fastapi`, `sentry-sdk`), or that a project may reach for: a package with one of
# these names would shadow the real library.
IMPORT_NAMES = {
    "argon2",  # argon2-cffi
    "attr",  # attrs
    "dateutil",  # python-dateutil
    "dotenv",  # python-dotenv
    "google",  # protobuf
    "graphql",  # graphql-core
    "httpx",
    "jwt",  # pyjwt
    "opentelemetry",  # opentelemetry-api, -sdk...
    "psycopg2",
    "strawberry",  # strawberry-graphql
    "yaml",  # pyyaml
    "core",
    "tests",
    "test",
}

RATE_QUESTIONS = (
    "traces_sample_rate_development",
    "traces_sample_rate_staging",
    "traces_sample_rate_production",
)

# The package name is in import lines and dotted paths all over the project: a longer
# one would push them past the formatter's line length.
MAX_SLUG_LENGTH = 32
# Free text is escaped for every file it lands in (local_extensions.py); these limits
# keep the lines it lands on readable.
FREE_TEXT_LIMITS = {"project_name": 60, "description": 200, "author_name": 100}
# What no generated file can hold on one line: control characters (newline, tab...),
# invisible formatting (zero-width, bidirectional overrides), surrogates, private
# use and unassigned code points, line and paragraph separators.
UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# A plain address: an RFC 5322 dot-atom (letters of any script, digits and
# !#$%&'*+/=?^`{|}~- in dot-separated parts) at a domain with a top-level domain.
EMAIL_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
DOMAIN_LABEL = r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?"
# (Not an f-string: this file is a Jinja template, where two braces open an expression.)
EMAIL = re.compile(
    EMAIL_ATOM + r"(?:\." + EMAIL_ATOM + r")*@(?:" + DOMAIN_LABEL + r"\.)+[^\W\d_]{2,}"
)
MAX_EMAIL_LENGTH = 254
VERSION = re.compile(r"\d+(\.\d+){0,3}((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?")


class Refusal(Exception):
    """An answer the template cannot accept; the message is shown as it is."""


def check_free_text(answers: dict) -> None:
    """One line of printable text each: quotes, `<`, `{`, `&`, apostrophes and any
    script are escaped where they land; a newline or a control character cannot be."""
    for question, limit in FREE_TEXT_LIMITS.items():
        text = answers[question]
        if not text.strip() or len(text) > limit:
            raise Refusal(f"{question}: use 1 to {limit} characters")
        if not any(character.isalnum() for character in text):
            raise Refusal(f"{question}: use at least one letter or digit")
        unprintable = first_unprintable(text)
        if unprintable is not None:
            raise Refusal(
                f"{question}: use one line of printable text (it holds {unprintable})"
            )


def first_unprintable(text: str) -> str | None:
    """The name of the first character no generated file can hold, if any."""
    for character in text:
        if unicodedata.category(character) in UNPRINTABLE_CATEGORIES:
            return unicodedata.name(character, f"U+{ord(character):04X}")
    return None


def check_project_slug(answers: dict) -> None:
    slug = answers["project_slug"]
    accepted = "use a lowercase identifier such as acme_service"
    if len(slug) > MAX_SLUG_LENGTH:
        raise Refusal(
            f"project_slug: {slug!r} is longer than {MAX_SLUG_LENGTH} characters; "
            f"{accepted}"
        )
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
    if slug in IMPORT_NAMES or slug.replace("_", "-") in LOCKED_PACKAGES:
        raise Refusal(f"project_slug: {slug!r} would shadow a dependency; {accepted}")
    if slug in PROJECT_FOLDERS:
        raise Refusal(
            f"project_slug: {slug!r} is the name of a folder of the project; {accepted}"
        )


def check_author_email(answers: dict) -> None:
    email = answers["author_email"]
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL.fullmatch(email):
        raise Refusal(
            f"author_email: {answers['author_email']!r} is not an e-mail address; "
            "use name@example.com"
        )


def check_version(answers: dict) -> None:
    if not VERSION.fullmatch(answers["version"]):
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
