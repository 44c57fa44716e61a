"""`migrate`, one run at a time: Django's own command under a PostgreSQL advisory lock.

Every deployment runs `django-admin migrate --noinput` (the compose files' `migrate`
service, the Kubernetes pods' `migrate` init container). Runs started side by side
(replicas starting at once, a deploy beside a restart) would collide on an empty
database: each sees no table yet and creates it. So each run first waits for the
advisory lock below, on the database it migrates, and holds it until it is done: one
applies the migrations, the others then find nothing left to do. The lock belongs to
the session, so a run that dies releases it with its connection. Other databases
(SQLite in development and tests) have no such lock and need none.

A database it cannot reach stops it in one line (Django's CommandError: the
driver's reason, exit status 1), as `python -m` migrations do in the other
frameworks.
"""

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import OperationalError, connections

from ....core.logs import LogLines, configure_logging
from ....core.settings import read_settings
from ....features import Settings

# The PostgreSQL advisory lock every run holds while it migrates: any fixed number,
# the same in every process of this service.
MIGRATION_LOCK_KEY = 5_170_322_118


class Command(migrate.Command):
    help = migrate.Command.help + " One run at a time on PostgreSQL."

    def execute(self, *args: Any, **options: Any) -> str | None:
        """With LOG_FORMAT=json (staging and production), what the command prints
        ("Applying accounts.0001_initial... OK") becomes JSON lines of the
        `django.migrate` logger: the `migrate` service's stdout is JSON only, as
        every other process's. `django-admin` runs no entry point of the service,
        so the command sets the logs up itself."""
        settings = read_settings(Settings)
        if settings.resolved_log_format != "json" or options.get("stdout"):
            return super().execute(*args, **options)
        configure_logging(settings)
        with LogLines("django.migrate") as stdout:
            options = {**options, "stdout": stdout, "no_color": True}
            return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.migrate_one_at_a_time(*args, **options)
        except OperationalError as error:
            reason = str(error).strip().splitlines()[0]
            raise CommandError(f"Database error (DATABASE_URL): {reason}") from None

    def migrate_one_at_a_time(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            super().handle(*args, **options)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        try:
            super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
