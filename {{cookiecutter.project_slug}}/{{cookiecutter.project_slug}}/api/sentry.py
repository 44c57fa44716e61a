"""What the FastAPI glue adds to Sentry: only 5xx responses become events, and
transactions are named after the route."""

from sentry_sdk.integrations.fastapi import FastApiIntegration
from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration
from sentry_sdk.integrations.starlette import StarletteIntegration

from ..core.sentry import SentryFeature

SERVER_ERRORS = set(range(500, 600))

SENTRY = SentryFeature(
    integrations=(
        StarletteIntegration(
            transaction_style="url", failed_request_status_codes=SERVER_ERRORS
        ),
        FastApiIntegration(
            transaction_style="url", failed_request_status_codes=SERVER_ERRORS
        ),
        SqlalchemyIntegration(),  # SQL spans and breadcrumbs.
    )
)
