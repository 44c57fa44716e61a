"""ASGI entry point: `uvicorn {{ cookiecutter.project_slug }}.main:app`."""

from .api.app import create_app
from .core.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:
    # One clear line instead of a traceback: the message names the variable.
    raise SystemExit(f"Configuration error: {error}") from None
