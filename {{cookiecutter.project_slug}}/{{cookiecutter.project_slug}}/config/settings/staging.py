"""Staging: the production settings; ENVIRONMENT=staging picks Sentry's presets."""

from .production import *  # noqa: F403
