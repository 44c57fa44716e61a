"""The Celery application. Sentry starts with each worker and beat process.

Run both with
`celery -A {{ cookiecutter.project_slug }}.worker.celery_app worker --beat`.
"""

from contextvars import Token
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import (
    beat_init,
    celeryd_init,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_shutdown,
)
from sentry_sdk.integrations.celery import CeleryIntegration

from {{ cookiecutter.project_slug }}.core.logs import (
    configure_logging,
    end_context,
    start_context,
)
from {{ cookiecutter.project_slug }}.core.sentry import SentryFeature, close_sentry
from {{ cookiecutter.project_slug }}.core.settings import read_settings
from {{ cookiecutter.project_slug }}.features import (
    Settings,
    settings_or_exit,
    start_sentry,
)

# Beat tasks report as cron monitors; traces continue from the request (the web side
# enables the integration through features.QUEUE_SENTRY).
SENTRY = SentryFeature(integrations=(CeleryIntegration(monitor_beat_tasks=True),))

# How often one call reconnects to Redis (waits in seconds), then it fails.
QUEUE_DOWN_RETRIES = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}

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
    # With Redis down, queuing a job fails after about a second (the request answers
    # 500 and reports it) instead of retrying the result store for 20 s.
    result_backend_transport_options={"retry_policy": QUEUE_DOWN_RETRIES},
    # stdout stays stdout: the core's log handler writes there (core/logs.py), and
    # Celery's redirection would feed the lines back into logging.
    worker_redirect_stdouts=False,
    # Monitored as a Sentry cron (check-ins) by CeleryIntegration(monitor_beat_tasks).
    beat_schedule={
        "heartbeat": {
            "task": "{{ cookiecutter.project_slug }}.worker.tasks.heartbeat",
            "schedule": crontab(),  # Every minute.
        }
    },
)


def start_worker_sentry(**overrides: Any) -> bool:
    """Sentry for the worker and beat: events tagged service=worker, sent to
    SENTRY_DSN_WORKER when it is set."""
    overrides = read_settings(Settings).worker_dsn_overrides | overrides
    return start_sentry("worker", SENTRY, **overrides)


# At process start, not in worker_process_init: the pool's children inherit it.
@celeryd_init.connect
def _start_sentry_in_worker(**kwargs: Any) -> None:
    start_worker_sentry()


@celeryd_init.connect
def _no_banner_in_json(instance: Any, **kwargs: Any) -> None:
    """With LOG_FORMAT=json (staging and production), stdout holds JSON lines only:
    no start-up banner, which Celery prints instead of logging it (the worker logs
    "celery@<host> ready." and its connection anyway). A separate `celery beat`
    prints its own before any signal: its command takes Celery's `--quiet`."""
    if settings.resolved_log_format == "json":
        instance.quiet = True


@beat_init.connect
def _start_sentry_in_beat(**kwargs: Any) -> None:
    start_worker_sentry()


# Celery's own logging set-up is replaced by the core's (LOG_FORMAT, LOG_LEVEL).
@setup_logging.connect
def _configure_logging(**kwargs: Any) -> None:
    configure_logging(read_settings(Settings))


# Each task's log lines carry its id and name (and its trace, see core/logs.py).
_task_contexts: dict[str, Token[dict[str, Any] | None]] = {}


@task_prerun.connect
def _start_task_context(task_id: str, task: Any, **kwargs: Any) -> None:
    _task_contexts[task_id] = start_context(job_id=task_id, job_name=task.name)


@task_postrun.connect
def _end_task_context(task_id: str, **kwargs: Any) -> None:
    token = _task_contexts.pop(task_id, None)
    if token is not None:
        end_context(token)


@worker_shutdown.connect
def _flush_sentry(**kwargs: Any) -> None:
    close_sentry()
