"""The variables the background worker and the web side's queueing read."""

from urllib.parse import urlsplit

from pydantic import Field, field_validator

from ..core.settings import (
    OptionalDsn,
    ServiceSettings,
    has_whitespace,
    port_is_valid,
)
from ..project import PROJECT_SLUG

REDIS_SCHEMES = ("redis", "rediss", "unix")


class WorkerSettings(ServiceSettings):
    redis_url: str = Field(default="redis://localhost:6379/0", repr=False)
    # Services sharing one Redis need queues of their own.
    worker_queue: str = PROJECT_SLUG
    # The worker's own Sentry project; SENTRY_DSN when unset.
    sentry_dsn_worker: OptionalDsn = Field(default=None, repr=False)

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        # Both workers read the database number from the path.
        scheme, separator, _ = value.partition("://")
        if not separator or scheme not in REDIS_SCHEMES:
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        if not port_is_valid(value):
            raise ValueError("the port must be a number from 1 to 65535")
        database = urlsplit(value).path.strip("/")
        if scheme != "unix" and database and not database.isdigit():
            raise ValueError("the path must be a database number, e.g. /0")
        return value

    @field_validator("worker_queue")
    @classmethod
    def _check_queue(cls, value: str) -> str:
        # A Redis key that the worker and the web side must spell alike.
        if not value or has_whitespace(value):
            raise ValueError("must be a non-empty name without whitespace")
        return value

    @property
    def worker_dsn_overrides(self) -> dict[str, str]:
        """`init_sentry` overrides sending the worker's events to SENTRY_DSN_WORKER."""
        if self.sentry_dsn_worker is None:
            return {}
        return {"dsn": self.sentry_dsn_worker.get_secret_value()}
