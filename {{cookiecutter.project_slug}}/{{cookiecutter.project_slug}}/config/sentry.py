"""What the Django glue adds to Sentry: transactions named after the URL pattern,
no middleware spans, and requests for unknown hosts (DisallowedHost) dropped."""

from django.core.exceptions import DisallowedHost
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint

from ..core.sentry import SentryFeature

# Django logs DisallowedHost here too, as an error: the same noise, once more.
DISALLOWED_HOST_LOGGER = "django.security.DisallowedHost"


def drop_disallowed_host(event: Event, hint: Hint) -> Event | None:
    """Event filter: None for a request with a Host header not in ALLOWED_HOSTS."""
    if event.get("logger") == DISALLOWED_HOST_LOGGER:
        return None
    exc_info = hint.get("exc_info")
    if exc_info and isinstance(exc_info[1], DisallowedHost):
        return None
    return event


SENTRY = SentryFeature(
    integrations=(
        # Middleware spans cost on every request and rarely explain a slow one.
        DjangoIntegration(transaction_style="url", middleware_spans=False),
    ),
    event_filters=(drop_disallowed_host,),
)
