"""What the Starlette + Strawberry glue adds to Sentry: only 5xx responses become
events, resolvers are traced asynchronously, and the client's GraphQL errors
(syntax, validation, a `GraphQLError` raised on purpose) are not reported."""

from graphql import GraphQLError
from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration
from sentry_sdk.integrations.starlette import StarletteIntegration
from sentry_sdk.integrations.strawberry import StrawberryIntegration
from sentry_sdk.types import Event, Hint

from ..core.sentry import SentryFeature


def drop_client_errors(event: Event, hint: Hint) -> Event | None:
    """Event filter: None for a GraphQL error the client caused."""
    exc_info = hint.get("exc_info")
    if exc_info and is_client_error(exc_info[1]):
        return None
    return event


def is_client_error(error: BaseException) -> bool:
    """A syntax or validation error (no original error), or a GraphQLError a
    resolver raised on purpose."""
    if not isinstance(error, GraphQLError):
        return False
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


SENTRY = SentryFeature(
    integrations=(
        StarletteIntegration(
            transaction_style="url", failed_request_status_codes=set(range(500, 600))
        ),
        # Under ASGI the schema executes asynchronously.
        StrawberryIntegration(async_execution=True),
        SqlalchemyIntegration(),  # SQL spans and breadcrumbs.
    ),
    event_filters=(drop_client_errors,),
)
