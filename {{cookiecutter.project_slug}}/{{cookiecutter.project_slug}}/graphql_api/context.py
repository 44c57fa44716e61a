"""The GraphQL view: authenticates the bearer token and sets the Sentry user."""

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from {{ cookiecutter.project_slug }}.core.errors import AuthenticationError
from {{ cookiecutter.project_slug }}.core.sentry import (
    add_breadcrumb,
    set_tag,
    set_user_context,
)
from {{ cookiecutter.project_slug }}.db import get_sessionmaker
from {{ cookiecutter.project_slug }}.models import RevokedToken, User
from {{ cookiecutter.project_slug }}.tokens import TokenClaims, decode_access_token


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket
    user: User | None = None
    claims: TokenClaims | None = None


class GraphQLWithContext(GraphQL[Context, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(request=request, response=response)
        operation = await _operation_name(request)
        if operation:
            set_tag("graphql.operation", operation)
        token = _bearer_token(request)
        if token is None:
            return context
        try:
            claims = decode_access_token(token)
        except AuthenticationError:
            add_breadcrumb("Rejected bearer token", category="auth", level="warning")
            return context
        user = await run_in_threadpool(_active_user, claims)
        if user is None:
            add_breadcrumb("Revoked bearer token", category="auth", level="warning")
            return context
        set_user_context(user.id, username=user.username, email=user.email)
        add_breadcrumb(
            f"Authenticated request from user {user.id}",
            category="auth",
            user_id=user.id,
        )
        context.user, context.claims = user, claims
        return context


def _bearer_token(request: Request | WebSocket) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


async def _operation_name(request: Request | WebSocket) -> str | None:
    """The operation's name, for grouping and search (the body is cached)."""
    if not isinstance(request, Request) or request.method != "POST":
        return None
    try:
        body: Any = await request.json()
    except ValueError:
        return None
    name = body.get("operationName") if isinstance(body, dict) else None
    return name if isinstance(name, str) else None


def _active_user(claims: TokenClaims) -> User | None:
    with get_sessionmaker()() as session:
        if session.get(RevokedToken, claims.jti) is not None:
            return None
        user = session.get(User, claims.user_id)
        return user if user is not None and user.is_active else None
