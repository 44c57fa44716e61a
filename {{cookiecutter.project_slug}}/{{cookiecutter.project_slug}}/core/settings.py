"""Settings from the environment (and `.env`), validated once at start-up.

`ServiceSettings` is the base of every settings class of the service: the core's
`SentrySettings` here, and one class per feature beside the feature's code. The
project's `features.Settings` puts them together, so that a process validates every
variable when it starts. A bad value stops start-up with `SettingsError`, whose
message names the variable (and never shows a secret's value).

Sentry options left unset take the preset of the environment (see `PRESETS`).
"""

import functools
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sentry_sdk.utils import BadDsn, Dsn

from .. import __version__
from ..project import DEFAULT_ENVIRONMENT, PII_MODE, PROJECT_SLUG, TRACES_SAMPLE_RATES

PROJECT_ROOT = Path(__file__).resolve().parents[2]

Environment = Literal["development", "staging", "production"]
PiiMode = Literal["standard", "strict"]
LogFormat = Literal["json", "console"]
T = TypeVar("T")
S = TypeVar("S", bound="ServiceSettings")

# Sentry's limits on environment and release names.
MAX_ENVIRONMENT_LENGTH = 64
MAX_RELEASE_LENGTH = 200


@dataclass(frozen=True)
class Preset:
    """Sentry defaults for one kind of environment (explicit variables win).

    `debug` (the SDK's own log, SENTRY_DEBUG) is off in every environment: hundreds of
    lines per request; turn it on to diagnose the SDK itself.
    """

    sample_rate: float
    traces_sample_rate: float
    profiles_sample_rate: float
    debug: bool
    include_local_variables: bool
    # Log records sent to Sentry Logs (SENTRY_ENABLE_LOGS) and how lines are written
    # to stdout (LOG_FORMAT).
    enable_logs: bool = True
    log_format: LogFormat = "json"


PRESETS: dict[str, Preset] = {
    "development": Preset(
        sample_rate=1.0,
        traces_sample_rate=TRACES_SAMPLE_RATES["development"],
        profiles_sample_rate=1.0,
        debug=False,
        include_local_variables=True,
        log_format="console",
    ),
    "staging": Preset(
        sample_rate=1.0,
        traces_sample_rate=TRACES_SAMPLE_RATES["staging"],
        profiles_sample_rate=0.2,
        debug=False,
        include_local_variables=True,
    ),
    # Production never samples errors away: every error is worth seeing. Sentry Logs
    # are opt-in there: each INFO line (one per request at least) would be a billed
    # log item; stdout keeps every line as JSON, and errors carry breadcrumbs.
    "production": Preset(
        sample_rate=1.0,
        traces_sample_rate=TRACES_SAMPLE_RATES["production"],
        profiles_sample_rate=0.02,
        debug=False,
        include_local_variables=False,
        enable_logs=False,
    ),
}


def empty_is_unset(value: object) -> object:
    """`VAR=` (in .env, or compose's `${VAR:-}`) means "not set", not an empty value."""
    return None if value == "" else value


def split_commas(value: object) -> object:
    """ "a, b,,c" -> ("a", "b", "c"); other values pass unchanged."""
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


def check_dsn(value: SecretStr | None) -> SecretStr | None:
    """Refuse what the SDK could not parse as a DSN (the message never quotes it)."""
    if value is not None:
        try:
            Dsn(value.get_secret_value())
        except BadDsn as error:
            raise ValueError(f"not a valid Sentry DSN ({error})") from None
    return value


# Field types shared by the features' settings classes.
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
OptionalStr = Annotated[str | None, BeforeValidator(empty_is_unset)]
OptionalSecret = Annotated[SecretStr | None, BeforeValidator(empty_is_unset)]
OptionalDsn = Annotated[OptionalSecret, AfterValidator(check_dsn)]
# Comma-separated in the environment: "a, b,c" -> ("a", "b", "c").
CommaSeparated = Annotated[tuple[str, ...], NoDecode, BeforeValidator(split_commas)]


class SettingsError(Exception):
    """A setting has a value the service cannot start with."""


