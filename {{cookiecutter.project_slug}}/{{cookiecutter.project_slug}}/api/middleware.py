"""Sets the Sentry user for requests that carry a valid bearer token."""

from starlette.types import ASGIApp, Receive, Scope, Send

from {{ cookiecutter.project_slug }}.core.errors import AuthenticationError
from {{ cookiecutter.project_slug }}.core.sentry import add_breadcrumb, set_user_context
from {{ cookiecutter.project_slug }}.tokens import decode_access_token


class SentryUserMiddleware:
    """Pure ASGI middleware: runs inside Sentry's per-request isolation scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            token = _bearer_token(scope)
            if token:
                _identify(token)
        await self.app(scope, receive, send)


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _identify(token: str) -> None:
    try:
        claims = decode_access_token(token)
    except AuthenticationError:
        add_breadcrumb("Rejected bearer token", category="auth", level="warning")
        return
    set_user_context(claims.user_id, username=claims.username, email=claims.email)
    add_breadcrumb("Authenticated request", category="auth", user_id=claims.user_id)
