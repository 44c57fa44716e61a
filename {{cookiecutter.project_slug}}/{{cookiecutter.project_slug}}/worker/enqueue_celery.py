"""How the web side queues the example job on Celery (from every framework's glue)."""

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
