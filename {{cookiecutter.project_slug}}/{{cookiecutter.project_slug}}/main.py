"""ASGI entry point: `uvicorn {{ cookiecutter.project_slug }}.main:app`."""

{% if cookiecutter.framework == "fastapi" -%}
from .api.app import create_app
{% endif -%}
{% if cookiecutter.alerts != "none" -%}
from .core.alerts import count_requests
{% endif -%}
from .core.settings import SettingsError
{%- if cookiecutter.framework == "starlette-graphql" %}
from .graphql_api.app import create_app
{%- endif %}

try:
    app = {% if cookiecutter.alerts != "none" %}count_requests(create_app()){% else %}create_app(){% endif %}
except SettingsError as error:
    # One clear line instead of a traceback: the message names the variable.
    raise SystemExit(f"Configuration error: {error}") from None
