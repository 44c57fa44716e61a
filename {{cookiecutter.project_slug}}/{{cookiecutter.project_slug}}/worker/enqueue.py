"""How the web side queues the example job (called from every framework's glue)."""
{% if cookiecutter.worker == "celery" %}
import asyncio

from .tasks import process_order


async def enqueue_order(
    order_id: str, email: str, fail: bool = False, user_id: str | None = None
) -> str:
    """Queue `process_order`; return the job id. The request's trace goes along,
    and `user_id`, the user who queued it, for the job's events."""
    # apply_async blocks on Redis; the copied context keeps the current span.
    result = await asyncio.to_thread(
        process_order.delay, order_id, email, fail, user_id=user_id
    )
    return str(result.id)
{%- else %}
import sentry_sdk
from arq import create_pool
from arq.connections import RedisSettings

from {{ cookiecutter.project_slug }}.core.settings import get_settings


async def enqueue_order(
    order_id: str, email: str, fail: bool = False, user_id: str | None = None
) -> str:
    """Queue `process_order`; return the job id. The request's trace goes along,
    and `user_id`, the user who queued it, for the job's events."""
    settings = get_settings()
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
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


def _trace_headers() -> dict[str, str]:
    headers = {"sentry-trace": sentry_sdk.get_traceparent() or ""}
    baggage = sentry_sdk.get_baggage()
    if baggage:
        headers["baggage"] = baggage
    return headers
{%- endif %}
