"""Shape the generated project to the answers.

1. Remove what belongs only to options that were not chosen (PRUNE_TABLE).
2. Write `.env` from `.env.example`, its dev-secret placeholders replaced with fresh
   values from `secrets`, so the first `uv run` works as it is.
3. Leave those placeholders empty in `.env.example`: the generated secrets live in
   `.env` only (git-ignored, skipped by `cruft update`), so every file in git is the
   same for every bake with the same answers, and `cruft update`'s renders of the
   template match the project's files byte for byte (its three-way merge needs that).
4. Record the answers in `.cookiecutter.json`, a replay file that re-bakes the project.
"""

import json
import re
import secrets
import shutil
from pathlib import Path

ANSWERS = json.loads({{cookiecutter | jsonify | tojson}})

# option -> value -> paths (relative to the project root) that exist only for that
# value.
# A path listed under several values is kept when any of them is chosen.
PRUNE_TABLE = {
    "framework": {
        "fastapi": [
            "{{cookiecutter.project_slug}}/api",
            "{{cookiecutter.project_slug}}/main.py",
            "{{cookiecutter.project_slug}}/db.py",
            "{{cookiecutter.project_slug}}/models.py",
            "{{cookiecutter.project_slug}}/passwords.py",
            "{{cookiecutter.project_slug}}/lifespan.py",
            "{{cookiecutter.project_slug}}/migrate.py",
            "{{cookiecutter.project_slug}}/migrations",
            "tests/test_auth.py",
            "tests/test_migrations.py",
        ],
        "django": [
            "manage.py",
            "{{cookiecutter.project_slug}}/config",
            "{{cookiecutter.project_slug}}/accounts",
            "{{cookiecutter.project_slug}}/notes",
            "tests/test_django_api.py",
            "tests/test_django_auth.py",
            "tests/test_django_checks.py",
            "tests/test_notes.py",
        ],
        "starlette-graphql": [
            "{{cookiecutter.project_slug}}/graphql_api",
            "{{cookiecutter.project_slug}}/main.py",
            "{{cookiecutter.project_slug}}/db.py",
            "{{cookiecutter.project_slug}}/models.py",
            "{{cookiecutter.project_slug}}/passwords.py",
            "{{cookiecutter.project_slug}}/lifespan.py",
            "{{cookiecutter.project_slug}}/migrate.py",
            "{{cookiecutter.project_slug}}/migrations",
            "tests/test_graphql.py",
            "tests/test_migrations.py",
        ],
    },
    "worker": {
        "none": [],
        "celery": [
            "{{cookiecutter.project_slug}}/worker",
            "{{cookiecutter.project_slug}}/worker/celery_app.py",
            "{{cookiecutter.project_slug}}/worker/tasks.py",
            "{{cookiecutter.project_slug}}/api/routes/tasks.py",
            "tests/envelope_receiver.py",
            "tests/test_worker.py",
            "deploy/kubernetes/base/worker.yaml",
            "deploy/kubernetes/base/beat.yaml",
        ],
        "arq": [
            "{{cookiecutter.project_slug}}/worker",
            "{{cookiecutter.project_slug}}/worker/arq_worker.py",
            "{{cookiecutter.project_slug}}/api/routes/tasks.py",
            "tests/envelope_receiver.py",
            "tests/test_arq_worker.py",
            "deploy/kubernetes/base/worker.yaml",
        ],
    },
    "frontend": {
        "none": [],
        "vue": [
            "frontend",
            "frontend/src/main.ts",
            "frontend/src/App.vue",
            "frontend/src/router.ts",
            "frontend/src/state.ts",
            "frontend/src/views",
            "frontend/src/sentry/vue.ts",
            "frontend/tests/sentry-vue.test.ts",
            "deploy/kubernetes/base/frontend.yaml",
        ],
        "react": [
            "frontend",
            "frontend/src/main.tsx",
            "frontend/src/App.tsx",
            "frontend/src/router.tsx",
            "frontend/src/session.tsx",
            "frontend/src/pages",
            "frontend/src/sentry/react.ts",
            "frontend/tests/sentry-react.test.tsx",
            "deploy/kubernetes/base/frontend.yaml",
        ],
    },
    "local_error_tracker": {
        "bugsink": ["scripts"],
        "none": [],
    },
    "alerts": {
        "none": [],
        "slack": [
            "{{cookiecutter.project_slug}}/core/alerts.py",
            "tests/test_alerts.py",
        ],
        "email": [
            "{{cookiecutter.project_slug}}/core/alerts.py",
            "tests/test_alerts.py",
        ],
        "slack+email": [
            "{{cookiecutter.project_slug}}/core/alerts.py",
            "tests/test_alerts.py",
        ],
    },
    "ci": {
        "github": [".github"],
        # Renovate keeps the dependencies current where Dependabot is not at hand.
        "gitlab": [".gitlab-ci.yml", "renovate.json"],
        "none": ["renovate.json"],
    },
}

