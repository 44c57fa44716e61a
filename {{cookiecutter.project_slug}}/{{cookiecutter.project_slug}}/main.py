"""ASGI entry point: `uvicorn {{ cookiecutter.project_slug }}.main:app`."""

{% if cookiecutter.framework == "fastapi" -%}
from .api.app import create_app
{% endif -%}
from .core.settings import SettingsError
{%- if cookiecutter.framework == "starlette-graphql" %}
from .graphql_api.app import create_app
{%- endif %}

try:
    app = create_app()
except SettingsError as error:
    # One clear line instead of a traceback: the message names the variable.
    raise SystemExit(f"Configuration error: {error}") from None
