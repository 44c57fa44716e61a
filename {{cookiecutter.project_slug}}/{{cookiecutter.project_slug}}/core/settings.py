"""Settings from the environment (and `.env`), validated once at start-up.

A bad value stops start-up with `SettingsError`, whose message names the variable.
Sentry options left unset take the preset of the environment (see `PRESETS`).
"""

import re
import secrets
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar
from urllib.parse import urlsplit

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
{%- if cookiecutter.worker != "none" %}
    "redis_url",
{%- endif %}
{%- if "slack" in cookiecutter.alerts %}
    "sentry_slack_webhook_url",
{%- endif %}
{%- if "email" in cookiecutter.alerts %}
    "smtp_password",
{%- endif %}
}

# What the installed drivers serve: SQLite, and PostgreSQL through psycopg 3.
{%- if cookiecutter.framework == "django" %}
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")
{%- else %}
DATABASE_SCHEMES = (
    "sqlite",
    "sqlite+pysqlite",
    "postgres",
    "postgresql",
    "postgresql+psycopg",
)
{%- endif %}
{%- if cookiecutter.worker != "none" %}
REDIS_SCHEMES = ("redis", "rediss", "unix")
{%- endif %}
# HS256 wants a key at least as long as its hash, 256 bits (RFC 7518, 3.2): a
# shorter one can be brute-forced offline from any token it signed.
MIN_SECRET_KEY_LENGTH = 32
# Sentry's limits on environment and release names.
MAX_ENVIRONMENT_LENGTH = 64
MAX_RELEASE_LENGTH = 200


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
    # What a client may send (request_limits.py): a larger body answers 413, larger
    # headers 431, a body that stops arriving for this many seconds 408.
    max_request_body_bytes: int = Field(default=1_048_576, gt=0)
    max_request_header_bytes: int = Field(default=65_536, gt=0)
    request_body_timeout_seconds: float = Field(default=10.0, gt=0)
{%- if cookiecutter.framework == "django" %}
    # Host names Django answers to in staging and production.
    django_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = (
        "localhost",
        "127.0.0.1",
    )
    # Production redirects plain HTTP to HTTPS; false behind a proxy that already does.
    django_secure_ssl_redirect: bool = True
{%- endif %}
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

    # `VAR=` (in .env, or compose's `${VAR:-}`) means "not set", not an empty value.
    @field_validator(
        "app_version",
        "secret_key",
        "sentry_dsn",
        "sentry_dsn_worker",
        "sentry_environment",
        "sentry_release",
{%- if cookiecutter.alerts != "none" %}
        "sentry_issues_url",
{%- endif %}
{%- if "slack" in cookiecutter.alerts %}
        "sentry_slack_webhook_url",
        "sentry_slack_channel",
{%- endif %}
{%- if "email" in cookiecutter.alerts %}
        "smtp_username",
        "smtp_password",
{%- endif %}
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator(
        "sentry_extra_sensitive_keys",
{%- if "email" in cookiecutter.alerts %}
        "sentry_alert_email_recipients",
{%- endif %}
{%- if cookiecutter.framework == "django" %}
        "django_allowed_hosts",
{%- endif %}
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("sentry_dsn", "sentry_dsn_worker")
    @classmethod
    def _parse_dsn(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Dsn(value.get_secret_value())
            except BadDsn as error:
                raise ValueError(f"not a valid Sentry DSN ({error})") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        # The messages never quote the URL: it usually holds the password.
        scheme, separator, _ = value.partition("://")
        if not separator:
            raise ValueError("not a URL, e.g. postgresql://user:password@host/name")
        if scheme not in DATABASE_SCHEMES:
            supported = ", ".join(DATABASE_SCHEMES)
            raise ValueError(f"unsupported scheme (supported: {supported})")
        if not _port_is_valid(value):
            raise ValueError("the port must be a number from 1 to 65535")
        return value
{%- if cookiecutter.worker != "none" %}

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        # Celery and ARQ both read the database number from the path.
        scheme, separator, _ = value.partition("://")
        if not separator or scheme not in REDIS_SCHEMES:
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        if not _port_is_valid(value):
            raise ValueError("the port must be a number from 1 to 65535")
        database = urlsplit(value).path.strip("/")
        if scheme != "unix" and database and not database.isdigit():
            raise ValueError("the path must be a database number, e.g. /0")
        return value

    @field_validator("worker_queue")
    @classmethod
    def _check_queue(cls, value: str) -> str:
        # A Redis key that the worker and the web side must spell alike.
        if not value or _has_whitespace(value):
            raise ValueError("must be a non-empty name without whitespace")
        return value
{%- endif %}

    @field_validator("sentry_environment")
    @classmethod
    def _check_environment_name(cls, value: str | None) -> str | None:
        # Sentry's rules for environment names.
        if value is None:
            return value
        if _has_whitespace(value) or "/" in value:
            raise ValueError("must not contain whitespace or '/'")
        if value == "None" or len(value) > MAX_ENVIRONMENT_LENGTH:
            raise ValueError(
                f"must not be 'None' or longer than {MAX_ENVIRONMENT_LENGTH} characters"
            )
        return value

    @field_validator("app_version", "sentry_release")
    @classmethod
    def _check_release_name(cls, value: str | None) -> str | None:
        # Sentry's rules for release names (APP_VERSION may become the release).
        if value is None:
            return value
        if any(character in value for character in "\n\r\t/\\"):
            raise ValueError("must not contain newlines, tabs, '/' or '\\'")
        if value.strip() in {"", ".", ".."}:
            raise ValueError("must not be blank, '.' or '..'")
        if len(value) > MAX_RELEASE_LENGTH:
            raise ValueError(f"must not be longer than {MAX_RELEASE_LENGTH} characters")
        return value

    @field_validator("sentry_extra_sensitive_keys")
    @classmethod
    def _check_sensitive_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Keys are matched against field and header names: a space or a ';' is
        # almost always a wrong separator, and such a key would never match.
        for key in value:
            if not re.fullmatch(r"[\w.-]+", key):
                raise ValueError(f"{key!r} is not a key name (separate keys with ',')")
        return value
{%- if cookiecutter.framework == "django" %}

    @field_validator("django_allowed_hosts")
    @classmethod
    def _check_allowed_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Django compares bare host names: an entry with a scheme, port or path
        # never matches, and no entry at all refuses every request.
        if not value:
            raise ValueError("must name at least one host")
        for host in value:
            if not (host == "*" or _is_host_pattern(host)):
                raise ValueError(
                    f"{host!r} is not a host name (no scheme, port or path)"
                )
        return value
{%- endif %}
{%- if cookiecutter.alerts != "none" %}

    @field_validator("sentry_issues_url")
    @classmethod
    def _check_issues_url(cls, value: str | None) -> str | None:
        if value is not None and not _is_http_url(value):
            raise ValueError("must be an http(s) URL")
        return value
{%- endif %}
{%- if "slack" in cookiecutter.alerts %}

    @field_validator("sentry_slack_webhook_url")
    @classmethod
    def _check_webhook(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _is_http_url(value.get_secret_value()):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("sentry_slack_channel")
    @classmethod
    def _check_slack_channel(cls, value: str | None) -> str | None:
        # What a webhook's "channel" accepts: #channel, @user, or a channel id.
        if value is not None and not re.fullmatch(
            r"[#@][^\s,]{1,80}|[CDG][A-Z0-9]{8,}", value
        ):
            raise ValueError("must be #channel, @user or a channel id")
        return value
{%- endif %}
{%- if "email" in cookiecutter.alerts %}

    @field_validator("sentry_alert_email_recipients")
    @classmethod
    def _check_recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for recipient in value:
            if not re.fullmatch(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+", recipient):
                raise ValueError(f"{recipient!r} is not an e-mail address")
        return value

    @field_validator("sentry_alert_email_sender")
    @classmethod
    def _check_sender(cls, value: str) -> str:
        # A bare address: local hosts (the default, ...@localhost) are fine.
        if not re.fullmatch(r"[^@\s,<>]+@[^@\s,<>]+", value):
            raise ValueError("not an e-mail address")
        return value

    @field_validator("smtp_host")
    @classmethod
    def _check_smtp_host(cls, value: str) -> str:
        # smtplib treats an empty host as "connect later", and then never does.
        if not value or _has_whitespace(value):
            raise ValueError("must be a host name")
        return value
{%- endif %}

    @model_validator(mode="after")
    def _check_secret_key_in_production(self) -> "Settings":
        # It signs the access tokens{% if cookiecutter.framework == "django" %} and sessions{% endif %}: a weak one lets anyone forge them.
        if self.environment != "production":
            return self
        if self.secret_key is None:
            raise ValueError("SECRET_KEY: required when ENVIRONMENT is production")
        if len(self.secret_key.get_secret_value()) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"SECRET_KEY: at least {MIN_SECRET_KEY_LENGTH} characters when "
                "ENVIRONMENT is production (a short signing key can be brute-forced)"
            )
        return self

    @model_validator(mode="after")
    def _check_strict_mode(self) -> "Settings":
        if self.sentry_pii_mode == "strict" and self.sentry_send_default_pii:
            raise ValueError(
                "SENTRY_SEND_DEFAULT_PII: must be false when SENTRY_PII_MODE is strict"
            )
        return self
{%- if "email" in cookiecutter.alerts %}

    @model_validator(mode="after")
    def _check_smtp_login(self) -> "Settings":
        # The notifier logs in only with both: one alone would be silently ignored.
        if self.smtp_password is not None and self.smtp_username is None:
            raise ValueError("SMTP_PASSWORD: set SMTP_USERNAME too (login needs both)")
        if self.smtp_username is not None and self.smtp_password is None:
            raise ValueError("SMTP_USERNAME: set SMTP_PASSWORD too (login needs both)")
        return self
{%- endif %}

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


def _has_whitespace(text: str) -> bool:
    return any(character.isspace() for character in text)


def _port_is_valid(url: str) -> bool:
    try:
        port = urlsplit(url).port  # Checked when read: not a number raises.
    except ValueError:
        return False
    return port is None or port > 0


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)
{%- if cookiecutter.framework == "django" %}


def _is_host_pattern(host: str) -> bool:
    """A name as ALLOWED_HOSTS takes it: `example.com`, `.example.com`, `[::1]`."""
    name = r"\.?[a-z0-9-]+(\.[a-z0-9-]+)*\.?"
    ipv6 = r"\[[0-9a-f:.]+\]"
    return re.fullmatch(f"{name}|{ipv6}", host, re.IGNORECASE) is not None
{%- endif %}


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