class ServiceSettings(BaseSettings):
    """The base of every settings class: read from the environment and `.env`.

    Fields declared with `repr=False` are secrets: an error message never shows
    their value.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Deployment environment: picks the Sentry presets and production's checks.
    environment: Environment = DEFAULT_ENVIRONMENT


class SentrySettings(ServiceSettings):
    """What the core reads: the app's identity, logging, and every Sentry option."""

    app_version: OptionalStr = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # json (one JSON object per line) or console (readable); unset: the preset's.
    log_format: Annotated[LogFormat | None, BeforeValidator(empty_is_unset)] = None

    sentry_dsn: OptionalDsn = Field(default=None, repr=False)
    sentry_environment: OptionalStr = None
    sentry_release: OptionalStr = None
    sentry_sample_rate: Rate | None = None
    sentry_traces_sample_rate: Rate | None = None
    sentry_profiles_sample_rate: Rate | None = None
    sentry_debug: bool | None = None
    sentry_send_default_pii: bool = False
    sentry_attach_stacktrace: bool = True
    sentry_include_local_variables: bool | None = None
    sentry_max_breadcrumbs: int = Field(default=100, ge=0, le=1000)
    sentry_enable_tracing: bool = True
    # Log records to Sentry Logs; unset: on in development and staging, off in
    # production (see PRESETS).
    sentry_enable_logs: Annotated[bool | None, BeforeValidator(empty_is_unset)] = None
    sentry_pii_mode: PiiMode = PII_MODE
    sentry_extra_sensitive_keys: CommaSeparated = ()

    @field_validator("sentry_environment")
    @classmethod
    def _check_environment_name(cls, value: str | None) -> str | None:
        # Sentry's rules for environment names.
        if value is None:
            return value
        if has_whitespace(value) or "/" in value:
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

    @model_validator(mode="after")
    def _check_strict_mode(self) -> "SentrySettings":
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
    def resolved_environment(self) -> str:
        return self.sentry_environment or self.environment

    @property
    def resolved_release(self) -> str:
        if self.sentry_release:
            return self.sentry_release
        sha = git_sha()
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
    def resolved_log_format(self) -> LogFormat:
        return _first(self.log_format, self.preset.log_format)

    @property
    def enable_logs(self) -> bool:
        return _first(self.sentry_enable_logs, self.preset.enable_logs)

    @property
    def pii_mode(self) -> PiiMode:
        return self.sentry_pii_mode

    @property
    def extra_sensitive_keys(self) -> tuple[str, ...]:
        return self.sentry_extra_sensitive_keys


# --- reading and caching -----------------------------------------------------------

_read: dict[type[ServiceSettings], ServiceSettings] = {}
_on_reset: list[Callable[[], None]] = []


def load_settings(settings_class: type[S], **values: Any) -> S:
    """Read and validate `settings_class`, turning pydantic's report into one line.

    Raises `SettingsError`: "VARIABLE: what is wrong (got 'value')", one clause per
    bad variable; a secret's value is never shown.
    """
    try:
        return settings_class(**values)
    except ValidationError as error:
        raise SettingsError(describe(error, secret_fields(settings_class))) from None


def read_settings(settings_class: type[S]) -> S:
    """`settings_class` read once per process (until `reset_settings()`)."""
    settings = _read.get(settings_class)
    if not isinstance(settings, settings_class):
        settings = _read[settings_class] = load_settings(settings_class)
    return settings


def get_settings() -> SentrySettings:
    """The core's settings (see `read_settings`)."""
    return read_settings(SentrySettings)


def cached_from_settings(function: Callable[[], T]) -> Callable[[], T]:
    """Cache what `function` builds from the settings (an engine, a client) until
    `reset_settings()`."""
    cached = functools.cache(function)
    _on_reset.append(cached.cache_clear)
    return cached


def reset_settings() -> None:
    """Forget the settings read so far, and what was built from them: the next read
    sees the environment as it is now."""
    _read.clear()
    for forget in _on_reset:
        forget()


def secret_fields(settings_class: type[BaseSettings]) -> frozenset[str]:
    """The fields declared with `repr=False`: their values are never shown."""
    return frozenset(
        name for name, field in settings_class.model_fields.items() if not field.repr
    )


def describe(error: ValidationError, secrets: frozenset[str] = frozenset()) -> str:
    """pydantic's report as one line naming each variable."""
    problems = []
    for detail in error.errors():
        field = str(detail["loc"][0]) if detail["loc"] else ""
        message = detail["msg"].removeprefix("Value error, ")
        if not field:
            problems.append(message)
            continue
        shown = "" if field in secrets else f" (got {detail['input']!r})"
        problems.append(f"{field.upper()}: {message}{shown}")
    return "; ".join(problems)


@functools.cache
def git_sha() -> str | None:
    """The checkout's short commit id (7 characters), or None outside a git checkout."""
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


# --- checks shared by the features' settings -----------------------------------------


def check_url(value: str, schemes: tuple[str, ...], example: str) -> str:
    """Refuse a URL whose scheme is not in `schemes` or whose port is not a number.

    The messages never quote the URL: it usually holds a password.
    """
    scheme, separator, _ = value.partition("://")
    if not separator:
        raise ValueError(f"not a URL, e.g. {example}")
    if scheme not in schemes:
        raise ValueError(f"unsupported scheme (supported: {', '.join(schemes)})")
    if not port_is_valid(value):
        raise ValueError("the port must be a number from 1 to 65535")
    return value


def has_whitespace(text: str) -> bool:
    return any(character.isspace() for character in text)


def port_is_valid(url: str) -> bool:
    try:
        port = urlsplit(url).port  # Checked when read: not a number raises.
    except ValueError:
        return False
    return port is None or port > 0


def is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _first(explicit: T | None, preset: T) -> T:
    return preset if explicit is None else explicit
