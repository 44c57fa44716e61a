"""Tests: fast hashing, a throwaway database, Sentry left to the test fixtures."""

import uuid

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No `collectstatic` before the tests: plain file names, no manifest to look them up in.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# And served from the apps, as in development: whitenoise would otherwise look for
# STATIC_ROOT, which only `collectstatic` fills, and warn at every test client.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # A unique test database, so that suites sharing one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{uuid.uuid4().hex[:12]}"}
