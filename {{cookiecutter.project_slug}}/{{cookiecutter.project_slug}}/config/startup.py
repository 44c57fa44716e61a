"""How every Django entry point (ASGI, WSGI, manage.py) starts.

In the entry points, not in the settings module: a worker process that loads
Django imports the settings too, and must start Sentry as the worker.
"""

import os

from ..core.logs import configure_logging
from ..features import settings_or_exit, start_sentry
from .environment import SETTINGS_PACKAGE


def start() -> None:
    """Check every variable (a bad one stops the process in one line), pick the
    settings module of ENVIRONMENT unless DJANGO_SETTINGS_MODULE is set, set up the
    logs (core/logs.py), start Sentry.
    """
    settings = settings_or_exit()
    configure_logging(settings)
    # The environment's module wins, then .env's, then ENVIRONMENT's.
    default = f"{SETTINGS_PACKAGE}.{settings.environment}"
    module = settings.django_settings_module or default
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)
    start_sentry()
