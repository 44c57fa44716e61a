"""Bearer tokens for the Starlette-based frameworks, with the Sentry user they set.

`BearerTokenBackend` plugs into Starlette's `AuthenticationMiddleware`: a request
carrying `Authorization: Bearer <token>` is authenticated when the token is valid,
unexpired and not revoked (logout), and its user still exists and is active. Such a
request's Sentry user is that user, as the database has it now; any other request,
including one with a rejected token, has no user (and an auth breadcrumb says why).
"""

from dataclasses import dataclass

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from .core.errors import AuthenticationError
from .core.sentry import add_breadcrumb, set_user_context
from .db import get_sessionmaker
from .models import RevokedToken, User
from .tokens import TokenClaims, bearer_token, decode_access_token


@dataclass(frozen=True)
class SignedInUser(BaseUser):
    """`request.user` of an authenticated request: the user and the token's claims."""

    user: User
    claims: TokenClaims

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.user.username

    @property
    def identity(self) -> str:
        return str(self.user.id)


class BearerTokenBackend(AuthenticationBackend):
    async def authenticate(
        self, conn: HTTPConnection
    ) -> tuple[AuthCredentials, BaseUser] | None:
        values = conn.headers.getlist("authorization")
        token = bearer_token(values[0]) if len(values) == 1 else None
        if token is None and len(values) < 2:
            return None
        try:
            # Which would the client mean? Neither (other servers join them into one).
            if token is None:
                raise AuthenticationError("several Authorization headers")
            signed_in = await run_in_threadpool(sign_in, token)
        except AuthenticationError as rejection:
            add_breadcrumb(
                "Rejected bearer token",
                category="auth",
                level="warning",
                reason=str(rejection),
            )
            return None
        user = signed_in.user
        set_user_context(user.id, username=user.username, email=user.email)
        add_breadcrumb("Authenticated request", category="auth", user_id=user.id)
        return AuthCredentials(["authenticated"]), signed_in


def sign_in(token: str) -> SignedInUser:
    """The token's user; AuthenticationError, saying why, if the token is invalid,
    expired or revoked, or its user unknown or inactive."""
    claims = decode_access_token(token)
    with get_sessionmaker()() as session:
        if session.get(RevokedToken, claims.jti) is not None:
            raise AuthenticationError("revoked token")
        user = session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("unknown or inactive user")
    return SignedInUser(user=user, claims=claims)
