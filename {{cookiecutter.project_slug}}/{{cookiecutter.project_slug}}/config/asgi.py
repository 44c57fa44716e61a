"""ASGI entry point: `uvicorn {{ cookiecutter.project_slug }}.config.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

{% if cookiecutter.alerts != "none" -%}
from ..core.alerts import count_requests
{% endif -%}
from . import default_settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings_module())

application = {% if cookiecutter.alerts != "none" %}count_requests(get_asgi_application()){% else %}get_asgi_application(){% endif %}
