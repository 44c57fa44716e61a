"""How the web side queues the example job on Celery (from every framework's glue)."""

import asyncio

from .tasks import process_order


async def enqueue_order(order_id: str, email: str, fail: bool = False) -> str:
    """Queue `process_order`; return the job id. The request's trace goes along."""
    # apply_async blocks on Redis; the copied context keeps the current span.
    result = await asyncio.to_thread(process_order.delay, order_id, email, fail)
    return str(result.id)
