"""How every Django entry point (ASGI, WSGI, manage.py) starts.

In the entry points, not in the settings module: a worker process that loads
Django imports the settings too, and must start Sentry as the worker.
"""

import logging
import os
from concurrent.futures import ThreadPoolExecutor

import sentry_sdk

from ..core.logs import configure_logging
from ..features import settings_or_exit, start_sentry
from .environment import SETTINGS_PACKAGE


def start() -> None:
    """Check every variable (a bad one stops the process in one line), pick the
    settings module of ENVIRONMENT unless DJANGO_SETTINGS_MODULE is set, set up the
    logs (core/logs.py), start Sentry.
    """
    settings = settings_or_exit()
    configure_logging(settings)
    # The environment's module wins, then .env's, then ENVIRONMENT's.
    default = f"{SETTINGS_PACKAGE}.{settings.environment}"
    module = settings.django_settings_module or default
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)
    start_sentry()


def warn_about_unapplied_migrations() -> None:
    """With DEBUG (development), say in one line that the database lacks migrations,
    as `runserver` does, instead of leaving it to each request's "no such table"
    error. Elsewhere the deployment migrates first (the `migrate` service or init
    container) and the check would only cost every worker a query."""
    from django.conf import settings

    if not settings.DEBUG:
        return
    # In a thread of its own: uvicorn imports the application inside its event
    # loop, where Django refuses to query.
    with ThreadPoolExecutor(max_workers=1) as pool:
        unapplied = pool.submit(_count_unapplied_migrations).result()
    if unapplied:
        logging.getLogger(__name__).warning(
            "%d unapplied migration(s): run `python manage.py migrate`"
            " (requests that use the database fail until then)",
            unapplied,
        )


def _count_unapplied_migrations() -> int:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    # A scope of its own: the queries are no breadcrumbs of the first request's events.
    with sentry_sdk.isolation_scope():
        try:
            executor = MigrationExecutor(connection)
            return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        except Exception:  # No database yet: /health says so.
            return 0
        finally:
            connection.close()
