"""Local development: debug pages, any local host."""

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]
