"""How every Django entry point (ASGI, WSGI, manage.py) starts.

In the entry points, not in the settings module: Celery's Django fix-up imports
the settings in the worker too, which would start Sentry as the web service there.
"""

import os

from ..features import settings_or_exit, start_sentry


def start() -> None:
    """Check every variable (a bad one stops the process in one line), pick the
    settings module of ENVIRONMENT unless DJANGO_SETTINGS_MODULE is set, start Sentry.
    """
    settings = settings_or_exit()
    module = f"{__package__}.settings.{settings.environment}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)
    start_sentry()
