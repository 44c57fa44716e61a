"""Shape the generated project to the answers.

1. Remove what belongs only to answers that were not given (PRUNE_TABLE), and give
   the chosen variant of a module its name (RENAMES).
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

# A condition holds when every question it names got one of the listed answers.
CONDITIONS = {
    "fastapi": {"framework": ["fastapi"]},
    "django": {"framework": ["django"]},
    "starlette-graphql": {"framework": ["starlette-graphql"]},
    "a SQLAlchemy framework": {"framework": ["fastapi", "starlette-graphql"]},
    "served by uvicorn alone": {"framework": ["fastapi", "starlette-graphql"]},
    "a worker": {"worker": ["celery", "arq"]},
    "celery": {"worker": ["celery"]},
    "arq": {"worker": ["arq"]},
    "fastapi with a worker": {"framework": ["fastapi"], "worker": ["celery", "arq"]},
    "a frontend": {"frontend": ["vue", "react"]},
    "vue": {"frontend": ["vue"]},
    "react": {"frontend": ["react"]},
    "alerts": {"alerts": ["slack", "email", "slack+email"]},
    "slack alerts": {"alerts": ["slack", "slack+email"]},
    "email alerts": {"alerts": ["email", "slack+email"]},
    "bugsink": {"local_error_tracker": ["bugsink"]},
    "github": {"ci": ["github"]},
    "gitlab": {"ci": ["gitlab"]},
    "no GitHub": {"ci": ["gitlab", "none"]},
    "otlp": {"opentelemetry": ["otlp"]},
}

# Condition -> the paths (relative to the project root) that exist only when it
# holds. Each path is listed once; a directory goes with everything in it.
PRUNE_TABLE = {
    "fastapi": [
        "{{cookiecutter.project_slug}}/api",
        "{{cookiecutter.project_slug}}/main_fastapi.py",
        "tests/test_auth.py",
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
        "{{cookiecutter.project_slug}}/main_graphql.py",
        "tests/test_graphql.py",
    ],
    "a SQLAlchemy framework": [
        "{{cookiecutter.project_slug}}/db.py",
        "{{cookiecutter.project_slug}}/models.py",
        "{{cookiecutter.project_slug}}/passwords.py",
        "{{cookiecutter.project_slug}}/lifespan.py",
        "{{cookiecutter.project_slug}}/authentication.py",
        "{{cookiecutter.project_slug}}/server_errors.py",
        "{{cookiecutter.project_slug}}/migrate.py",
        "{{cookiecutter.project_slug}}/migrations",
        "tests/test_migrations.py",
    ],
    "served by uvicorn alone": [
        "{{cookiecutter.project_slug}}/serve.py",
    ],
    "a worker": [
        "{{cookiecutter.project_slug}}/worker",
        "deploy/kubernetes/base/worker.yaml",
    ],
    "celery": [
        "{{cookiecutter.project_slug}}/worker/celery_app.py",
        "{{cookiecutter.project_slug}}/worker/tasks.py",
        "{{cookiecutter.project_slug}}/worker/enqueue_celery.py",
        "deploy/kubernetes/base/beat.yaml",
        "tests/test_worker.py",
    ],
    "arq": [
        "{{cookiecutter.project_slug}}/worker/arq_worker.py",
        "{{cookiecutter.project_slug}}/worker/enqueue_arq.py",
        "tests/test_arq_worker.py",
    ],
    "fastapi with a worker": ["{{cookiecutter.project_slug}}/api/routes/tasks.py"],
    "a frontend": ["frontend", "deploy/kubernetes/base/frontend.yaml"],
    "vue": [
        "frontend/src/main.ts",
        "frontend/src/App.vue",
        "frontend/src/router.ts",
        "frontend/src/state.ts",
        "frontend/src/views",
        "frontend/src/sentry/vue.ts",
        "frontend/tests/sentry-vue.test.ts",
    ],
    "react": [
        "frontend/src/main.tsx",
        "frontend/src/App.tsx",
        "frontend/src/router.tsx",
        "frontend/src/session.tsx",
        "frontend/src/pages",
        "frontend/src/sentry/react.ts",
        "frontend/tests/sentry-react.test.tsx",
    ],
    "alerts": [
        "{{cookiecutter.project_slug}}/alerts",
        "tests/alerting.py",
        "tests/test_alerts.py",
    ],
    "slack alerts": [
        "{{cookiecutter.project_slug}}/alerts/slack.py",
        "tests/test_alerts_slack.py",
    ],
    "email alerts": [
        "{{cookiecutter.project_slug}}/alerts/email.py",
        "tests/test_alerts_email.py",
    ],
    "bugsink": ["scripts"],
    "github": [".github"],
    "gitlab": [".gitlab-ci.yml"],
    # Renovate keeps the dependencies current where Dependabot is not at hand.
    "no GitHub": ["renovate.json"],
    "otlp": [
        "{{cookiecutter.project_slug}}/otlp.py",
        "otel-collector.yaml",
        "tests/otlp_receiver.py",
        "tests/test_otlp.py",
    ],
}

# One file per variant of a module: the template holds each variant under its own
# name; the one the answers keep (see PRUNE_TABLE) takes the module's name.
RENAMES = {
    "{{cookiecutter.project_slug}}/main_fastapi.py": (
        "{{cookiecutter.project_slug}}/main.py"
    ),
    "{{cookiecutter.project_slug}}/main_graphql.py": (
        "{{cookiecutter.project_slug}}/main.py"
    ),
    "{{cookiecutter.project_slug}}/worker/enqueue_celery.py": (
        "{{cookiecutter.project_slug}}/worker/enqueue.py"
    ),
    "{{cookiecutter.project_slug}}/worker/enqueue_arq.py": (
        "{{cookiecutter.project_slug}}/worker/enqueue.py"
    ),
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


def holds(condition: dict[str, list[str]], answers: dict[str, str]) -> bool:
    return all(answers[question] in values for question, values in condition.items())


def paths_to_prune(answers: dict[str, str]) -> list[str]:
    """The paths of every condition that does not hold."""
    return [
        path
        for name, paths in PRUNE_TABLE.items()
        if not holds(CONDITIONS[name], answers)
        for path in paths
    ]


def prune(root: Path, paths: list[str]) -> None:
    for relative in paths:
        path = root / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def rename_variants(root: Path) -> None:
    for source, target in RENAMES.items():
        if (root / source).exists():
            (root / source).rename(root / target)


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
    prune(root, paths_to_prune(ANSWERS))
    rename_variants(root)
    write_dotenv(root)
    blank_placeholders(root)
    record_answers(root)


if __name__ == "__main__":
    main()