# Placeholder -> the fresh value that replaces it in `.env`.
SECRET_PLACEHOLDERS = {
    "__DEV_SECRET_KEY__": lambda: secrets.token_urlsafe(48),
    "__DEV_POSTGRES_PASSWORD__": lambda: secrets.token_urlsafe(24),
    "__DEV_BUGSINK_SECRET_KEY__": lambda: secrets.token_urlsafe(48),
    # A UUID in hex: Bugsink's DSN key for the project.
    "__DEV_BUGSINK_PROJECT_KEY__": lambda: secrets.token_hex(16),
}
# `__DEV_<NAME>__`: NAME is the variable that holds the value.
PLACEHOLDER = re.compile(r"__DEV_([A-Z0-9_]+?)__")
# `NAME=__DEV_NAME__`, the placeholder as a whole value.
PLACEHOLDER_VALUE = re.compile(r"^(\w+)=__DEV_[A-Z0-9_]+?__$", re.MULTILINE)

# Context keys that describe this machine or this checkout of the template (paths;
# cruft's template URL and commit, kept in `.cruft.json`), not the answers: left out of
# `.cookiecutter.json`, so that a plain cookiecutter bake and a cruft one are identical.
MACHINE_KEYS = {"_output_dir", "_repo_dir", "_checkout", "_template", "_commit"}


def paths_to_prune(answers: dict, table: dict) -> set[str]:
    keep: set[str] = set()
    drop: set[str] = set()
    for option, values in table.items():
        for value, paths in values.items():
            (keep if answers[option] == value else drop).update(paths)
    return drop - keep


def prune(root: Path, paths: set[str]) -> None:
    for relative in sorted(paths):
        path = root / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def write_dotenv(root: Path) -> None:
    """`.env` (unless there is one): `.env.example` with fresh secrets filled in."""
    dotenv = root / ".env"
    if dotenv.exists():
        return
    values = {placeholder: make() for placeholder, make in SECRET_PLACEHOLDERS.items()}
    text = (root / ".env.example").read_text()
    dotenv.write_text(PLACEHOLDER.sub(lambda found: values[found.group(0)], text))


def blank_placeholders(root: Path) -> None:
    """`.env.example` names the generated values without holding them:
    `NAME=__DEV_NAME__` becomes `NAME=` (unset), any other placeholder `<NAME>`."""
    example = root / ".env.example"
    text = PLACEHOLDER_VALUE.sub(r"\1=", example.read_text())
    example.write_text(PLACEHOLDER.sub(r"<\1>", text))


def record_answers(root: Path) -> None:
    """`cookiecutter --replay-file .cookiecutter.json <template>` bakes it again."""
    answers = {key: value for key, value in ANSWERS.items() if key not in MACHINE_KEYS}
    text = json.dumps({"cookiecutter": answers}, indent=2) + "\n"
    (root / ".cookiecutter.json").write_text(text)


def main() -> None:
    root = Path.cwd()
    prune(root, paths_to_prune(ANSWERS, PRUNE_TABLE))
    write_dotenv(root)
    blank_placeholders(root)
    record_answers(root)


if __name__ == "__main__":
    main()
