"""Local development: debug pages, any local host."""

from {{ cookiecutter.project_slug }}.core.sentry import init_sentry

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]

init_sentry()
