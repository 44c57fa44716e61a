"""The variables the Django glue reads (besides the core's and SECRET_KEY)."""

import re

from pydantic import Field, field_validator

from ..core.settings import CommaSeparated, ServiceSettings, check_url
from ..project import PROJECT_SLUG

# What dj-database-url and the installed drivers serve: SQLite, and PostgreSQL
# through psycopg 3.
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")


class DjangoSettings(ServiceSettings):
    database_url: str = Field(default=f"sqlite:///./{PROJECT_SLUG}.db", repr=False)
    # Host names Django answers to in staging and production.
    django_allowed_hosts: CommaSeparated = ("localhost", "127.0.0.1")
    # Production redirects plain HTTP to HTTPS; false behind a proxy that already does.
    django_secure_ssl_redirect: bool = True

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
