"""WSGI entry point: `gunicorn {{ cookiecutter.project_slug }}.config.wsgi`."""

from django.core.wsgi import get_wsgi_application

from .startup import start

start()
application = get_wsgi_application()
