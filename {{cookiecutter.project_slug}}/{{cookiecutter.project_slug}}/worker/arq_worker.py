"""The ARQ worker. Sentry starts when this module is imported: before arq creates
the worker, as ArqIntegration needs.

Run it with `arq {{ cookiecutter.project_slug }}.worker.arq_worker.WorkerSettings`.
"""

from datetime import UTC
from typing import Any

import sentry_sdk
from arq import cron
from arq.connections import RedisSettings
from sentry_sdk.tracing_utils import PropagationContext
from sentry_sdk.types import Event, Hint

from {{ cookiecutter.project_slug }}.core.diagnostics import SentryTestError, describe
from {{ cookiecutter.project_slug }}.core.sentry import (
    add_breadcrumb,
    close_sentry,
    init_sentry,
)
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.core.startup import settings_or_exit

# A bad setting stops the worker here, in one line naming the variable.
settings_or_exit()
init_sentry(service="worker")


async def process_order(
    ctx: dict[str, Any],
    order_id: str,
    email: str,
    fail: bool = False,
    trace_headers: dict[str, str] | None = None,
) -> str:
    """Process one order; `fail=True` raises, proving job errors reach Sentry."""
    continue_trace(trace_headers)
    add_breadcrumb("Processing order", category="task", order_id=order_id)
    if fail:
        raise SentryTestError(describe("Test task error", order_id))
    return f"order {order_id} processed"


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
        for span in event.get("spans") or []:
            span["trace_id"] = context.trace_id
        return event

    # ArqIntegration gives each job its own isolation scope.
    sentry_sdk.get_isolation_scope().add_event_processor(adopt)


async def _flush_sentry(ctx: dict[str, Any]) -> None:
    close_sentry()


class WorkerSettings:
    functions = (process_order,)
    cron_jobs = (cron(heartbeat, second=0, run_at_startup=True),)  # Every minute.
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    queue_name = get_settings().worker_queue
    timezone = UTC
    # SIGTERM: take no new job, give the running ones this long (seconds), cancel the
    # rest (retried by another worker), then flush Sentry (2 s): within the 60 s that
    # docker-compose.prod.yml and the Kubernetes worker allow before SIGKILL.
    job_completion_wait = 50
    on_shutdown = _flush_sentry
