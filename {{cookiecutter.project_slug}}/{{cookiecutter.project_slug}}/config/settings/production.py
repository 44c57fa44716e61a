"""Production: what `manage.py check --deploy` asks for, secrets from the environment.

SECRET_KEY has no default here: `core.settings` refuses to start without it.
"""

from .base import *  # noqa: F403
from .base import APP

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = APP.django_secure_ssl_redirect
# Container health checks call /health over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
