"""How every Django entry point (ASGI, WSGI, manage.py) starts.

In the entry points, not in the settings module: a worker process that loads
Django imports the settings too, and must start Sentry as the worker.
"""

import os

from ..core.logs import configure_logging
from ..features import settings_or_exit, start_sentry


def start() -> None:
    """Check every variable (a bad one stops the process in one line), pick the
    settings module of ENVIRONMENT unless DJANGO_SETTINGS_MODULE is set, set up the
    logs (core/logs.py), start Sentry.
    """
    settings = settings_or_exit()
    configure_logging(settings)
    module = f"{__package__}.settings.{settings.environment}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)
    start_sentry()
