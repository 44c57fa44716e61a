{%- set sqlalchemy = cookiecutter.framework in ["fastapi", "starlette-graphql"] -%}
{%- set slack = "slack" in cookiecutter.alerts -%}
{%- set email = "email" in cookiecutter.alerts -%}
{%- set otlp = cookiecutter.opentelemetry == "otlp" -%}
"""The features this project was generated with, put together in one place.

The template writes this module from its answers: it is the only one that names
the framework and the optional features, so that every other module is kept or
removed whole.

- `Settings`: every variable the service reads (each one is in `.env.example`),
  validated together when a process starts (`settings_or_exit()`).
- `SENTRY_FEATURES` and `start_sentry()`: what each feature adds to Sentry, passed
  to the core's `init_sentry` by every entry point.
- `wrap_asgi()`: the features' ASGI middleware around the web app.
"""

from typing import Any{% if cookiecutter.alerts == "none" and cookiecutter.framework == "django" %}, TypeVar{% endif %}
{% if cookiecutter.worker == "celery" %}
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.redis import RedisIntegration
{% elif cookiecutter.worker == "arq" %}
from sentry_sdk.integrations.arq import ArqIntegration
from sentry_sdk.integrations.redis import RedisIntegration
{% endif %}{% if email %}
from .alerts.email import EmailSettings
from .alerts.email import notifier as email_notifier
{%- endif %}
{%- if cookiecutter.alerts != "none" %}
from .alerts.monitor import AlertSettings, ASGIApp, alerts_feature, count_requests
{%- endif %}
{%- if slack %}
from .alerts.slack import SlackSettings
from .alerts.slack import notifier as slack_notifier
{%- endif %}
{%- if cookiecutter.framework == "fastapi" %}
from .api.sentry import SENTRY as FRAMEWORK_SENTRY
{%- endif %}
{%- if cookiecutter.framework == "django" %}
from .config.environment import DjangoSettings
from .config.sentry import SENTRY as FRAMEWORK_SENTRY
{%- endif %}
{%- if cookiecutter.framework != "django" %}
from .core.request_log import RequestLogging
{%- endif %}
from .core.sentry import SentryFeature, init_sentry
from .core.settings import SentrySettings
from .core.startup import settings_or_exit as _settings_or_exit
{%- if sqlalchemy %}
from .db import DatabaseSettings
{%- endif %}
{%- if cookiecutter.framework == "starlette-graphql" %}
from .graphql_api.sentry import SENTRY as FRAMEWORK_SENTRY
{%- endif %}
{%- if otlp %}
from .otlp import SENTRY as OTLP_SENTRY
from .otlp import OtlpSettings
{%- endif %}
from .request_limits import RequestLimitSettings
from .tokens import AuthSettings
{%- if cookiecutter.worker != "none" %}
from .worker.settings import WorkerSettings
{%- endif %}


class Settings(
    SentrySettings,
    AuthSettings,
    RequestLimitSettings,
{%- if sqlalchemy %}
    DatabaseSettings,
{%- endif %}
{%- if cookiecutter.framework == "django" %}
    DjangoSettings,
{%- endif %}
{%- if cookiecutter.worker != "none" %}
    WorkerSettings,
{%- endif %}
{%- if cookiecutter.alerts != "none" %}
    AlertSettings,
{%- endif %}
{%- if slack %}
    SlackSettings,
{%- endif %}
{%- if email %}
    EmailSettings,
{%- endif %}
{%- if otlp %}
    OtlpSettings,
{%- endif %}
):
    """Every variable this service reads: the core's and each feature's."""
{%- if cookiecutter.worker != "none" %}


# The queue in every process: traces continue into the jobs queued, Redis commands
# are spans (the worker's own feature adds its cron monitors over this).
{%- if cookiecutter.worker == "celery" %}
QUEUE_SENTRY = SentryFeature(integrations=(CeleryIntegration(), RedisIntegration()))
{%- else %}
QUEUE_SENTRY = SentryFeature(integrations=(ArqIntegration(), RedisIntegration()))
{%- endif %}
{%- endif %}


# Added to Sentry in every process: the web app's and the worker's alike.
{%- if cookiecutter.worker == "none" and not otlp and cookiecutter.alerts == "none" %}
SENTRY_FEATURES: tuple[SentryFeature, ...] = (FRAMEWORK_SENTRY,)
{%- else %}
SENTRY_FEATURES: tuple[SentryFeature, ...] = (
    FRAMEWORK_SENTRY,
{%- if cookiecutter.worker != "none" %}
    QUEUE_SENTRY,
{%- endif %}
{%- if otlp %}
    OTLP_SENTRY,
{%- endif %}
{%- if cookiecutter.alerts != "none" %}
    alerts_feature(
        [
{%- if slack %}
            slack_notifier,
{%- endif %}
{%- if email %}
            email_notifier,
{%- endif %}
        ]
    ),
{%- endif %}
)
{%- endif %}


def settings_or_exit() -> Settings:
    """Every setting, validated: a bad value ends the process in one line."""
    return _settings_or_exit(Settings)


def start_sentry(service: str = "web", *extra: SentryFeature, **overrides: Any) -> bool:
    """Start Sentry in this process with `SENTRY_FEATURES` and the `extra` features
    of the caller (the worker's integration); see `core.sentry.init_sentry`."""
    return init_sentry(service, features=(*SENTRY_FEATURES, *extra), **overrides)
{%- if cookiecutter.alerts != "none" %}
{%- if cookiecutter.framework != "django" %}


def wrap_asgi(app: ASGIApp) -> RequestLogging:
    """The web app with the features' ASGI middleware: outermost the request id and
    log line (core/request_log.py), then request counts for alerts."""
    return RequestLogging(count_requests(app))
{%- else %}


def wrap_asgi(app: ASGIApp) -> ASGIApp:
    """The web app with the features' ASGI middleware: request counts for alerts."""
    return count_requests(app)
{%- endif %}
{%- elif cookiecutter.framework != "django" %}


def wrap_asgi(app: Any) -> RequestLogging:
    """The web app with the features' ASGI middleware: the request id and log line
    (core/request_log.py)."""
    return RequestLogging(app)
{%- else %}


App = TypeVar("App")


def wrap_asgi(app: App) -> App:
    """The web app with the features' ASGI middleware (none in this project: Django's
    request log line is its middleware's, config/request_log.py)."""
    return app
{%- endif %}
