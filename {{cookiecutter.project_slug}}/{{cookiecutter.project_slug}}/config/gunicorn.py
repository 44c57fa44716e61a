"""gunicorn's settings file, as the Dockerfile's CMD names it:
`gunicorn -c python:{{ cookiecutter.project_slug }}.config.gunicorn ...` (the other
options are on that command line).

gunicorn's own lines (started, listening, each worker booted, signals, shutdown)
go through the core's logging (`core/logs.py`: LOG_FORMAT, LOG_LEVEL), as its
workers' lines do, so that production writes nothing but JSON lines; and no
control socket. A bad setting stops gunicorn here, before any worker starts, in
one line (exit status 3).
"""

from ..core.logs import logging_config
from ..features import settings_or_exit

logconfig_dict = logging_config(settings_or_exit())
# No runtime control socket (gunicorn 27's `gunicornc`): nothing here uses it, and it
# would be created under $HOME, which the Kubernetes pods mount read-only.
control_socket_disable = True
