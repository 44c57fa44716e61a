"""Settings shared by every environment.

Values come from the same validated environment the Sentry core reads
(`features.Settings`), so a bad variable stops start-up with one message naming it.
"""

from pathlib import Path

import dj_database_url
import django_stubs_ext

from {{ cookiecutter.project_slug }}.features import settings_or_exit

django_stubs_ext.monkeypatch()
APP = settings_or_exit()
# The package directory, wherever it is installed (the image installs it, without the
# source tree).
PACKAGE_DIR = Path(__file__).resolve().parents[2]

SECRET_KEY = APP.signing_key
DEBUG = False
ALLOWED_HOSTS = list(APP.django_allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The project's own commands: `migrate` one run at a time (management/commands/).
    "{{ cookiecutter.project_slug }}.config",
    "{{ cookiecutter.project_slug }}.accounts",
    "{{ cookiecutter.project_slug }}.notes",
]

MIDDLEWARE = [
    # Outermost: the request id, and one log line per request (core.request_log).
    "{{ cookiecutter.project_slug }}.config.request_log.RequestLoggingMiddleware",
    # First: every error answer of the API in JSON, Django's own included.
    "{{ cookiecutter.project_slug }}.config.http.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's CSS and JS) from STATIC_ROOT, also in production.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After AuthenticationMiddleware: bearer tokens may replace the session user,
    # and the Sentry user is set from whoever is authenticated.
    "{{ cookiecutter.project_slug }}.accounts.middleware.BearerTokenMiddleware",
    "{{ cookiecutter.project_slug }}.accounts.middleware.SentryUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# A JSON API: a wrong path is a 404, never a redirect (of a POST, in development
# an error) to the path with a slash.
APPEND_SLASH = False
# Larger bodies are refused (413), as by request_limits.py in front of the ASGI app.
DATA_UPLOAD_MAX_MEMORY_SIZE = APP.max_request_body_bytes

ROOT_URLCONF = "{{ cookiecutter.project_slug }}.config.urls"
ASGI_APPLICATION = "{{ cookiecutter.project_slug }}.config.asgi.application"
WSGI_APPLICATION = "{{ cookiecutter.project_slug }}.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": dj_database_url.parse(APP.database_url, conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "{{ cookiecutter.project_slug }}.accounts.passwords.MaxLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Filled by `collectstatic` (the Dockerfile runs it when it builds the image) and
# served by whitenoise with far-future caching (hashed, compressed names). With
# DEBUG (development) whitenoise serves the apps' files directly, no collecting.
STATIC_ROOT = PACKAGE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Logging is the core's (core/logs.py, LOG_FORMAT and LOG_LEVEL), set up by every
# entry point (config/startup.py) before Django: Django leaves it alone.
LOGGING_CONFIG = None
