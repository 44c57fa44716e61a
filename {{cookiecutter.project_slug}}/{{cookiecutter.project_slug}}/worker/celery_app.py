"""The Celery application. Sentry starts with each worker and beat process.

Run both with
`celery -A {{ cookiecutter.project_slug }}.worker.celery_app worker --beat`.
"""

from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, celeryd_init, worker_shutdown

from {{ cookiecutter.project_slug }}.core.sentry import close_sentry, init_sentry
from {{ cookiecutter.project_slug }}.core.startup import settings_or_exit

# A bad setting stops the worker and beat here, in one line naming the variable.
settings = settings_or_exit()
app = Celery(
    "{{ cookiecutter.project_slug }}",
    broker=settings.redis_url,
    backend=settings.redis_url,
    include=["{{ cookiecutter.project_slug }}.worker.tasks"],
)
app.conf.update(
    task_default_queue=settings.worker_queue,
    broker_connection_retry_on_startup=True,
    task_track_started=True,
    # Monitored as a Sentry cron (check-ins) by CeleryIntegration(monitor_beat_tasks).
    beat_schedule={
        "heartbeat": {
            "task": "{{ cookiecutter.project_slug }}.worker.tasks.heartbeat",
            "schedule": crontab(),  # Every minute.
        }
    },
)


# At process start, not in worker_process_init: the pool's children inherit it.
@celeryd_init.connect
def _start_sentry_in_worker(**kwargs: Any) -> None:
    init_sentry(service="worker")


@beat_init.connect
def _start_sentry_in_beat(**kwargs: Any) -> None:
    init_sentry(service="worker")


@worker_shutdown.connect
def _flush_sentry(**kwargs: Any) -> None:
    close_sentry()
