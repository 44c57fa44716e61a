"""Shape the generated project to the answers.

1. Remove what belongs only to options that were not chosen (PRUNE_TABLE).
2. Replace the dev-secret placeholders with fresh values from `secrets`.
3. Write `.env` from `.env.example` so the first `uv run` works as it is.
4. Record the answers in `.cookiecutter.json`, a replay file that re-bakes the project.
"""

import json
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
        ],
        "arq": [
            "{{cookiecutter.project_slug}}/worker",
            "{{cookiecutter.project_slug}}/worker/arq_worker.py",
            "{{cookiecutter.project_slug}}/api/routes/tasks.py",
            "tests/envelope_receiver.py",
            "tests/test_arq_worker.py",
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

# Placeholder -> the token that replaces it in every file that holds it.
SECRET_PLACEHOLDERS = {
    "__DEV_SECRET_KEY__": lambda: secrets.token_urlsafe(48),
    "__DEV_POSTGRES_PASSWORD__": lambda: secrets.token_urlsafe(24),
    "__DEV_BUGSINK_SECRET_KEY__": lambda: secrets.token_urlsafe(48),
    # A UUID in hex: Bugsink's DSN key for the project.
    "__DEV_BUGSINK_PROJECT_KEY__": lambda: secrets.token_hex(16),
}
FILES_WITH_SECRETS = (".env.example", "docker-compose.dev.yml")

# Context keys that describe this machine (paths, checkout), not the answers.
MACHINE_KEYS = {"_output_dir", "_repo_dir", "_checkout"}


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


def fill_secrets(root: Path) -> None:
    values = {placeholder: make() for placeholder, make in SECRET_PLACEHOLDERS.items()}
    for name in FILES_WITH_SECRETS:
        path = root / name
        if not path.exists():
            continue
        text = path.read_text()
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        path.write_text(text)


def write_dotenv(root: Path) -> None:
    dotenv = root / ".env"
    if not dotenv.exists():
        shutil.copyfile(root / ".env.example", dotenv)


def record_answers(root: Path) -> None:
    """`cookiecutter --replay-file .cookiecutter.json <template>` bakes it again."""
    answers = {key: value for key, value in ANSWERS.items() if key not in MACHINE_KEYS}
    text = json.dumps({"cookiecutter": answers}, indent=2) + "\n"
    (root / ".cookiecutter.json").write_text(text)


def main() -> None:
    root = Path.cwd()
    prune(root, paths_to_prune(ANSWERS, PRUNE_TABLE))
    fill_secrets(root)
    write_dotenv(root)
    record_answers(root)


if __name__ == "__main__":
    main()
