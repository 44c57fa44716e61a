"""Django project configuration: settings per environment, URLs, ASGI/WSGI."""

from {{ cookiecutter.project_slug }}.core.startup import settings_or_exit


def default_settings_module() -> str:
    """The settings module of ENVIRONMENT, unless DJANGO_SETTINGS_MODULE says else.

    Reading it validates every variable: a bad one stops start-up with one line.
    """
    return f"{__name__}.settings.{settings_or_exit().environment}"
