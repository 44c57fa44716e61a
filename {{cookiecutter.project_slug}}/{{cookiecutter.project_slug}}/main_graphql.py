"""ASGI entry point: `uvicorn {{ cookiecutter.project_slug }}.main:app`."""

from .core.startup import refuse_bad_settings
from .features import wrap_asgi
from .graphql_api.app import create_app

# A bad setting: one line naming the variable, exit status 3, no traceback.
with refuse_bad_settings():
    app = wrap_asgi(create_app())
