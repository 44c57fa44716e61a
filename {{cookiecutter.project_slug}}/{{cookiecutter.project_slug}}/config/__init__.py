"""Django project configuration: settings per environment, URLs, ASGI/WSGI."""

from {{ cookiecutter.project_slug }}.core.settings import SettingsError, get_settings


def default_settings_module() -> str:
    """The settings module of ENVIRONMENT, unless DJANGO_SETTINGS_MODULE says else.

    Reading it validates every variable: a bad one stops start-up with one line.
    """
    try:
        environment = get_settings().environment
    except SettingsError as error:
        raise SystemExit(f"Configuration error: {error}") from None
    return f"{__name__}.settings.{environment}"
