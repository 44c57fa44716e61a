"""ASGI entry point: `uvicorn {{ cookiecutter.project_slug }}.main:app`."""

{% if cookiecutter.framework == "fastapi" -%}
from .api.app import create_app
{% endif -%}
{% if cookiecutter.alerts != "none" -%}
from .core.alerts import count_requests
{% endif -%}
from .core.startup import refuse_bad_settings
{%- if cookiecutter.framework == "starlette-graphql" %}
from .graphql_api.app import create_app
{%- endif %}

# A bad setting: one line naming the variable, exit status 3, no traceback.
with refuse_bad_settings():
    app = {% if cookiecutter.alerts != "none" %}count_requests(create_app()){% else %}create_app(){% endif %}
