"""How the web side queues the example job on ARQ (from every framework's glue)."""

from dataclasses import replace

import sentry_sdk
from arq import create_pool
from arq.connections import RedisSettings

from ..core.settings import read_settings
from .settings import WorkerSettings

# With Redis down, queuing fails after one retry, about a second (the request answers
# 500 and reports it), instead of holding the request through arq's five.
QUEUE_DOWN_RETRIES = 1


async def enqueue_order(
    order_id: str, email: str, fail: bool = False, user_id: str | None = None
) -> str:
    """Queue `process_order`; return the job id. The request's trace goes along,
    and `user_id`, the user who queued it, for the job's events."""
    settings = read_settings(WorkerSettings)
    redis = RedisSettings.from_dsn(settings.redis_url)
    pool = await create_pool(replace(redis, conn_retries=QUEUE_DOWN_RETRIES))
    try:
        job = await pool.enqueue_job(
            "process_order",
            order_id,
            email,
            fail,
            user_id=user_id,
            trace_headers=_trace_headers(),
            _queue_name=settings.worker_queue,
        )
    finally:
        await pool.aclose()
    if job is None:
        raise RuntimeError("ARQ refused the job")
    return job.job_id


def _trace_headers() -> dict[str, str] | None:
    """The request's trace, for the job to continue. None while Sentry is off: the
    request has no trace then, and every job would continue one made-up trace id
    (the process's), the same in every job's log lines."""
    if not sentry_sdk.get_client().is_active():
        return None
    headers = {"sentry-trace": sentry_sdk.get_traceparent() or ""}
    baggage = sentry_sdk.get_baggage()
    if baggage:
        headers["baggage"] = baggage
    return headers
