"""Tests: fast hashing, a throwaway database, Sentry left to the test fixtures."""

import uuid

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # A unique test database, so that suites sharing one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{uuid.uuid4().hex[:12]}"}
