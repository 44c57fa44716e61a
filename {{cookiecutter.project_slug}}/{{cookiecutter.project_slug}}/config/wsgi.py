"""WSGI entry point: `gunicorn {{ cookiecutter.project_slug }}.config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

from ..core.sentry import init_sentry
from . import default_settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())
# In the entry points, not in the settings: Celery's Django fix-up imports the
# settings in the worker too, which starts Sentry as the worker.
init_sentry()

application = get_wsgi_application()
