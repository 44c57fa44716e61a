"""Exceptions that carry what Sentry needs to group them well.

Raise these (or subclasses) from application code; `fingerprints` groups them by the
attribute that matters: the service, the endpoint, the function.
"""


class AuthenticationError(Exception):
    """Credentials were missing, wrong or expired."""


class ExternalServiceError(Exception):
    """A call to another service failed."""

    def __init__(self, service: str, message: str = "") -> None:
        super().__init__(message or f"{service} call failed")
        self.service = service


class RateLimitError(Exception):
    """A caller went over a limit."""

    def __init__(self, endpoint: str, message: str = "") -> None:
        super().__init__(message or f"rate limit exceeded on {endpoint}")
        self.endpoint = endpoint


class ValidationError(ValueError):
    """Input failed a business rule."""
