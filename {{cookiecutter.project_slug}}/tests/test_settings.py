"""Settings: presets per environment, overrides, one clear error per bad value, and
`.env.example` documenting every variable."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }} import __version__
{%- if cookiecutter.framework == "django" %}
from {{ cookiecutter.project_slug }}.config.environment import SETTINGS_PACKAGE
{%- endif %}
from {{ cookiecutter.project_slug }}.core import settings as settings_module
from {{ cookiecutter.project_slug }}.core.settings import (
    PRESETS,
    SettingsError,
    secret_fields,
)
from {{ cookiecutter.project_slug }}.core.settings import (
    load_settings as load_settings_of,
)
from {{ cookiecutter.project_slug }}.features import Settings

from .conftest import closed_port

PROJECT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = PROJECT / ".env.example"


def load_settings() -> Settings:
    """Every variable, as an entry point reads them."""
    return load_settings_of(Settings)


@pytest.mark.parametrize("environment", sorted(PRESETS))
def test_presets_apply_per_environment(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.delenv("SENTRY_PROFILES_SAMPLE_RATE")
    monkeypatch.delenv("SENTRY_DEBUG")
    monkeypatch.delenv("SENTRY_TRACES_SAMPLE_RATE")
    settings = load_settings()
    preset = PRESETS[environment]
    assert settings.sample_rate == preset.sample_rate
    assert settings.traces_sample_rate == preset.traces_sample_rate
    assert settings.profiles_sample_rate == preset.profiles_sample_rate
    assert settings.debug == preset.debug
    assert settings.resolved_environment == environment


def test_production_never_samples_errors_away() -> None:
    assert PRESETS["production"].sample_rate == 1.0
    assert PRESETS["production"].include_local_variables is False


def test_explicit_values_beat_the_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_SAMPLE_RATE", "0.25")
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "0.05")
    monkeypatch.setenv("SENTRY_MAX_BREADCRUMBS", "30")
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "production-eu")
    settings = load_settings()
    assert settings.sample_rate == 0.25
    assert settings.traces_sample_rate == 0.05
    assert settings.sentry_max_breadcrumbs == 30
    assert settings.resolved_environment == "production-eu"


def test_tracing_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_ENABLE_TRACING", "false")
    assert load_settings().traces_sample_rate == 0.0


def test_strict_mode_never_includes_local_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENTRY_PII_MODE", "strict")
    monkeypatch.setenv("SENTRY_INCLUDE_LOCAL_VARIABLES", "true")
    assert load_settings().include_local_variables is False


def test_release_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    slug_version = "{{ cookiecutter.project_slug }}@" + __version__
    monkeypatch.setattr(settings_module, "git_sha", lambda: "abc1234")
    monkeypatch.setenv("SENTRY_RELEASE", "custom@1.2.3")
    assert load_settings().resolved_release == "custom@1.2.3"
    monkeypatch.delenv("SENTRY_RELEASE")
    assert load_settings().resolved_release == f"{slug_version}+abc1234"
    monkeypatch.setattr(settings_module, "git_sha", lambda: None)
    monkeypatch.setenv("APP_VERSION", "2024.11.3")
    assert load_settings().resolved_release == "2024.11.3"
    monkeypatch.delenv("APP_VERSION")
    assert load_settings().resolved_release == slug_version


def test_extra_sensitive_keys_are_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_EXTRA_SENSITIVE_KEYS", "iban, tax_id,,")
    assert load_settings().extra_sensitive_keys == ("iban", "tax_id")


# Marks the bad values of secret settings: it must never show up in a message.
SECRET_MARK = "s3cret"

# One bad value for every setting: a new setting without one fails
# test_every_setting_has_a_bad_value.
BAD_VALUES = {
    "ENVIRONMENT": "prod",
    "APP_VERSION": "1.0/beta",
    "LOG_LEVEL": "LOUD",
    "LOG_FORMAT": "xml",
    "DATABASE_URL": f"mysql://app:{SECRET_MARK}@db/app",
    "SECRET_KEY": f"short-{SECRET_MARK}",
    "ACCESS_TOKEN_EXPIRE_MINUTES": "0",
    "MAX_REQUEST_BODY_BYTES": "1MB",
    "MAX_REQUEST_HEADER_BYTES": "0",
    "REQUEST_BODY_TIMEOUT_SECONDS": "-1",
{%- if cookiecutter.framework == "django" %}
    "DJANGO_ALLOWED_HOSTS": "https://api.example.com",
    "DJANGO_SECURE_SSL_REDIRECT": "maybe",
    "DJANGO_SETTINGS_MODULE": f"{SETTINGS_PACKAGE}.prod",
{%- endif %}
{%- if cookiecutter.worker != "none" %}
    "REDIS_URL": f"http://:{SECRET_MARK}@cache:6379/0",
    "WORKER_QUEUE": "two words",
    "SENTRY_DSN_WORKER": f"not-a-dsn-{SECRET_MARK}",
{%- endif %}
    "SENTRY_DSN": f"not-a-dsn-{SECRET_MARK}",
    "SENTRY_ENVIRONMENT": "prod/eu",
    "SENTRY_RELEASE": "1.0\n",
    "SENTRY_SAMPLE_RATE": "1.5",
    "SENTRY_TRACES_SAMPLE_RATE": "abc",
    "SENTRY_PROFILES_SAMPLE_RATE": "-0.1",
    "SENTRY_DEBUG": "maybe",
    "SENTRY_SEND_DEFAULT_PII": "sometimes",
    "SENTRY_ATTACH_STACKTRACE": "2",
    "SENTRY_INCLUDE_LOCAL_VARIABLES": "perhaps",
    "SENTRY_MAX_BREADCRUMBS": "-1",
    "SENTRY_ENABLE_TRACING": "yes please",
    "SENTRY_ENABLE_LOGS": "sometimes",
{%- if cookiecutter.framework != "django" %}
    "SENTRY_SLOW_QUERY_MS": "fast",
{%- endif %}
    "SENTRY_PII_MODE": "relaxed",
    "SENTRY_EXTRA_SENSITIVE_KEYS": "iban;tax id",
{%- if cookiecutter.alerts != "none" %}
    "SENTRY_CRITICAL_ERROR_THRESHOLD": "0",
    "SENTRY_ERROR_RATE_THRESHOLD": "1.5",
    "SENTRY_ISSUES_URL": "sentry.io/issues",
{%- endif %}
{%- if "slack" in cookiecutter.alerts %}
    "SENTRY_SLACK_ALERTS_ENABLED": "sure",
    "SENTRY_SLACK_WEBHOOK_URL": f"hooks.slack.com/services/{SECRET_MARK}",
    "SENTRY_SLACK_CHANNEL": "engineering alerts",
{%- endif %}
{%- if "email" in cookiecutter.alerts %}
    "SENTRY_EMAIL_ALERTS_ENABLED": "sure",
    "SENTRY_ALERT_EMAIL_RECIPIENTS": "oncall@example.com,not-an-address",
    "SENTRY_ALERT_EMAIL_SENDER": "alerts",
    "SMTP_HOST": "",
    "SMTP_PORT": "70000",
    "SMTP_USERNAME": "alerts",  # Without SMTP_PASSWORD.
    "SMTP_PASSWORD": f"pw-{SECRET_MARK}",  # Without SMTP_USERNAME.
    "SMTP_STARTTLS": "sometimes",
{%- endif %}
{%- if cookiecutter.opentelemetry == "otlp" %}
    "OTEL_EXPORTER_OTLP_ENDPOINT": f"collector:{SECRET_MARK}@4318",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"grpc://{SECRET_MARK}@collector:4317",
    "OTEL_SERVICE_NAME": "check\nout",
{%- endif %}
}
# Variables set beside a bad value, for values that are bad only there.
CONTEXT = {"SECRET_KEY": {"ENVIRONMENT": "production"}}


def test_every_setting_has_a_bad_value() -> None:
    assert set(BAD_VALUES) == {name.upper() for name in Settings.model_fields}


@pytest.mark.parametrize(("variable", "value"), BAD_VALUES.items())
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    for name, context_value in CONTEXT.get(variable, {}).items():
        monkeypatch.setenv(name, context_value)
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"^{variable}: ") as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message
    if variable.lower() in secret_fields(Settings):
        assert SECRET_MARK in value  # Else the next line would prove nothing.
        assert SECRET_MARK not in message


@pytest.mark.parametrize("unset", ["delete", "empty"])
@pytest.mark.parametrize("environment", ["staging", "production"])
def test_deployed_environments_require_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, unset: str, environment: str
) -> None:
    """Every process and pod must sign with the same key: none is made up."""
    monkeypatch.setenv("ENVIRONMENT", environment)
    if unset == "empty":
        monkeypatch.setenv("SECRET_KEY", "")
    else:
        monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(SettingsError, match=r"^SECRET_KEY: required"):
        load_settings()


def test_short_secret_keys_are_fine_outside_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SECRET_KEY", "dev")
    assert load_settings().signing_key == "dev"


def test_development_makes_up_a_key_when_none_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert load_settings().signing_key


# Values the validators must keep accepting (as compose files, CI and PaaS give them).
GOOD_VALUES = [
    ("DATABASE_URL", "sqlite:///./local.db"),
    ("DATABASE_URL", "postgres://app:pw@db:5432/app"),
    ("DATABASE_URL", "postgresql://app:pw@localhost/app?sslmode=require"),
{%- if cookiecutter.framework != "django" %}
    ("DATABASE_URL", "postgresql+psycopg://app:pw@db:5432/app"),
{%- else %}
    ("DJANGO_ALLOWED_HOSTS", "api.example.com, .example.org,127.0.0.1,[::1]"),
    ("DJANGO_SETTINGS_MODULE", f"{SETTINGS_PACKAGE}.staging"),
{%- endif %}
{%- if cookiecutter.worker != "none" %}
    ("REDIS_URL", "rediss://default:pw@cache.example.com:6380/1"),
    ("REDIS_URL", "unix:///run/redis/redis.sock"),
    ("WORKER_QUEUE", "jobs:acme-eu"),
{%- endif %}
    ("SENTRY_ENVIRONMENT", "production-eu"),
    ("SENTRY_RELEASE", "acme@1.2.3+abc1234"),
    ("SENTRY_EXTRA_SENSITIVE_KEYS", "iban, X-Tenant-Token,national.id"),
{%- if "slack" in cookiecutter.alerts %}
    ("SENTRY_SLACK_CHANNEL", "#eng-alerts"),
    ("SENTRY_SLACK_CHANNEL", "C024BE91L"),
{%- endif %}
{%- if "email" in cookiecutter.alerts %}
    ("SENTRY_ALERT_EMAIL_SENDER", "alerts@localhost"),
{%- endif %}
]


@pytest.mark.parametrize(("variable", "value"), GOOD_VALUES)
def test_good_values_pass(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    load_settings()


@pytest.mark.parametrize("variable", ["SENTRY_RELEASE", "SENTRY_ENVIRONMENT"])
def test_empty_means_unset(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    # The Docker image sets SENTRY_RELEASE="" when built without a release.
    monkeypatch.setenv(variable, "")
    settings = load_settings()
    assert settings.resolved_release
    assert settings.resolved_environment == "development"
{%- if cookiecutter.framework == "django" %}


def test_ssl_redirect_reads_yes_as_true(monkeypatch: pytest.MonkeyPatch) -> None:
    # Compared with "true" by hand, "yes" used to switch the redirect off.
    monkeypatch.setenv("DJANGO_SECURE_SSL_REDIRECT", "yes")
    assert load_settings().django_secure_ssl_redirect is True
{%- endif %}


def test_strict_mode_refuses_default_pii(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_PII_MODE", "strict")
    monkeypatch.setenv("SENTRY_SEND_DEFAULT_PII", "true")
    with pytest.raises(SettingsError, match="SENTRY_SEND_DEFAULT_PII"):
        load_settings()


def test_empty_dsn_means_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN", "")
    assert load_settings().dsn is None


# --- .env.example --------------------------------------------------------------------

VARIABLE_LINE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=")
PRESET_LINE = re.compile(r"^#\s+(SENTRY_[A-Z_]+)\s+(\S+)\s+(\S+)\s+(\S+)")
PRESET_FIELDS = {
    "SENTRY_SAMPLE_RATE": "sample_rate",
    "SENTRY_TRACES_SAMPLE_RATE": "traces_sample_rate",
    "SENTRY_PROFILES_SAMPLE_RATE": "profiles_sample_rate",
    "SENTRY_DEBUG": "debug",
    "SENTRY_INCLUDE_LOCAL_VARIABLES": "include_local_variables",
    "SENTRY_ENABLE_LOGS": "enable_logs",
}


def documented_variables() -> dict[str, str]:
    """Each variable of .env.example (set or commented out) -> the comment above it."""
    documented: dict[str, str] = {}
    comment = ""
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = VARIABLE_LINE.match(line)
        if match:
            documented.setdefault(match.group(1), comment)
        elif line.startswith("#"):
            comment = line.lstrip("# ").strip()
        else:
            comment = ""
    return documented


def test_env_example_documents_every_setting_and_the_presets() -> None:
    documented = documented_variables()
    for name in Settings.model_fields:
        variable = name.upper()
        assert variable in documented, f"{variable} is missing from .env.example"
        assert documented[variable], f"{variable} has no comment in .env.example"
    environments = ("development", "staging", "production")
    shown: dict[str, tuple[str, ...]] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = PRESET_LINE.match(line)
        if match and match.group(1) in PRESET_FIELDS:
            shown[match.group(1)] = match.groups()[1:]
    assert set(shown) == set(PRESET_FIELDS)
    for variable, values in shown.items():
        for environment, value in zip(environments, values, strict=True):
            expected = getattr(PRESETS[environment], PRESET_FIELDS[variable])
            if isinstance(expected, bool):
                assert value == str(expected).lower(), (variable, environment)
            else:
                assert float(value) == expected, (variable, environment)


def assert_the_run_stops_in_one_line(variable: str, url: str, reason: str) -> None:
    """This file's tests run with `variable` set to `url` (its password s3cret-pw):
    they stop before any test runs, every line of the output is the reason (pytest
    prints it twice), and no line shows the password."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__],
        cwd=PROJECT,
        env={**os.environ, variable: url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines, output
    for line in lines:
        assert f"{variable}: {reason}" in line, output
    assert "s3cret-pw" not in output


def test_an_unreachable_test_database_stops_the_run_in_one_line() -> None:
    """Not a traceback per test."""
    url = f"postgresql://tester:s3cret-pw@127.0.0.1:{closed_port()}/app"
    reason = "no connection to its PostgreSQL server"
    assert_the_run_stops_in_one_line("DATABASE_URL", url, reason)
{%- if cookiecutter.worker != "none" %}


def test_an_unreachable_redis_stops_the_run_in_one_line() -> None:
    """Not a minute's wait for a worker in each worker test."""
    url = f"redis://:s3cret-pw@127.0.0.1:{closed_port()}/0"
    reason = "no connection to its Redis server"
    assert_the_run_stops_in_one_line("REDIS_URL", url, reason)
{%- endif %}
