"""WSGI entry point: `gunicorn {{ cookiecutter.project_slug }}.config.wsgi`."""

from django.core.wsgi import get_wsgi_application

from .startup import start, warn_about_unapplied_migrations

start()
application = get_wsgi_application()
warn_about_unapplied_migrations()
