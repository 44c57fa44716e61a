"""The example jobs. Their logic is plain Python, so tests can call it directly."""

from {{ cookiecutter.project_slug }}.core.diagnostics import SentryTestError, describe
from {{ cookiecutter.project_slug }}.core.sentry import (
    add_breadcrumb,
    set_user_context,
)

from .celery_app import app


@app.task
def process_order(
    order_id: str, email: str, fail: bool = False, user_id: str | None = None
) -> str:
    """Process one order; `fail=True` raises, proving task errors reach Sentry.

    `user_id` is the user who queued the order: this task's events carry it
    (CeleryIntegration gives each task a scope of its own, so it goes no further).
    """
    if user_id is not None:
        set_user_context(user_id)
    add_breadcrumb("Processing order", category="task", order_id=order_id)
    if fail:
        raise SentryTestError(describe("Test task error", order_id))
    return f"order {order_id} processed"


@app.task
def heartbeat() -> str:
    """A periodic job (see beat_schedule): each run is a Sentry cron check-in."""
    return "ok"
