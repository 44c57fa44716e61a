"""The ARQ worker. Sentry starts when this module is imported: before arq creates
the worker, as ArqIntegration needs.

Run it with `arq {{ cookiecutter.project_slug }}.worker.arq_worker.WorkerSettings`.
"""

import os
import socket
import sys
from datetime import UTC
from types import TracebackType
from typing import Any

import sentry_sdk
from arq import cron
from arq.connections import RedisSettings
from arq.constants import job_key_prefix
from arq.jobs import DeserializationError, JobDef, deserialize_job
from redis.exceptions import RedisError
from sentry_sdk.integrations.arq import ArqIntegration
from sentry_sdk.tracing_utils import PropagationContext
from sentry_sdk.types import Event, Hint

from {{ cookiecutter.project_slug }}.core.diagnostics import SentryTestError, describe
from {{ cookiecutter.project_slug }}.core.logs import (
    bind,
    configure_logging,
    job_name,
    logging_config,
    start_context,
)
from {{ cookiecutter.project_slug }}.core.sentry import (
    SentryFeature,
    add_breadcrumb,
    close_sentry,
    set_user_context,
)
from {{ cookiecutter.project_slug }}.core.settings import read_settings
from {{ cookiecutter.project_slug }}.features import (
    Settings,
    settings_or_exit,
    start_sentry,
)

# Cron jobs report as Sentry cron monitors. (The web side needs no options: the SDK
# enables the integration there with its defaults.)
SENTRY = SentryFeature(integrations=(ArqIntegration(monitor_cron_jobs=True),))

# A bad setting stops the worker here, in one line naming the variable.
settings = settings_or_exit()
configure_logging(settings)
# arq sets its logging up after importing this module: `--custom-log-dict` hands it
# the core's (see the worker's command) instead of its own.
LOG_CONFIG = logging_config(settings)


def start_worker_sentry(**overrides: Any) -> bool:
    """Sentry for the worker: events tagged service=worker, sent to
    SENTRY_DSN_WORKER when it is set."""
    overrides = read_settings(Settings).worker_dsn_overrides | overrides
    return start_sentry("worker", SENTRY, **overrides)


def _redis_failure_in_one_line(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """Redis unreachable: arq retries it (5 times, a second apart, a warning line
    each), then gives up with its error. Say that in one line naming REDIS_URL;
    the process then exits with status 1 (its supervisor restarts it)."""
    if not issubclass(kind, RedisError):
        sys.__excepthook__(kind, error, trace)
        return
    message = f"Worker error: REDIS_URL: Redis failed: {error}"
    print(message, file=sys.stderr, flush=True)


# Before Sentry starts: its excepthook reports the error, then calls this one.
sys.excepthook = _redis_failure_in_one_line
start_worker_sentry()


@job_name
async def process_order(
    ctx: dict[str, Any],
    order_id: str,
    email: str,
    fail: bool = False,
    user_id: str | None = None,
    trace_headers: dict[str, str] | None = None,
) -> str:
    """Process one order; `fail=True` raises, proving job errors reach Sentry.

    `user_id` is the user who queued the order: this job's events carry it
    (ArqIntegration gives each job a scope of its own, so it goes no further).
    `trace_headers`, the trace of the request that queued it, is continued before
    the job starts (`_start_job_context`), so that its first line is in it too.
    """
    if user_id is not None:
        set_user_context(user_id)
    add_breadcrumb("Processing order", category="task", order_id=order_id)
    if fail:
        raise SentryTestError(describe("Test task error", order_id))
    return f"order {order_id} processed"


@job_name
async def heartbeat(ctx: dict[str, Any]) -> str:
    """A cron job: each run is a Sentry cron check-in (ArqIntegration)."""
    return "ok"


def continue_trace(headers: dict[str, str] | None) -> None:
    """Put this job's events in the trace of the request that queued it.

    ArqIntegration starts every job in a new trace and carries none along, so the
    queueing side sends its trace headers as a job argument (see `enqueue`).
    """
    context = PropagationContext.from_incoming_data(headers) if headers else None
    if context is None:
        return

    def adopt(event: Event, hint: Hint) -> Event:
        trace = event.get("contexts", {}).get("trace")
        if trace is not None:
            trace["trace_id"] = context.trace_id
            if event.get("type") == "transaction":
                trace["parent_span_id"] = context.parent_span_id
        spans = event.get("spans")
        for span in spans if isinstance(spans, list) else []:
            span["trace_id"] = context.trace_id
        return event

    # ArqIntegration gives each job its own isolation scope.
    sentry_sdk.get_isolation_scope().add_event_processor(adopt)
    # The job's log lines too: the request's trace, the span of the job's transaction
    # (the span id its events carry).
    bind(trace_id=context.trace_id)
    span = sentry_sdk.get_current_span()
    if span is not None:
        bind(span_id=span.span_id)


async def _start_job_context(ctx: dict[str, Any]) -> None:
    """Each job's log lines carry its id and its name, and are in the trace of the
    request that queued it (its `trace_headers`), from the first: arq's "→" line,
    written before the job's function runs. arq runs the job in a task started after
    this hook: it inherits the context."""
    start_context(job_id=ctx["job_id"], job_try=ctx["job_try"])
    definition = await _job_definition(ctx)
    if definition is None:
        return
    bind(job_name=definition.function.removeprefix("cron:"))
    trace_headers = definition.kwargs.get("trace_headers")
    if isinstance(trace_headers, dict):
        continue_trace(trace_headers)


async def _job_definition(ctx: dict[str, Any]) -> JobDef | None:
    """The job's function and arguments, read from Redis (arq read them just
    before this hook, but keeps them to itself); None if they are gone."""
    raw = await ctx["redis"].get(job_key_prefix + ctx["job_id"])
    if raw is None:
        return None
    try:
        return deserialize_job(raw)
    except DeserializationError:
        return None


async def _flush_sentry(ctx: dict[str, Any]) -> None:
    close_sentry()


class WorkerSettings:
    functions = (process_order,)
    cron_jobs = (cron(heartbeat, second=0, run_at_startup=True),)  # Every minute.
    redis_settings = RedisSettings.from_dsn(settings.redis_url)
    queue_name = settings.worker_queue
    timezone = UTC
    # Liveness (`arq --check`, run inside the worker's own container): each worker
    # keeps its own key, named after its host (the pod or container: $HOSTNAME), so
    # a replica that stops never deletes the key of those still running.
    health_check_key = (
        f"{settings.worker_queue}:health-check:"
        f"{os.environ.get('HOSTNAME') or socket.gethostname()}"
    )
    health_check_interval = 10  # Seconds; the key outlives each write by one second.
    # SIGTERM: take no new job, give the running ones this long (seconds), cancel the
    # rest (retried by another worker), then flush Sentry (2 s): within the 60 s that
    # docker-compose.prod.yml and the Kubernetes worker allow before SIGKILL.
    job_completion_wait = 50
    on_shutdown = _flush_sentry
    on_job_start = _start_job_context
