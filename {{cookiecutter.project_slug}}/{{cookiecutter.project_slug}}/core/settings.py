"""Settings from the environment (and `.env`), validated once at start-up.

A bad value stops start-up with `SettingsError`, whose message names the variable.
Sentry options left unset take the preset of the environment (see `PRESETS`).
"""

{% if "email" in cookiecutter.alerts -%}
import re
{% endif -%}
import secrets
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sentry_sdk.utils import BadDsn, Dsn

from {{ cookiecutter.project_slug }} import __version__

PROJECT_SLUG = "{{ cookiecutter.project_slug }}"
PROJECT_ROOT = Path(__file__).resolve().parents[2]

Environment = Literal["development", "staging", "production"]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
T = TypeVar("T")

# Fields whose values must never be echoed back in an error message.
SECRET_FIELDS = {
    "sentry_dsn",
    "sentry_dsn_worker",
    "secret_key",
    "database_url",
{%- if "slack" in cookiecutter.alerts %}
    "sentry_slack_webhook_url",
{%- endif %}
{%- if "email" in cookiecutter.alerts %}
    "smtp_password",
{%- endif %}
}


@dataclass(frozen=True)
class Preset:
    """Sentry defaults for one kind of environment (explicit variables win)."""

    sample_rate: float
    traces_sample_rate: float
    profiles_sample_rate: float
    debug: bool
    include_local_variables: bool


PRESETS: dict[str, Preset] = {
    "development": Preset(
        sample_rate=1.0,
        traces_sample_rate={{ cookiecutter.traces_sample_rate_development | float }},
        profiles_sample_rate=1.0,
        debug=True,
        include_local_variables=True,
    ),
    "staging": Preset(
        sample_rate=1.0,
        traces_sample_rate={{ cookiecutter.traces_sample_rate_staging | float }},
        profiles_sample_rate=0.2,
        debug=False,
        include_local_variables=True,
    ),
    # Production never samples errors away: every error is worth seeing.
    "production": Preset(
        sample_rate=1.0,
        traces_sample_rate={{ cookiecutter.traces_sample_rate_production | float }},
        profiles_sample_rate=0.02,
        debug=False,
        include_local_variables=False,
    ),
}


