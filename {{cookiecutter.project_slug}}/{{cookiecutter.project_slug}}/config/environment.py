"""The variables the Django glue reads (besides the core's and SECRET_KEY)."""

import importlib.util
import re

from pydantic import Field, field_validator

from ..core.settings import CommaSeparated, OptionalStr, ServiceSettings, check_url
from ..project import PROJECT_SLUG

# What dj-database-url and the installed drivers serve: SQLite, and PostgreSQL
# through psycopg 3.
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")
# The settings modules the project ships, one per environment (and the tests').
SETTINGS_PACKAGE = f"{PROJECT_SLUG}.config.settings"
SETTINGS_MODULES = tuple(
    f"{SETTINGS_PACKAGE}.{name}"
    for name in ("development", "staging", "production", "test")
)


class DjangoSettings(ServiceSettings):
    database_url: str = Field(default=f"sqlite:///./{PROJECT_SLUG}.db", repr=False)
    # Host names Django answers to in staging and production.
    django_allowed_hosts: CommaSeparated = ("localhost", "127.0.0.1")
    # Production redirects plain HTTP to HTTPS; false behind a proxy that already does.
    django_secure_ssl_redirect: bool = True
    # Unset: the module of ENVIRONMENT (see startup.py).
    django_settings_module: OptionalStr = None

    @field_validator("django_settings_module")
    @classmethod
    def _check_settings_module(cls, value: str | None) -> str | None:
        # Django would only find out in a traceback, once the server has started.
        if value is not None and not module_exists(value):
            accepted = ", ".join(SETTINGS_MODULES)
            raise ValueError(f"no such module; one of {accepted}, or a module of yours")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        example = "postgresql://user:password@host/name"
        return check_url(value, DATABASE_SCHEMES, example)

    @field_validator("django_allowed_hosts")
    @classmethod
    def _check_allowed_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Django compares bare host names: an entry with a scheme, port or path
        # never matches, and no entry at all refuses every request.
        if not value:
            raise ValueError("must name at least one host")
        for host in value:
            if not (host == "*" or is_host_pattern(host)):
                raise ValueError(
                    f"{host!r} is not a host name (no scheme, port or path)"
                )
        return value


def is_host_pattern(host: str) -> bool:
    """A name as ALLOWED_HOSTS takes it: `example.com`, `.example.com`, `[::1]`."""
    name = r"\.?[a-z0-9-]+(\.[a-z0-9-]+)*\.?"
    ipv6 = r"\[[0-9a-f:.]+\]"
    return re.fullmatch(f"{name}|{ipv6}", host, re.IGNORECASE) is not None


def module_exists(name: str) -> bool:
    """Whether `name` can be imported (its parent packages are)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # A parent is missing; "", ".relative".
        return False
