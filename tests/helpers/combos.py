"""The combinations the template's tests bake: framework x worker x frontend in
full, plus one bake per value of every other question, plus a few mixes."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PROJECT_DIR = ROOT / "{{cookiecutter.project_slug}}"
COOKIECUTTER_JSON: dict[str, Any] = json.loads(
    (ROOT / "cookiecutter.json").read_text(encoding="utf-8")
)
# Every multiple-choice question with its choices (default first).
AVAILABLE: dict[str, list[str]] = {
    question: [str(value) for value in values]
    for question, values in COOKIECUTTER_JSON.items()
    if not question.startswith("_") and isinstance(values, list)
}

# The product of these questions is baked in full; every other question gets one
# bake per value.
STRUCTURAL = ("framework", "worker", "frontend")

DEFAULT_SLUG = "acme_service"

# Answers worth baking together besides the matrix: free text, and mixes.
EXTRA_CONTEXTS: tuple[dict[str, str], ...] = (
    {
        "traces_sample_rate_development": "0.25",
        "traces_sample_rate_staging": "0",
        "traces_sample_rate_production": "1",
    },
    {
        "project_name": "Billing API",
        "version": "2.3.4",
        "author_email": "ops@billing.example",
    },
    # The GitLab pipeline with the parts that add jobs and steps to it.
    {"ci": "gitlab", "frontend": "vue", "worker": "arq"},
)


@dataclass(frozen=True)
class Combo:
    """One bake: the answers that differ from the defaults, and a readable id."""

    id: str
    context: tuple[tuple[str, str], ...]

    @property
    def extra_context(self) -> dict[str, str]:
        return dict(self.context)

    def answer(self, question: str) -> str:
        """The effective answer to a choice question (given or default)."""
        if question in self.extra_context:
            return self.extra_context[question]
        default = COOKIECUTTER_JSON[question]
        return str(default[0] if isinstance(default, list) else default)

    @property
    def slug(self) -> str:
        if "project_slug" in self.extra_context:
            return self.extra_context["project_slug"]
        name = self.extra_context.get(
            "project_name", str(COOKIECUTTER_JSON["project_name"])
        )
        return name.lower().replace(" ", "_").replace("-", "_")


def make_combo(**context: str) -> Combo:
    items = tuple(sorted(context.items()))
    ident = ",".join(f"{key}={value}" for key, value in items) or "default"
    return Combo(id=ident, context=items)


def structural_combos() -> list[Combo]:
    """framework x worker x frontend, other answers default."""
    questions = AVAILABLE
    combos = []
    for values in itertools.product(*(questions[q] for q in STRUCTURAL)):
        context = {
            q: v
            for q, v in zip(STRUCTURAL, values, strict=True)
            if v != questions[q][0]
        }
        combo = make_combo(**context)
        if combo.id == "default":
            combo = Combo(id="/".join(values), context=())
        combos.append(combo)
    return combos


def option_combos() -> list[Combo]:
    """One bake per non-default value of every other question, plus free text."""
    combos = []
    for question, values in AVAILABLE.items():
        if question in STRUCTURAL:
            continue
        default = str(COOKIECUTTER_JSON[question][0])
        combos.extend(
            make_combo(**{question: value}) for value in values if value != default
        )
    combos.extend(make_combo(**context) for context in EXTRA_CONTEXTS)
    return combos


def matrix() -> list[Combo]:
    """Every bake the template's tests check."""
    return structural_combos() + option_combos()


def framework_worker_combos() -> list[Combo]:
    """One bake per framework x worker (for the generated projects' own suites)."""
    questions = AVAILABLE
    combos = []
    for framework, worker in itertools.product(
        questions["framework"], questions["worker"]
    ):
        context = {}
        if framework != questions["framework"][0]:
            context["framework"] = framework
        if worker != questions["worker"][0]:
            context["worker"] = worker
        combo = make_combo(**context)
        combos.append(Combo(id=f"{framework}/{worker}", context=combo.context))
    return combos
