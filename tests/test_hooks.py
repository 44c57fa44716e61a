"""The pre-gen hook refuses bad answers with one clear line, leaving nothing behind.

Each case runs the cookiecutter CLI once (in a subprocess, as a user would) and
the result is shared by the tests that look at its different aspects.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.combos import (
    COOKIECUTTER_JSON,
    DEFAULT_SLUG,
    ROOT,
)
from tests.helpers.tools import clean_env, output, run


@dataclass(frozen=True)
class Case:
    question: str
    value: str
    via: str = "cli"  # "cli": --no-input key=value; "replay": a replay file

    @property
    def id(self) -> str:
        return f"{self.via}:{self.question}={self.value}"


SLUGS = ["1abc", "my-service", "Acme", "class", "json", "logging"]
# Distribution names start and end with a letter or digit, one '-' at a time.
SLUGS += ["_acme", "acme_", "acme__service"]
DEPENDENCIES = ["fastapi", "sentry_sdk", "sqlalchemy", "pydantic", "jwt"]
# Any package of the locks, direct or not (a project of the same name has a uv.lock
# uv cannot read), and import names unlike their distribution's (graphql-core).
DEPENDENCIES += ["structlog", "click", "h11", "python_dateutil", "graphql"]
# The project's own folders (deploy/, frontend/, scripts/, tests/): the package
# cannot take their place.
PROJECT_FOLDERS = sorted(
    path.name
    for path in (ROOT / "{{cookiecutter.project_slug}}").iterdir()
    if path.is_dir() and path.name.isidentifier()
)
RATES = ["abc", "-0.1", "1.5", "nan"]
# Characters no one-line field can hold: newlines, a tab, a NUL, DEL, a bidirectional
# override and a zero-width space (invisible), the Unicode line separator.
UNPRINTABLE = ["\n", "\r", "\t", "\x00", "\x7f", "\u202e", "\u200b", "\u2028"]
BAD_EMAILS = [
    'dev"x@example.com',
    "dev x@example.com",
    "<dev@example.com>",
    "dev@example",
    "dev@example.com\n",
    "dev\\x@example.com",
    "dev@exa_mple.com",
    "dev@example.com, ops@example.com",
]
# Values outside the choices. Cookiecutter's CLI refuses `key=value` ones itself
# (before any hook runs); a replay file hands them to the hook unchecked.
OUTSIDE_CHOICES = {
    "framework": "flask",
    "worker": "rq",
    "frontend": "svelte",
    "ci": "jenkins",
    "pii_mode": "lax",
    "default_environment": "qa",
    "local_error_tracker": "glitchtip",
    "alerts": "pagerduty",
    "opentelemetry": "jaeger",
}
RATE_QUESTIONS = [
    key for key in COOKIECUTTER_JSON if key.startswith("traces_sample_rate_")
]

CASES = [
    *(Case("project_slug", slug) for slug in SLUGS + DEPENDENCIES + PROJECT_FOLDERS),
    *(Case(question, rate) for question in RATE_QUESTIONS for rate in RATES),
    Case("project_slug", "a" * 33),
    Case("author_email", "not-an-email"),
    *(Case("author_email", email) for email in BAD_EMAILS),
    Case("version", "abc"),
    Case("version", "0.1.0\n"),
    Case("project_name", "x" * 61),
    Case("project_name", "   "),
    Case("project_name", "!!!"),
    # One line of printable text: what no generated file can hold is refused (the
    # rest is escaped for each file it lands in, see test_bake.py).
    # A replay file can hold any character (a command line cannot hold a NUL).
    *(
        Case(question, f"Acme{character}Service", via="replay")
        for question in ("project_name", "description", "author_name")
        for character in UNPRINTABLE
    ),
    Case("description", "first line\nsecond line"),
    *(
        Case(question, value, via="replay")
        for question, value in OUTSIDE_CHOICES.items()
    ),
]
# Refused by cookiecutter itself, not by our hook: only the outcome is checked.
COOKIECUTTER_REFUSALS = [Case("framework", "flask"), Case("ci", "jenkins")]
# Cookiecutter renders every answer as a Jinja template: one that is not a valid
# template stops it before any file is written (with its own message).
JINJA_ANSWERS = [Case("project_name", "Acme {% raw"), Case("description", "{{ nope }}")]


@dataclass
class Outcome:
    result: subprocess.CompletedProcess[str]
    output_dir: Path

    def describe(self) -> str:
        leftovers = sorted(str(p) for p in self.output_dir.rglob("*"))
        return f"{output(self.result)}\noutput dir content: {leftovers}"


Refuse = Callable[[Case], Outcome]


def replay_context(question: str, value: str) -> dict[str, object]:
    """A complete replay context: the defaults with one answer replaced."""
    context: dict[str, object] = {}
    for key, default in COOKIECUTTER_JSON.items():
        if key.startswith("_"):
            continue
        context[key] = default[0] if isinstance(default, list) else default
    context["project_slug"] = DEFAULT_SLUG
    context[question] = value
    return {"cookiecutter": context}


@pytest.fixture(scope="session")
def refuse(tmp_path_factory: pytest.TempPathFactory) -> Refuse:
    """``refuse(case)`` -> Outcome: runs the CLI once per case for the session."""
    base = tmp_path_factory.mktemp("hooks")
    config = base / "config.yaml"
    config.write_text(
        f"cookiecutters_dir: {base / 'cookiecutters'}\nreplay_dir: {base / 'replay'}\n",
        encoding="utf-8",
    )
    cache: dict[Case, Outcome] = {}

    def _refuse(case: Case) -> Outcome:
        if case in cache:
            return cache[case]
        name = f"{case.via}-{case.question}-{len(cache)}"
        out = base / name / "out"
        out.mkdir(parents=True)
        cmd = [sys.executable, "-m", "cookiecutter", "--config-file", str(config)]
        if case.via == "replay":  # a replay file holds every answer: no prompt
            replay = base / name / "replay.json"
            replay.write_text(json.dumps(replay_context(case.question, case.value)))
            cmd += ["--replay-file", str(replay), "-o", str(out), str(ROOT)]
        else:
            answer = f"{case.question}={case.value}"
            cmd += ["--no-input", "-o", str(out), str(ROOT), answer]
        result = run(cmd, env=clean_env(), timeout=120)
        cache[case] = Outcome(result=result, output_dir=out)
        return cache[case]

    return _refuse


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_refused_and_nothing_left(refuse: Refuse, case: Case) -> None:
    outcome = refuse(case)
    assert outcome.result.returncode != 0, outcome.describe()
    assert not any(outcome.output_dir.iterdir()), (
        "a half-generated project was left behind\n" + outcome.describe()
    )


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_one_line_naming_the_question(refuse: Refuse, case: Case) -> None:
    outcome = refuse(case)
    lines = [line for line in outcome.result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, "stderr must be exactly one line\n" + outcome.describe()
    assert case.question in lines[0], outcome.describe()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_no_traceback(refuse: Refuse, case: Case) -> None:
    outcome = refuse(case)
    assert "Traceback" not in outcome.result.stderr, outcome.describe()
    assert "Traceback" not in outcome.result.stdout, (
        "a traceback on stdout (cookiecutter logs one for any failing hook "
        "unless the template silences it)\n" + outcome.describe()
    )


@pytest.mark.parametrize(
    "case", COOKIECUTTER_REFUSALS, ids=[c.id for c in COOKIECUTTER_REFUSALS]
)
def test_outside_choices_on_the_command_line(refuse: Refuse, case: Case) -> None:
    """Cookiecutter refuses a `key=value` outside the choices before our hook runs."""
    outcome = refuse(case)
    assert outcome.result.returncode != 0, outcome.describe()
    assert not any(outcome.output_dir.iterdir()), outcome.describe()
    assert case.question in outcome.result.stdout + outcome.result.stderr, (
        outcome.describe()
    )


@pytest.mark.parametrize("case", JINJA_ANSWERS, ids=[c.id for c in JINJA_ANSWERS])
def test_template_syntax_in_an_answer_leaves_nothing(
    refuse: Refuse, case: Case
) -> None:
    outcome = refuse(case)
    assert outcome.result.returncode != 0, outcome.describe()
    assert not any(outcome.output_dir.iterdir()), outcome.describe()


def test_valid_answers_are_accepted(refuse: Refuse) -> None:
    """Control: the same runner bakes good answers (so refusals mean something)."""
    outcome = refuse(Case("project_slug", "billing_api"))
    assert outcome.result.returncode == 0, outcome.describe()
    assert (outcome.output_dir / "billing_api").is_dir(), outcome.describe()