class SettingsError(Exception):
    """A setting has a value the service cannot start with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Environment = "{{ cookiecutter.default_environment }}"
    app_version: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    database_url: str = f"sqlite:///./{PROJECT_SLUG}.db"
    secret_key: SecretStr | None = None
    access_token_expire_minutes: int = Field(default=60, gt=0)
{%- if cookiecutter.worker != "none" %}
    redis_url: str = "redis://localhost:6379/0"
    # Services sharing one Redis need queues of their own.
    worker_queue: str = PROJECT_SLUG
{%- endif %}

    sentry_dsn: SecretStr | None = None
    sentry_dsn_worker: SecretStr | None = None
    sentry_environment: str | None = None
    sentry_release: str | None = None
    sentry_sample_rate: Rate | None = None
    sentry_traces_sample_rate: Rate | None = None
    sentry_profiles_sample_rate: Rate | None = None
    sentry_debug: bool | None = None
    sentry_send_default_pii: bool = False
    sentry_attach_stacktrace: bool = True
    sentry_include_local_variables: bool | None = None
    sentry_max_breadcrumbs: int = Field(default=100, ge=0, le=1000)
    sentry_enable_tracing: bool = True
    sentry_slow_query_ms: int = Field(default=100, ge=0)
    sentry_pii_mode: Literal["standard", "strict"] = "{{ cookiecutter.pii_mode }}"
    sentry_extra_sensitive_keys: Annotated[tuple[str, ...], NoDecode] = ()
{%- if cookiecutter.alerts != "none" %}

    # Alerts (core/alerts.py): errors of one type per minute, and errors per request.
    sentry_critical_error_threshold: int = Field(default=10, gt=0)
    sentry_error_rate_threshold: Rate = 0.01
    # Where an alert links to, e.g. https://sentry.io/organizations/<org>/issues/
    sentry_issues_url: str | None = None
{%- endif %}
{%- if "slack" in cookiecutter.alerts %}
    sentry_slack_alerts_enabled: bool = True
    sentry_slack_webhook_url: SecretStr | None = None
    sentry_slack_channel: str | None = None
{%- endif %}
{%- if "email" in cookiecutter.alerts %}
    sentry_email_alerts_enabled: bool = True
    sentry_alert_email_recipients: Annotated[tuple[str, ...], NoDecode] = ()
    sentry_alert_email_sender: str = f"{PROJECT_SLUG}-alerts@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
{%- endif %}

    @field_validator("sentry_dsn", "sentry_dsn_worker", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("sentry_dsn", "sentry_dsn_worker")
    @classmethod
    def _parse_dsn(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Dsn(value.get_secret_value())
            except BadDsn as error:
                raise ValueError(f"not a valid Sentry DSN ({error})") from None
        return value
{%- if "slack" in cookiecutter.alerts %}

    @field_validator("sentry_slack_webhook_url", mode="before")
    @classmethod
    def _empty_webhook_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("sentry_slack_webhook_url")
    @classmethod
    def _parse_webhook(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("https://", "http://")
        ):
            raise ValueError("must be an http(s) URL")
        return value
{%- endif %}
{%- if "email" in cookiecutter.alerts %}

    @field_validator("sentry_alert_email_recipients", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("sentry_alert_email_recipients")
    @classmethod
    def _check_recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for recipient in value:
            if not re.fullmatch(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+", recipient):
                raise ValueError(f"{recipient!r} is not an e-mail address")
        return value
{%- endif %}

    @field_validator("sentry_extra_sensitive_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(key.strip() for key in value.split(",") if key.strip())
        return value

    @model_validator(mode="after")
    def _check_combinations(self) -> "Settings":
        if self.environment == "production" and self.secret_key is None:
            raise ValueError("SECRET_KEY: required when ENVIRONMENT is production")
        if self.sentry_pii_mode == "strict" and self.sentry_send_default_pii:
            raise ValueError(
                "SENTRY_SEND_DEFAULT_PII: must be false when SENTRY_PII_MODE is strict"
            )
        return self

    @property
    def preset(self) -> Preset:
        return PRESETS[self.environment]

    @property
    def dsn(self) -> str | None:
        return self.sentry_dsn.get_secret_value() if self.sentry_dsn else None

    @property
    def worker_dsn(self) -> str | None:
        if self.sentry_dsn_worker:
            return self.sentry_dsn_worker.get_secret_value()
        return self.dsn

    @property
    def resolved_environment(self) -> str:
        return self.sentry_environment or self.environment

    @property
    def resolved_release(self) -> str:
        if self.sentry_release:
            return self.sentry_release
        sha = _git_sha()
        if sha:
            return f"{PROJECT_SLUG}@{__version__}+{sha}"
        return self.app_version or f"{PROJECT_SLUG}@{__version__}"

    @property
    def sample_rate(self) -> float:
        return _first(self.sentry_sample_rate, self.preset.sample_rate)

    @property
    def traces_sample_rate(self) -> float:
        if not self.sentry_enable_tracing:
            return 0.0
        return _first(self.sentry_traces_sample_rate, self.preset.traces_sample_rate)

    @property
    def profiles_sample_rate(self) -> float:
        return _first(
            self.sentry_profiles_sample_rate, self.preset.profiles_sample_rate
        )

    @property
    def debug(self) -> bool:
        return _first(self.sentry_debug, self.preset.debug)

    @property
    def include_local_variables(self) -> bool:
        if self.sentry_pii_mode == "strict":
            return False
        return _first(
            self.sentry_include_local_variables, self.preset.include_local_variables
        )

    @property
    def pii_mode(self) -> str:
        return self.sentry_pii_mode

    @property
    def extra_sensitive_keys(self) -> tuple[str, ...]:
        return self.sentry_extra_sensitive_keys

    @property
    def signing_key(self) -> str:
        """The JWT signing key; a throwaway one outside production if none is set."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _process_secret()


def load_settings(**values: object) -> Settings:
    """Read and validate the settings, turning pydantic's report into one line."""
    try:
        return Settings(**values)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()


def _describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors():
        field = str(detail["loc"][0]) if detail["loc"] else ""
        message = detail["msg"].removeprefix("Value error, ")
        if not field:
            problems.append(message)
            continue
        shown = "" if field in SECRET_FIELDS else f" (got {detail['input']!r})"
        problems.append(f"{field.upper()}: {message}{shown}")
    return "; ".join(problems)


def _first(explicit: T | None, preset: T) -> T:
    return preset if explicit is None else explicit


@lru_cache
def _git_sha() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short=7", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = result.stdout.strip()
    return sha if result.returncode == 0 and sha else None


@lru_cache
def _process_secret() -> str:
    return secrets.token_urlsafe(32)
